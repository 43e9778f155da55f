/**
 * The function registry: Pebble core functions and Kestra's pure ones. Host functions
 * (read, secret, kv, errorLogs…) come from RenderOptions.functions.
 */
import type { FunctionFn } from '../context.js';

const entries: Array<[string, FunctionFn]> = [];

/** Functions by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionFn> = new Map(entries);

/** The names of all built-in functions, sorted. */
export const FUNCTION_NAMES: readonly string[] = Object.freeze([...FUNCTIONS.keys()].sort());

/**
 * The filter registry: Pebble core filters still enabled in Kestra, plus Kestra's own.
 */
import type { FilterFn } from '../context.js';

const entries: Array<[string, FilterFn]> = [];

/** Filters by name. */
export const FILTERS: ReadonlyMap<string, FilterFn> = new Map(entries);

/** The names of all filters, sorted. */
export const FILTER_NAMES: readonly string[] = Object.freeze([...FILTERS.keys()].sort());

/**
 * The `is` tests. `defined` is handled by the evaluator (it must survive strict variables).
 */
import { hasEntries } from './operators.js';
import { isMap, isNumber, num } from './values.js';

/** A test: `value is name(args…)`. */
export type TestFn = (value: unknown, args: unknown[]) => boolean;

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim().length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return !hasEntries(v);
  return false;
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Pebble's tests plus Kestra's `json`. */
export const TESTS: ReadonlyMap<string, TestFn> = new Map<string, TestFn>([
  ['null', (v) => v === null || v === undefined],
  ['empty', isEmpty],
  ['even', (v) => isInteger(v) && v % 2 === 0],
  ['odd', (v) => isInteger(v) && Math.abs(v % 2) === 1],
  ['iterable', (v) => Array.isArray(v)],
  ['map', (v) => isMap(v)],
  ['json', (v) => isJsonString(v)],
  ['number', (v) => isNumber(v) && Number.isFinite(num(v))],
  ['string', (v) => typeof v === 'string'],
  ['boolean', (v) => typeof v === 'boolean'],
]);

/** Kestra's `is json`: a string that parses as JSON. */
export function isJsonString(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
}

/** Pebble's emptiness (used by `is empty` and the `default` filter). */
export { isEmpty };

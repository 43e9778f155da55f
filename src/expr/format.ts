/**
 * How values print: the string-render writer (maps and lists as compact JSON, null as nothing)
 * and the Jackson-like JSON writer used by it and by `toJson`.
 */
import { ExpressionError } from '../errors.js';
import { JFloat, formatDouble, formatNumber } from './values.js';

const MAX_JSON_DEPTH = 1000;

/** The text of a value in string render (Kestra's JSON-aware writer). */
export function printValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || v instanceof JFloat) return formatNumber(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return toJson(v);
  if (typeof v === 'bigint') return v.toString();
  return '';
}

/**
 * Compact JSON as Kestra's Jackson mapper writes it: null map entries dropped, floats as Java
 * doubles (`1.0`, `1.0E10`), dates as ISO strings. Functions and symbols are never called: they
 * are dropped from maps and written as null in lists.
 */
export function toJson(v: unknown, depth = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof JFloat) return formatDouble(v.value);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return JSON.stringify(formatDouble(v));
    return Number.isInteger(v) ? String(v) : formatDouble(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (typeof v !== 'object') return 'null';
  if (depth > MAX_JSON_DEPTH) {
    throw new ExpressionError('TROUPE_EXPR_LIMIT', `Value nests deeper than ${MAX_JSON_DEPTH} levels (or is cyclic)`);
  }
  if (Array.isArray(v)) return `[${v.map((x) => toJson(x, depth + 1)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (x === null || x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    parts.push(`${JSON.stringify(k)}:${toJson(x, depth + 1)}`);
  }
  return `{${parts.join(',')}}`;
}


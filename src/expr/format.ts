/**
 * How values print: the string-render writer (maps and lists as compact JSON, null as nothing)
 * and the Jackson-like JSON writer used by it and by `toJson`.
 */
import type { Budget } from './budget.js';
import { limitError } from './budget.js';
import { JFloat, formatDouble, formatNumber } from './values.js';

const MAX_JSON_DEPTH = 1000;

/** The text of a value in string render (Kestra's JSON-aware writer); maps and lists count against `budget`. */
export function printValue(v: unknown, budget: Budget): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || v instanceof JFloat) return formatNumber(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return toJson(v, budget);
  if (typeof v === 'bigint') return v.toString();
  return '';
}

/**
 * Compact JSON as Kestra's Jackson mapper writes it: null map entries dropped, floats as Java
 * doubles (`1.0`, `1.0E10`), dates as ISO strings. Functions and symbols are never called: they
 * are dropped from maps and written as null in lists. The length of the text is measured first,
 * without building anything (every node a step of `budget`), so that a value too large to print
 * fails before any of it is built.
 */
export function toJson(v: unknown, budget: Budget): string {
  const scalar = jsonScalar(v);
  if (scalar !== undefined) return budget.string(scalar);
  const measure = { budget, length: 0, max: budget.limits.maxOutputChars };
  jsonLength(v, 0, measure);
  budget.reserveChars(measure.length);
  const parts: string[] = [];
  writeJson(v, parts);
  return parts.join('');
}

interface Measure {
  readonly budget: Budget;
  length: number;
  readonly max: number;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f]|[\ud800-\udfff]/;

function add(m: Measure, n: number): void {
  m.length += n;
  if (m.length > m.max) throw limitError(`A string of more than ${m.max} characters would be built (maxOutputChars)`);
}

function jsonLength(v: unknown, depth: number, m: Measure): void {
  m.budget.step(1);
  if (typeof v === 'string') {
    add(m, NEEDS_ESCAPE.test(v) ? JSON.stringify(v).length : v.length + 2);
    return;
  }
  const scalar = jsonScalar(v);
  if (scalar !== undefined) {
    add(m, scalar.length);
    return;
  }
  if (depth > MAX_JSON_DEPTH) throw limitError(`Value nests deeper than ${MAX_JSON_DEPTH} levels (or is cyclic)`);
  if (Array.isArray(v)) {
    add(m, v.length + 1 + (v.length === 0 ? 1 : 0));
    for (const x of v) jsonLength(x, depth + 1, m);
    return;
  }
  add(m, 2);
  const map = v as Record<string, unknown>;
  for (const k in map) {
    if (!Object.hasOwn(map, k)) continue;
    const x = map[k];
    if (x === null || x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    add(m, jsonKey(k).length + 2);
    jsonLength(x, depth + 1, m);
  }
}

function writeJson(v: unknown, out: string[]): void {
  const scalar = jsonScalar(v);
  if (scalar !== undefined) {
    out.push(scalar);
    return;
  }
  if (Array.isArray(v)) {
    out.push('[');
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out.push(',');
      writeJson(v[i], out);
    }
    out.push(']');
    return;
  }
  out.push('{');
  let first = true;
  const map = v as Record<string, unknown>;
  for (const k in map) {
    if (!Object.hasOwn(map, k)) continue;
    const x = map[k];
    if (x === null || x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    out.push(first ? `${jsonKey(k)}:` : `,${jsonKey(k)}:`);
    first = false;
    writeJson(x, out);
  }
  out.push('}');
}

function jsonScalar(v: unknown): string | undefined {
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
  return undefined;
}

/** Text built piece by piece, its length held to the longest-string limit as it grows. */
export class TextWriter {
  private text = '';
  private readonly max: number;

  constructor(protected readonly budget: Budget) {
    this.max = budget.limits.maxOutputChars;
  }

  /** Appends a piece. */
  push(s: string): void {
    if (this.text.length + s.length > this.max) {
      throw limitError(`A string of more than ${this.max} characters would be built (maxOutputChars)`);
    }
    this.text += s;
  }

  /** The text, counted as built. */
  result(): string {
    return this.budget.string(this.text);
  }
}

const PLAIN_KEY = /^[\w .-]*$/;

/** A map key as JSON, without JSON.stringify for the common plain keys. */
function jsonKey(k: string): string {
  return PLAIN_KEY.test(k) ? `"${k}"` : JSON.stringify(k);
}

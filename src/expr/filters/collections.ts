/**
 * Collection filters: default, first/last, keys/values, length, join, chunk, flatten, sorting,
 * slicing and merging. Lists and maps in, fresh lists and maps out (inputs are never mutated).
 */
import { ExpressionError } from '../../errors.js';
import { arg, type FilterFn } from '../context.js';
import type { Budget } from '../budget.js';
import { printValue, TextWriter } from '../format.js';
import { readOwn } from '../sandbox.js';
import { isEmpty } from '../tests.js';
import { isMap, isNumber, num, typeName } from '../values.js';

function typeError(message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_TYPE', message);
}

function intArg(v: unknown, what: string): number {
  if (isNumber(v) && Number.isInteger(num(v))) return num(v);
  throw typeError(`${what} must be an integer, got ${typeName(v)}`);
}

function list(input: unknown, filter: string): unknown[] {
  if (Array.isArray(input)) return input;
  throw typeError(`Filter '${filter}' needs a list, got ${typeName(input)}`);
}

/** Natural order for sort/rsort: numbers, then strings; mixed kinds are a type error. */
function naturalCompare(a: unknown, b: unknown): number {
  if (isNumber(a) && isNumber(b)) return num(a) - num(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw typeError(`Cannot sort ${typeName(a)} with ${typeName(b)}`);
}

/** A sorted copy, its size and the comparisons spent from the budget first. */
function sorted(items: unknown[], compare: (a: unknown, b: unknown) => number, budget: Budget): unknown[] {
  budget.collection(items.length);
  budget.step(Math.ceil(items.length * Math.log2(items.length + 1)));
  return [...items].sort(compare);
}

function sliceBounds(length: number, from: unknown, to: unknown): [number, number] {
  const start = from === undefined || from === null ? 0 : intArg(from, 'slice fromIndex');
  const end = to === undefined || to === null ? length : intArg(to, 'slice toIndex');
  if (start < 0 || end > length || start > end) {
    throw new ExpressionError('TROUPE_EXPR_EVALUATION', `slice bounds [${start}, ${end}) are outside 0..${length}`);
  }
  return [start, end];
}

/** Collection filters by name. */
export const COLLECTION_FILTERS: Array<[string, FilterFn]> = [
  ['default', (input, a, n) => (isEmpty(input) ? arg(a, n, 0, 'default') ?? null : input)],
  ['first', (input) => {
    if (typeof input === 'string') return input.length ? input[0] : null;
    if (Array.isArray(input)) return input.length ? input[0] : null;
    if (isMap(input)) {
      for (const k in input) if (Object.hasOwn(input, k)) return readOwn(input, k);
      return null;
    }
    return input ?? null;
  }],
  ['last', (input, _a, _n, ctx) => {
    if (typeof input === 'string') return input.length ? input[input.length - 1] : null;
    if (Array.isArray(input)) return input.length ? input[input.length - 1] : null;
    if (isMap(input)) {
      const keys = Object.keys(input);
      ctx.budget.step(keys.length);
      const k = keys.at(-1);
      return k === undefined ? null : readOwn(input, k);
    }
    return input ?? null;
  }],
  ['keys', (input, _a, _n, ctx) => {
    if (input === null || input === undefined) return null;
    if (Array.isArray(input)) {
      ctx.budget.collection(input.length);
      return input.map((_, i) => i);
    }
    if (isMap(input)) {
      const keys = Object.keys(input);
      ctx.budget.collection(keys.length);
      return keys;
    }
    throw typeError(`Filter 'keys' needs a map or list, got ${typeName(input)}`);
  }],
  ['values', (input, _a, _n, ctx) => {
    if (input === null || input === undefined) return null;
    if (isMap(input)) {
      const keys = Object.keys(input);
      ctx.budget.collection(keys.length);
      return keys.map((k) => readOwn(input, k));
    }
    throw typeError(`Filter 'values' needs a map, got ${typeName(input)}`);
  }],
  ['length', (input, _a, _n, ctx) => {
    if (input === null || input === undefined) return 0;
    if (typeof input === 'string' || Array.isArray(input)) return input.length;
    if (isMap(input)) {
      const size = Object.keys(input).length;
      ctx.budget.step(size);
      return size;
    }
    return 1;
  }],
  ['join', (input, a, n, ctx) => {
    if (input === null || input === undefined) return null;
    const sepArg = arg(a, n, 0, 'separator');
    const sep = sepArg === undefined || sepArg === null ? '' : printValue(sepArg, ctx.budget);
    const items = isMap(input) ? Object.values(input) : list(input, 'join');
    const w = new TextWriter(ctx.budget);
    items.forEach((x, i) => {
      ctx.budget.step(1);
      if (i > 0) w.push(sep);
      w.push(printValue(x, ctx.budget));
    });
    return w.result();
  }],
  ['chunk', (input, a, n, ctx) => {
    const items = list(input, 'chunk');
    const size = intArg(arg(a, n, 0, 'size'), 'chunk size');
    if (size < 1) throw typeError('chunk size must be at least 1');
    ctx.budget.collection(items.length);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  }],
  ['flatten', (input, _a, _n, ctx) => {
    const items = list(input, 'flatten');
    ctx.budget.collection(items.reduce((total: number, x) => total + (Array.isArray(x) ? x.length : 1), 0));
    return items.flatMap((x) => (Array.isArray(x) ? x : [x]));
  }],
  ['sort', (input, _a, _n, ctx) => sorted(list(input, 'sort'), naturalCompare, ctx.budget)],
  ['rsort', (input, _a, _n, ctx) => sorted(list(input, 'rsort'), (x, y) => naturalCompare(y, x), ctx.budget)],
  ['reverse', (input, _a, _n, ctx) => {
    if (input === null || input === undefined) return null;
    if (typeof input === 'string') return [...input].reverse().join('');
    const items = list(input, 'reverse');
    ctx.budget.collection(items.length);
    return [...items].reverse();
  }],
  ['slice', (input, a, n, ctx) => {
    if (input === null || input === undefined) return null;
    if (typeof input === 'string' || Array.isArray(input)) {
      const [s, e] = sliceBounds(input.length, arg(a, n, 0, 'fromIndex'), arg(a, n, 1, 'toIndex'));
      if (Array.isArray(input)) ctx.budget.collection(e - s);
      return input.slice(s, e);
    }
    throw typeError(`Filter 'slice' needs a list or string, got ${typeName(input)}`);
  }],
  ['merge', (input, a, n, ctx) => {
    const other = arg(a, n, 0, 'items');
    if (isMap(input) && isMap(other)) {
      ctx.budget.map(Object.keys(input).length + Object.keys(other).length);
      return { ...input, ...other };
    }
    if (Array.isArray(input)) {
      const added = Array.isArray(other) ? other : isMap(other) ? Object.values(other) : [other];
      ctx.budget.collection(input.length + added.length);
      return [...input, ...added];
    }
    throw typeError(`Filter 'merge' needs two maps or a list, got ${typeName(input)} and ${typeName(other)}`);
  }],
];

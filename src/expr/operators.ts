/**
 * Operator semantics, Java-flavoured: integer arithmetic stays integral (`10 / 4` is `2`),
 * a float operand makes the result a float, strings never equal numbers (`'4' == 4` is false).
 */
import { ExpressionError } from '../errors.js';
import type { Budget } from './budget.js';
import { printValue } from './format.js';
import { JFloat, isFloat, isMap, isNumber, makeFloat, num, typeName } from './values.js';

function typeError(message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_TYPE', message);
}

/** Arithmetic `+ - * / %` on numbers; `+` also concatenates strings and appends to lists. */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', a: unknown, b: unknown, budget: Budget): unknown {
  if (isNumber(a) && isNumber(b)) {
    const x = num(a);
    const y = num(b);
    const float = isFloat(a) || isFloat(b);
    if (!float) {
      if ((op === '/' || op === '%') && y === 0) throw new ExpressionError('TROUPE_EXPR_EVALUATION', '/ by zero');
      switch (op) {
        case '+': return x + y;
        case '-': return x - y;
        case '*': return x * y;
        case '/': return Math.trunc(x / y);
        case '%': return x % y;
      }
    }
    switch (op) {
      case '+': return makeFloat(x + y);
      case '-': return makeFloat(x - y);
      case '*': return makeFloat(x * y);
      case '/': return makeFloat(x / y);
      case '%': return makeFloat(x % y);
    }
  }
  if (op === '+') {
    if (typeof a === 'string' || typeof b === 'string') return concat(printValue(a, budget), printValue(b, budget), budget);
    if (Array.isArray(a)) {
      budget.collection(a.length + (Array.isArray(b) ? b.length : 1));
      return Array.isArray(b) ? [...a, ...b] : [...a, b];
    }
  }
  throw typeError(`Unsupported operand types for '${op}': ${typeName(a)} and ${typeName(b)}`);
}

/** Unary minus. */
export function negate(v: unknown): unknown {
  if (v instanceof JFloat) return new JFloat(-v.value);
  if (typeof v === 'number') return -v;
  throw typeError(`Unsupported operand type for unary '-': ${typeName(v)}`);
}

/** Two strings joined, checked against the string limits before they are. */
export function concat(a: string, b: string, budget: Budget): string {
  budget.reserveChars(a.length + b.length);
  return a + b;
}

/**
 * Java-like equality: numbers by value (1 == 1.0), collections deeply, nothing else coerced.
 * Every pair of nodes compared is a step of `budget` (identical references end the walk at once).
 */
export function valuesEqual(a: unknown, b: unknown, budget: Budget, depth = 0): boolean {
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'Values nest deeper than 1000 levels to compare (or are cyclic)');
  budget.step(1);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i], budget, depth + 1)) return false;
    return true;
  }
  if (!isMap(a) || !isMap(b)) return false;
  let size = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    size++;
    if (!Object.hasOwn(b, k) || !valuesEqual(a[k], b[k], budget, depth + 1)) return false;
  }
  for (const k in b) if (Object.hasOwn(b, k)) size--;
  return size === 0;
}

/** `< > <= >=`: numbers numerically, strings lexicographically (an extension), else a type error. */
export function compare(op: '<' | '>' | '<=' | '>=', a: unknown, b: unknown): boolean {
  let c: number;
  if (isNumber(a) && isNumber(b)) c = num(a) - num(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else throw typeError(`Cannot compare ${typeName(a)} and ${typeName(b)} with '${op}'`);
  switch (op) {
    case '<': return c < 0;
    case '>': return c > 0;
    case '<=': return c <= 0;
    case '>=': return c >= 0;
  }
}

/** `a contains b`: list membership (every element when `b` is a list), map key, substring. */
export function contains(a: unknown, b: unknown, budget: Budget): boolean {
  if (a === null || a === undefined) return false;
  if (typeof a === 'string') return b !== null && b !== undefined && a.includes(printValue(b, budget));
  if (Array.isArray(a)) {
    const wanted = Array.isArray(b) ? b : [b];
    return wanted.every((w) => a.some((x) => (budget.step(1), valuesEqual(x, w, budget))));
  }
  if (isMap(a)) return typeof b === 'string' ? Object.hasOwn(a, b) : isNumber(b) ? Object.hasOwn(a, String(num(b))) : false;
  throw typeError(`'contains' needs a list, map or string, got ${typeName(a)}`);
}

/**
 * Truth of a value in `if`, `and`, `or`, `not` and `? :`: booleans as-is; null, zero, empty
 * strings and empty collections are false.
 */
export function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (v === null || v === undefined) return false;
  if (isNumber(v)) return num(v) !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return hasEntries(v);
  return true;
}

/**
 * The inclusive integer range `from..to` by `step` (empty when `step` points away), capped at
 * `maxRangeSize`; its elements count as loop iterations.
 */
export function range(from: unknown, to: unknown, step: unknown, budget: Budget): number[] {
  const maxSize = budget.limits.maxRangeSize;
  if (!isNumber(from) || !isNumber(to) || !isNumber(step)) {
    throw typeError(`A range needs numbers, got ${typeName(from)} and ${typeName(to)}`);
  }
  const a = Math.trunc(num(from));
  const b = Math.trunc(num(to));
  const s = Math.trunc(num(step));
  if (s === 0) throw typeError('A range step cannot be 0');
  const size = Math.max(0, Math.floor((b - a) / s) + 1);
  if (size > maxSize) {
    throw new ExpressionError('TROUPE_EXPR_LIMIT', `Range ${a}..${b} has ${size} elements, more than the limit of ${maxSize} (maxRangeSize)`);
  }
  budget.collection(size);
  budget.tick(size);
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(a + i * s);
  return out;
}

/** Whether a map has an entry, without listing its keys. */
export function hasEntries(map: Record<string, unknown>): boolean {
  for (const k in map) if (Object.hasOwn(map, k)) return true;
  return false;
}

/**
 * The sandbox's one door into data: templates read only own, enumerable data properties of plain
 * objects and arrays. Getters are never invoked (values are read from property descriptors), the
 * prototype chain is never walked, and functions found in data are treated as absent.
 */
import { ExpressionError } from '../errors.js';

/** Property names that would reach the prototype chain in JavaScript. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/**
 * Reads attribute `key` of `obj`; `undefined` means absent. Forbidden names that are not own data
 * properties throw TROUPE_EXPR_FORBIDDEN.
 */
export function getAttribute(obj: unknown, key: unknown): unknown {
  if (obj === null || typeof obj !== 'object') {
    if (typeof key === 'string' && FORBIDDEN_NAMES.has(key)) throw forbidden(key);
    return undefined;
  }
  if (Array.isArray(obj)) {
    const index = typeof key === 'number' ? key : typeof key === 'string' && /^\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(index) || index < 0 || index >= obj.length) {
      if (typeof key === 'string' && FORBIDDEN_NAMES.has(key)) throw forbidden(key);
      return undefined;
    }
    return readOwn(obj, String(index));
  }
  const name = typeof key === 'string' ? key : typeof key === 'number' || typeof key === 'boolean' ? String(key) : undefined;
  if (name === undefined) return undefined;
  const proto: unknown = Object.getPrototypeOf(obj);
  if (proto !== Object.prototype && proto !== null) {
    if (FORBIDDEN_NAMES.has(name)) throw forbidden(name);
    return undefined;
  }
  const value = readOwn(obj, name);
  if (value === undefined && FORBIDDEN_NAMES.has(name)) throw forbidden(name);
  return value;
}

/** An own enumerable data property, or undefined; never calls a getter, never returns a function. */
export function readOwn(obj: object, name: string): unknown {
  const desc = Object.getOwnPropertyDescriptor(obj, name);
  if (!desc || !desc.enumerable || !('value' in desc)) return undefined;
  const value: unknown = desc.value;
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
}

function forbidden(name: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_FORBIDDEN', `Access to '${name}' is not allowed in templates`);
}

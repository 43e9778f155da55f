/**
 * Number filters: number (parse), abs, round and numberFormat (a Java DecimalFormat subset:
 * `0`, `#`, `,` grouping, `.`, literal prefix/suffix, `%`; HALF_EVEN rounding).
 */
import { ExpressionError } from '../../errors.js';
import { arg, type FilterFn } from '../context.js';
import { JFloat, isFloat, isNumber, makeFloat, num, typeName } from '../values.js';

function typeError(message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_TYPE', message);
}

function toNumber(input: unknown, type: unknown): unknown {
  if (input === null || input === undefined) return null;
  if (isNumber(input)) return input;
  if (typeof input !== 'string') throw typeError(`Filter 'number' needs a string, got ${typeName(input)}`);
  const s = input.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new ExpressionError('TROUPE_EXPR_EVALUATION', `'${input}' is not a number`);
  const n = Number(s);
  const kind = typeof type === 'string' ? type.toUpperCase() : /[.eE]/.test(s) ? 'DOUBLE' : 'LONG';
  switch (kind) {
    case 'INT':
    case 'LONG':
    case 'BIGINTEGER':
      if (!Number.isInteger(n)) throw new ExpressionError('TROUPE_EXPR_EVALUATION', `'${input}' is not an integer`);
      return n;
    case 'FLOAT':
    case 'DOUBLE':
    case 'BIGDECIMAL':
      return makeFloat(n);
    default:
      throw typeError(`number type must be INT, FLOAT, LONG, DOUBLE, BIGDECIMAL or BIGINTEGER, got '${String(type)}'`);
  }
}

/** Rounds half to even at `digits` fraction digits. */
function roundHalfEven(x: number, digits: number): number {
  const f = 10 ** digits;
  const scaled = x * f;
  const r = Math.round(scaled);
  const exactHalf = Math.abs(scaled % 1) === 0.5;
  return (exactHalf && r % 2 !== 0 ? r - 1 : r) / f;
}

/** Formats `x` with a DecimalFormat pattern (positive subpattern only). */
export function decimalFormat(x: number, pattern: string): string {
  const m = /^([^#0,.%]*)([#0,]*)(?:\.([#0]*))?([^#0,.]*)$/.exec(pattern.split(';')[0] ?? '');
  if (!m) throw typeError(`Unsupported numberFormat pattern '${pattern}'`);
  const [, prefix = '', intPart = '', fracPart = '', suffix = ''] = m;
  const percent = suffix.includes('%') || prefix.includes('%');
  const value = percent ? x * 100 : x;
  const minInt = (intPart.match(/0/g) ?? []).length;
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = fracPart.length;
  const lastComma = intPart.lastIndexOf(',');
  const group = lastComma >= 0 ? intPart.length - lastComma - 1 : 0;
  const rounded = roundHalfEven(Math.abs(value), maxFrac);
  let [ints = '0', fracs = ''] = rounded.toFixed(maxFrac).split('.');
  fracs = fracs.replace(/0+$/, '').padEnd(minFrac, '0');
  ints = ints.replace(/^0+/, '').padStart(Math.max(minInt, 0), '0');
  if (group > 0) ints = ints.replace(new RegExp(`\\B(?=(\\d{${group}})+(?!\\d))`, 'g'), ',');
  const body = ints + (fracs ? `.${fracs}` : '');
  return `${value < 0 && rounded !== 0 ? '-' : ''}${prefix}${body || '0'}${suffix}`;
}

/** Number filters by name. */
export const NUMBER_FILTERS: Array<[string, FilterFn]> = [
  ['number', (input, a, n) => toNumber(input, arg(a, n, 0, 'type'))],
  ['abs', (input) => {
    if (input instanceof JFloat) return new JFloat(Math.abs(input.value));
    if (typeof input === 'number') return Math.abs(input);
    throw typeError(`Filter 'abs' needs a number, got ${typeName(input)}`);
  }],
  ['round', (input, a, n) => {
    if (!isNumber(input)) throw typeError(`Filter 'round' needs a number, got ${typeName(input)}`);
    const precision = arg(a, n, 0, 'precision');
    const digits = isNumber(precision) ? Math.trunc(num(precision)) : 0;
    const f = 10 ** digits;
    const r = Math.sign(num(input)) * Math.round(Math.abs(num(input)) * f) / f;
    return isFloat(input) && digits > 0 ? makeFloat(r) : r;
  }],
  ['numberFormat', (input, a, n) => {
    if (!isNumber(input)) throw typeError(`Filter 'numberFormat' needs a number, got ${typeName(input)}`);
    const pattern = arg(a, n, 0, 'format');
    if (typeof pattern !== 'string') throw typeError('numberFormat needs a pattern string');
    return decimalFormat(num(input), pattern);
  }],
];

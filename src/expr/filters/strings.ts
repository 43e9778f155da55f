/**
 * String filters: case, trimming, slicing around separators, escaping, indentation, encoding.
 */
import { ExpressionError } from '../../errors.js';
import { arg, type FilterFn } from '../context.js';
import { printValue } from '../format.js';
import { isMap, isNumber, num, typeName } from '../values.js';

/** The input as a string; null stays null (most string filters return null for null). */
function str(input: unknown, filter: string): string {
  if (typeof input === 'string') return input;
  if (input === null || input === undefined || typeof input === 'object' && !isNumber(input)) {
    throw new ExpressionError('TROUPE_EXPR_TYPE', `Filter '${filter}' needs a string, got ${typeName(input)}`);
  }
  return printValue(input);
}

/** Wraps a string function so that null input gives null. */
function stringFilter(name: string, fn: (s: string, args: unknown[], named: Record<string, unknown>) => unknown): [string, FilterFn] {
  return [name, (input, args, named) => (input === null || input === undefined ? null : fn(str(input, name), args, named))];
}

function strArg(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (isNumber(v)) return printValue(v);
  throw new ExpressionError('TROUPE_EXPR_TYPE', `${what} must be a string, got ${typeName(v)}`);
}

function intArg(v: unknown, what: string): number {
  if (isNumber(v) && Number.isInteger(num(v))) return num(v);
  throw new ExpressionError('TROUPE_EXPR_TYPE', `${what} must be an integer, got ${typeName(v)}`);
}

function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/[^\w-]/g, '')
    .replace(/_/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function title(s: string): string {
  let out = '';
  let upNext = true;
  for (const c of s) {
    if (/\s/.test(c)) {
      upNext = true;
      out += c;
    } else {
      out += upNext ? c.toUpperCase() : c;
      upNext = false;
    }
  }
  return out;
}

/** Java's URLEncoder.encode(s, UTF-8). */
function urlencode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

function indent(s: string, amount: unknown, prefix: unknown, first: boolean): string {
  const pad = (prefix === undefined || prefix === null ? ' ' : strArg(prefix, 'indent prefix')).repeat(intArg(amount, 'indent amount'));
  const newline = s.includes('\r\n') ? '\r\n' : '\n';
  const body = s.split(newline).join(newline + pad);
  return first ? newline + pad + body : body;
}

const ESCAPES: Record<string, (s: string) => string> = {
  single: (s) => s.replace(/'/g, "\\'"),
  double: (s) => s.replace(/"/g, '\\"'),
  shell: (s) => s.replace(/'/g, "'\\''"),
};

function replaceAll(input: unknown, pairs: Record<string, unknown>, regexp: boolean, depth: number): unknown {
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'replace: value nests too deep');
  if (typeof input === 'string') {
    let out = input;
    for (const [from, to] of Object.entries(pairs)) {
      const by = printValue(to);
      out = regexp ? out.replace(new RegExp(from, 'g'), by) : out.split(from).join(by);
    }
    return out;
  }
  if (Array.isArray(input)) return input.map((x) => replaceAll(x, pairs, regexp, depth + 1));
  if (isMap(input)) return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, replaceAll(v, pairs, regexp, depth + 1)]));
  return input;
}

/** String filters by name. */
export const STRING_FILTERS: Array<[string, FilterFn]> = [
  stringFilter('upper', (s) => s.toUpperCase()),
  stringFilter('lower', (s) => s.toLowerCase()),
  stringFilter('title', title),
  stringFilter('capitalize', (s) => (s ? (s[0] as string).toUpperCase() + s.slice(1) : s)),
  stringFilter('trim', (s) => s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '')),
  stringFilter('slugify', slugify),
  stringFilter('substringBefore', (s, a, n) => {
    const sep = strArg(arg(a, n, 0, 'separator'), 'separator');
    const i = s.indexOf(sep);
    return sep === '' ? '' : i < 0 ? s : s.slice(0, i);
  }),
  stringFilter('substringAfter', (s, a, n) => {
    const sep = strArg(arg(a, n, 0, 'separator'), 'separator');
    const i = s.indexOf(sep);
    return sep === '' ? s : i < 0 ? '' : s.slice(i + sep.length);
  }),
  stringFilter('substringBeforeLast', (s, a, n) => {
    const sep = strArg(arg(a, n, 0, 'separator'), 'separator');
    const i = s.lastIndexOf(sep);
    return sep === '' || i < 0 ? s : s.slice(0, i);
  }),
  stringFilter('substringAfterLast', (s, a, n) => {
    const sep = strArg(arg(a, n, 0, 'separator'), 'separator');
    const i = s.lastIndexOf(sep);
    return sep === '' || i < 0 ? '' : s.slice(i + sep.length);
  }),
  stringFilter('startsWith', (s, a, n) => s.startsWith(strArg(arg(a, n, 0, 'value'), 'value'))),
  stringFilter('endsWith', (s, a, n) => s.endsWith(strArg(arg(a, n, 0, 'value'), 'value'))),
  stringFilter('escapeChar', (s, a, n) => {
    const type = strArg(arg(a, n, 0, 'type'), 'escapeChar type');
    const esc = Object.hasOwn(ESCAPES, type) ? ESCAPES[type] : undefined;
    if (!esc) throw new ExpressionError('TROUPE_EXPR_TYPE', `escapeChar type must be one of single, double, shell; got '${type}'`);
    return esc(s);
  }),
  stringFilter('indent', (s, a, n) => indent(s, arg(a, n, 0, 'amount'), arg(a, n, 1, 'prefix'), false)),
  stringFilter('nindent', (s, a, n) => indent(s, arg(a, n, 0, 'amount'), arg(a, n, 1, 'prefix'), true)),
  stringFilter('abbreviate', (s, a, n) => {
    const max = intArg(arg(a, n, 0, 'length'), 'abbreviate length');
    if (s.length <= max) return s;
    return max < 4 ? s.slice(0, max) : `${s.slice(0, max - 3)}...`;
  }),
  stringFilter('urlencode', urlencode),
  stringFilter('urldecode', (s) => decodeURIComponent(s.replace(/\+/g, ' '))),
  stringFilter('split', (s, a, n) => {
    const delimiter = strArg(arg(a, n, 0, 'delimiter'), 'split delimiter');
    const limit = arg(a, n, 1, 'limit');
    const parts = s.split(delimiter);
    if (limit !== undefined && limit !== null) {
      const l = intArg(limit, 'split limit');
      if (l > 0 && parts.length > l) return [...parts.slice(0, l - 1), parts.slice(l - 1).join(delimiter)];
      if (l < 0) return parts;
    }
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }),
  [
    'replace',
    (input, a, n) => {
      const pairs = arg(a, n, 0, 'replace_pairs');
      if (!isMap(pairs)) throw new ExpressionError('TROUPE_EXPR_TYPE', `replace needs a map of replacements, got ${typeName(pairs)}`);
      return input === null || input === undefined ? null : replaceAll(input, pairs, arg(a, n, 1, 'regexp') === true, 0);
    },
  ],
];

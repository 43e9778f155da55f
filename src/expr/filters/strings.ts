/**
 * String filters: case, trimming, slicing around separators, escaping, indentation, encoding.
 */
import { ExpressionError } from '../../errors.js';
import type { Budget } from '../budget.js';
import { arg, type EvalContext, type FilterFn } from '../context.js';
import { printValue } from '../format.js';
import { javaRegex, javaReplacement, replaceAllRe2, type RegexMatch } from '../regex.js';
import { formatNumber, isMap, isNumber, num, typeName } from '../values.js';

/** The input as a string; null stays null (most string filters return null for null). */
function str(input: unknown, filter: string): string {
  if (typeof input === 'string') return input;
  if (input === null || input === undefined || typeof input === 'object' && !isNumber(input)) {
    throw new ExpressionError('TROUPE_EXPR_TYPE', `Filter '${filter}' needs a string, got ${typeName(input)}`);
  }
  return isNumber(input) ? formatNumber(input) : String(input);
}

/** Wraps a string function so that null input gives null. */
function stringFilter(name: string, fn: (s: string, args: unknown[], named: Record<string, unknown>, ctx: EvalContext) => unknown): [string, FilterFn] {
  return [name, (input, args, named, ctx) => (input === null || input === undefined ? null : fn(str(input, name), args, named, ctx))];
}

function strArg(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (isNumber(v)) return formatNumber(v);
  throw new ExpressionError('TROUPE_EXPR_TYPE', `${what} must be a string, got ${typeName(v)}`);
}

function intArg(v: unknown, what: string): number {
  if (isNumber(v) && Number.isInteger(num(v))) return num(v);
  throw new ExpressionError('TROUPE_EXPR_TYPE', `${what} must be an integer, got ${typeName(v)}`);
}

function slugify(s: string): string {
  const slug = s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s_]+/g, '-')
    .replace(/[^\w-]/g, '')
    .replace(/_/g, '-')
    .replace(/-+/g, '-');
  return stripAround(slug, (c) => c === 45);
}

/**
 * `s` without the leading and trailing characters `strip` accepts: a scan from both ends (a
 * backtracking regex such as /x+$/ is quadratic on a long run of x inside the string).
 */
function stripAround(s: string, strip: (code: number) => boolean): string {
  let start = 0;
  let end = s.length;
  while (start < end && strip(s.charCodeAt(start))) start++;
  while (end > start && strip(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
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

function indent(s: string, amount: unknown, prefix: unknown, first: boolean, budget: Budget): string {
  const unit = prefix === undefined || prefix === null ? ' ' : strArg(prefix, 'indent prefix');
  const count = Math.max(0, intArg(amount, 'indent amount'));
  budget.reserveChars(unit.length * count);
  const pad = unit.repeat(count);
  const newline = s.includes('\r\n') ? '\r\n' : '\n';
  const lines = s.split(newline);
  budget.reserveChars(s.length + (lines.length - 1 + (first ? 1 : 0)) * (newline.length + pad.length));
  const body = lines.join(newline + pad);
  return first ? newline + pad + body : body;
}

const ESCAPES: Record<string, (s: string) => string> = {
  single: (s) => s.replace(/'/g, "\\'"),
  double: (s) => s.replace(/"/g, '\\"'),
  shell: (s) => s.replace(/'/g, "'\\''"),
};

/** Java's String.replace(target, by): every occurrence, left to right; an empty target goes between every character. */
function replaceLiteral(s: string, target: string, by: string, budget: Budget): string {
  if (target === '') {
    const chars = [...s];
    budget.reserveChars(s.length + (chars.length + 1) * by.length);
    return by + chars.join(by) + by;
  }
  let count = 0;
  for (let at = s.indexOf(target); at >= 0; at = s.indexOf(target, at + target.length)) count++;
  if (count === 0) return s;
  budget.step(count);
  budget.reserveChars(s.length + count * (by.length - target.length));
  return s.split(target).join(by);
}

type Replacement = (s: string, budget: Budget) => string;

/** The replacements of a `replace` call, compiled once for the whole input. */
function replacements(pairs: Record<string, unknown>, regexp: boolean, budget: Budget): Replacement[] {
  return Object.entries(pairs).map(([from, to]): Replacement => {
    const by = printValue(to, budget);
    if (!regexp) return (s, b) => replaceLiteral(s, from, by, b);
    const re = javaRegex(from);
    // As Java: the replacement is read at the first match (a bad one is no error without a match).
    let expand: ((match: RegexMatch) => string) | undefined;
    return (s, b) => replaceAllRe2(re, s, (_groups, match) => (expand ??= javaReplacement(by, re))(match), b);
  });
}

/**
 * Applies the replacements to the strings inside `input`. A part shared by several paths is
 * processed once (`done`), so the result shares it too.
 */
function replaceAll(input: unknown, steps: Replacement[], budget: Budget, depth: number, done?: Map<object, unknown>): unknown {
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'replace: value nests too deep');
  budget.step(1);
  if (typeof input === 'string') {
    let out = input;
    for (const step of steps) out = step(out, budget);
    return out;
  }
  if (input === null || typeof input !== 'object') return input;
  done ??= new Map();
  const seen = done.get(input);
  if (seen !== undefined) return seen;
  let out: unknown = input;
  if (Array.isArray(input)) {
    budget.collection(input.length);
    out = input.map((x) => replaceAll(x, steps, budget, depth + 1, done));
  } else if (isMap(input)) {
    const entries = Object.entries(input);
    budget.map(entries.length);
    out = Object.fromEntries(entries.map(([k, v]) => [k, replaceAll(v, steps, budget, depth + 1, done)]));
  }
  done.set(input, out);
  return out;
}

/** String filters by name. */
export const STRING_FILTERS: Array<[string, FilterFn]> = [
  stringFilter('upper', (s) => s.toUpperCase()),
  stringFilter('lower', (s) => s.toLowerCase()),
  stringFilter('title', title),
  stringFilter('capitalize', (s) => (s ? (s[0] as string).toUpperCase() + s.slice(1) : s)),
  stringFilter('trim', (s) => stripAround(s, (c) => c <= 0x20)),
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
  stringFilter('indent', (s, a, n, ctx) => indent(s, arg(a, n, 0, 'amount'), arg(a, n, 1, 'prefix'), false, ctx.budget)),
  stringFilter('nindent', (s, a, n, ctx) => indent(s, arg(a, n, 0, 'amount'), arg(a, n, 1, 'prefix'), true, ctx.budget)),
  stringFilter('abbreviate', (s, a, n) => {
    const max = intArg(arg(a, n, 0, 'length'), 'abbreviate length');
    if (s.length <= max) return s;
    return max < 4 ? s.slice(0, max) : `${s.slice(0, max - 3)}...`;
  }),
  stringFilter('urlencode', urlencode),
  stringFilter('urldecode', (s) => decodeURIComponent(s.replace(/\+/g, ' '))),
  stringFilter('split', (s, a, n, ctx) => {
    const delimiter = strArg(arg(a, n, 0, 'delimiter'), 'split delimiter');
    const limit = arg(a, n, 1, 'limit');
    const l = limit === undefined || limit === null ? 0 : intArg(limit, 'split limit');
    if (l > 0 && delimiter !== '') {
      const parts: string[] = [];
      let from = 0;
      for (let at = s.indexOf(delimiter); at >= 0 && parts.length < l - 1; at = s.indexOf(delimiter, from)) {
        parts.push(s.slice(from, at));
        from = at + delimiter.length;
      }
      parts.push(s.slice(from));
      ctx.budget.collection(parts.length);
      return parts;
    }
    const parts = s.split(delimiter, ctx.budget.limits.maxCollectionSize + 1);
    ctx.budget.collection(parts.length);
    if (l > 0 && parts.length > l) return [...parts.slice(0, l - 1), parts.slice(l - 1).join(delimiter)];
    if (l < 0) return parts;
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  }),
  [
    'replace',
    (input, a, n, ctx) => {
      const pairs = arg(a, n, 0, 'replace_pairs');
      if (!isMap(pairs)) throw new ExpressionError('TROUPE_EXPR_TYPE', `replace needs a map of replacements, got ${typeName(pairs)}`);
      if (input === null || input === undefined) return null;
      return replaceAll(input, replacements(pairs, arg(a, n, 1, 'regexp') === true, ctx.budget), ctx.budget, 0);
    },
  ],
];

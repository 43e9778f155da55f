/**
 * The template lexer: splits a template into text and `{{ }}` / `{% %}` token runs, handling
 * comments, `{% raw %}` blocks and whitespace control (`{{-`, `-}}`, `{%-`, `-%}`). Iterative, so
 * any input size is lexed without recursion.
 */
import { syntaxError } from './diagnostics.js';

/** Kinds of tokens. */
export type TokenType =
  | 'text' | 'printOpen' | 'printClose' | 'tagOpen' | 'tagClose'
  | 'name' | 'number' | 'string' | 'punct' | 'eof';

/** A part of a double-quoted string: literal text or an interpolated `#{…}` expression source. */
export type StringPart = string | { source: string; pos: number };

/** A token; `pos` is its offset in the template. */
export interface Token {
  type: TokenType;
  value: string;
  pos: number;
  /** number tokens: written with a decimal point */
  float?: boolean;
  /** string tokens with `#{…}` interpolation */
  parts?: StringPart[];
}

const PUNCTUATION = ['???', '??', '..', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '~', '|',
  '(', ')', '[', ']', '{', '}', ',', ':', '.', '?', '='];
const RAW_OPEN = /\{%-?\s*(raw|verbatim)\s*-?%\}/y;
const RAW_CLOSE = { raw: /\{%(-?)\s*endraw\s*(-?)%\}/g, verbatim: /\{%(-?)\s*endverbatim\s*(-?)%\}/g };
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /[0-9]+(\.[0-9]+)?/y;
const WS = /\s/;

/** Lexes a whole template. */
export function lexTemplate(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNext = false;
  let textStart = 0;
  const pushText = (end: number, trimEnd: boolean): void => {
    let text = source.slice(textStart, end);
    // trimStart/trimEnd, not /\s+$/: a backtracking regex is quadratic on a long run of spaces
    if (trimNext) text = text.trimStart();
    if (trimEnd) text = text.trimEnd();
    if (text) tokens.push({ type: 'text', value: text, pos: textStart });
    trimNext = false;
  };
  while (i < source.length) {
    const open = source.indexOf('{', i);
    if (open < 0 || open + 1 >= source.length) break;
    const next = source[open + 1];
    if (next !== '{' && next !== '%' && next !== '#') {
      i = open + 1;
      continue;
    }
    const dash = source[open + 2] === '-';
    if (next === '%') {
      RAW_OPEN.lastIndex = open;
      const raw = RAW_OPEN.exec(source);
      if (raw) {
        i = lexRaw(source, open, raw, tokens, pushText, (t) => (trimNext = t));
        textStart = i;
        continue;
      }
    }
    pushText(open, dash);
    const start = open + (dash ? 3 : 2);
    if (next === '#') {
      const close = source.indexOf('#}', start);
      if (close < 0) throw syntaxError('Unclosed comment', source, open);
      trimNext = source[close - 1] === '-';
      i = close + 2;
    } else {
      tokens.push({ type: next === '{' ? 'printOpen' : 'tagOpen', value: next === '{' ? '{{' : '{%', pos: open });
      const res = lexExpression(source, start, next === '{' ? '}}' : '%}', tokens);
      trimNext = res.trim;
      i = res.end;
    }
    textStart = i;
  }
  pushText(source.length, false);
  tokens.push({ type: 'eof', value: '', pos: source.length });
  return tokens;
}

function lexRaw(
  source: string,
  open: number,
  raw: RegExpExecArray,
  tokens: Token[],
  pushText: (end: number, trimEnd: boolean) => void,
  setTrim: (t: boolean) => void,
): number {
  const kind = raw[1] === 'verbatim' ? 'verbatim' : 'raw';
  const closeRe = RAW_CLOSE[kind];
  closeRe.lastIndex = open + raw[0].length;
  const close = closeRe.exec(source);
  if (!close) throw syntaxError(`Unclosed {% ${kind} %} block`, source, open);
  pushText(open, raw[0][2] === '-');
  let inner = source.slice(open + raw[0].length, close.index);
  if (raw[0].endsWith('-%}')) inner = inner.trimStart();
  if (close[1] === '-') inner = inner.trimEnd();
  if (inner) tokens.push({ type: 'text', value: inner, pos: open });
  setTrim(close[2] === '-');
  return close.index + close[0].length;
}

/**
 * Lexes expression tokens from `start` up to the closing delimiter (`}}`, `%}`) at bracket depth 0,
 * or to the end of the source when `close` is null (sub-expressions of string interpolation).
 */
export function lexExpression(
  source: string,
  start: number,
  close: '}}' | '%}' | null,
  tokens: Token[],
  end = source.length,
): { end: number; trim: boolean } {
  let i = start;
  const open: number[] = [];
  while (i < end) {
    const depth = open.length;
    const c = source[i] as string;
    if (WS.test(c)) {
      i++;
      continue;
    }
    if (close && depth === 0) {
      if (c === '-' && source.startsWith(close, i + 1)) {
        tokens.push({ type: close === '}}' ? 'printClose' : 'tagClose', value: close, pos: i });
        return { end: i + 3, trim: true };
      }
      if (source.startsWith(close, i)) {
        tokens.push({ type: close === '}}' ? 'printClose' : 'tagClose', value: close, pos: i });
        return { end: i + 2, trim: false };
      }
    }
    if (c === '"' || c === "'") {
      i = lexString(source, i, end, tokens);
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(source);
    if (num && num.index === i) {
      tokens.push({ type: 'number', value: num[0], pos: i, float: num[1] !== undefined });
      i += num[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source);
    if (name && name.index === i) {
      tokens.push({ type: 'name', value: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const p = PUNCTUATION.find((op) => source.startsWith(op, i));
    if (!p) throw syntaxError(`Unexpected character '${c}'`, source, i);
    if (p === '(' || p === '[' || p === '{') open.push(i);
    else if (p === ')' || p === ']' || p === '}') open.pop();
    tokens.push({ type: 'punct', value: p, pos: i });
    i += p.length;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) throw syntaxError(`Unclosed '${source[unclosed] ?? ''}'`, source, unclosed);
  if (close) throw syntaxError(`Unclosed '${close === '}}' ? '{{' : '{%'}': expected '${close}'`, source, start);
  return { end: i, trim: false };
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"', '#': '#' };

/** Lexes a quoted string at `start`; double-quoted strings may hold `#{expr}` parts. */
function lexString(source: string, start: number, end: number, tokens: Token[]): number {
  const quote = source[start];
  const parts: StringPart[] = [];
  let text = '';
  let i = start + 1;
  while (i < end) {
    const c = source[i] as string;
    if (c === quote) {
      if (text || parts.length === 0) parts.push(text);
      const interpolated = parts.some((p) => typeof p !== 'string');
      tokens.push(interpolated
        ? { type: 'string', value: '', pos: start, parts }
        : { type: 'string', value: parts.join(''), pos: start });
      return i + 1;
    }
    if (c === '\\' && i + 1 < end) {
      const e = source[i + 1] as string;
      text += ESCAPES[e] ?? `\\${e}`;
      i += 2;
      continue;
    }
    if (quote === '"' && c === '#' && source[i + 1] === '{') {
      const close = findInterpolationEnd(source, i + 2, end);
      if (text) parts.push(text);
      text = '';
      parts.push({ source: source.slice(i + 2, close), pos: i + 2 });
      i = close + 1;
      continue;
    }
    text += c;
    i++;
  }
  throw syntaxError('Unclosed string literal', source, start);
}

/** The offset of the `}` closing a `#{` that starts at `from`, skipping nested braces and strings. */
function findInterpolationEnd(source: string, from: number, end: number): number {
  let depth = 0;
  let i = from;
  while (i < end) {
    const c = source[i];
    if (c === '"' || c === "'") {
      i++;
      while (i < end && source[i] !== c) i += source[i] === '\\' ? 2 : 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  throw syntaxError('Unclosed #{ interpolation', source, from);
}

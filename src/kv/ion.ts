/**
 * The Ion text the API's `PUT …/kv/{key}` reads (Kestra parses the body with its Ion mapper, a
 * JSON superset): JSON, plus unquoted field names and symbols (read as strings), `'quoted'`
 * symbols, s-expressions (lists), annotations (dropped), comments, typed nulls, and timestamps —
 * a top-level `2021-09-01` is a DATE, `2021-09-01T01:02:03Z` a DATETIME (kestra-api.md §6). The
 * storage tasks read an ION file's rows with it, one line at a time (`parseIonRow`), and log.Fetch
 * writes rows with {@link ionText}, as Kestra's `FileSerde` does (kestra-plugins.md §2.6).
 * @module
 */
import { TroupeError } from '../errors.js';
import type { KvPut } from './types.js';
import { instantText, parseInstant } from './values.js';

/** Nesting deeper than this is refused (Jackson's default limit), so parsing never overflows the stack. */
const MAX_DEPTH = 1000;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const NUMBER = /^-?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eEdD][+-]?\d+)?$/;
const SYMBOL_START = /[A-Za-z_$]/;
const SYMBOL_CHAR = /[A-Za-z0-9_$]/;
/** Characters that may make up a number or a timestamp token. */
const TOKEN_CHAR = /[0-9A-Za-z_.:+-]/;

class IonParser {
  #pos = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  fail(): never {
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid JSON value for: ${this.#text}`);
  }

  skip(): void {
    const t = this.#text;
    for (;;) {
      while (this.#pos < t.length && /\s/.test(t[this.#pos]!)) this.#pos++;
      if (t.startsWith('//', this.#pos)) {
        const end = t.indexOf('\n', this.#pos);
        this.#pos = end < 0 ? t.length : end + 1;
      } else if (t.startsWith('/*', this.#pos)) {
        const end = t.indexOf('*/', this.#pos + 2);
        if (end < 0) this.fail();
        this.#pos = end + 2;
      } else return;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.#pos >= this.#text.length;
  }

  /** One value; `top` marks the body's own value (where a timestamp keeps its date type). */
  value(depth: number, top = false): KvPut {
    if (depth > MAX_DEPTH) this.fail();
    this.skip();
    const t = this.#text;
    const c = t[this.#pos];
    if (c === undefined) this.fail();
    if (c === '{') return { value: this.struct(depth) };
    if (c === '[') return { value: this.sequence(depth, ']') };
    if (c === '(') return { value: this.sequence(depth, ')') };
    if (c === '"') return { value: this.string('"') };
    if (c === "'") {
      const s = this.string("'");
      return this.annotated(s, depth, top) ?? { value: s };
    }
    if (SYMBOL_START.test(c)) {
      const start = this.#pos;
      while (this.#pos < t.length && SYMBOL_CHAR.test(t[this.#pos]!)) this.#pos++;
      const word = t.slice(start, this.#pos);
      if (word === 'null' && t[this.#pos] === '.') {
        this.#pos++;
        while (this.#pos < t.length && SYMBOL_CHAR.test(t[this.#pos]!)) this.#pos++;
        return { value: null };
      }
      const annotated = this.annotated(word, depth, top);
      if (annotated) return annotated;
      if (word === 'null') return { value: null };
      if (word === 'true') return { value: true };
      if (word === 'false') return { value: false };
      return { value: word };
    }
    if (/[0-9+-]/.test(c)) return this.numberOrTimestamp(top);
    return this.fail();
  }

  /** `name::value`: the annotation is dropped. */
  annotated(_name: string, depth: number, top: boolean): KvPut | undefined {
    if (!this.#text.startsWith('::', this.#pos)) return undefined;
    this.#pos += 2;
    return this.value(depth + 1, top);
  }

  numberOrTimestamp(top: boolean): KvPut {
    const t = this.#text;
    const start = this.#pos;
    while (this.#pos < t.length && TOKEN_CHAR.test(t[this.#pos]!)) this.#pos++;
    const token = t.slice(start, this.#pos);
    if (DATE.test(token)) {
      if (Number.isNaN(Date.parse(`${token}T00:00:00Z`))) this.fail();
      return top ? { value: token, dateType: 'DATE' } : { value: token };
    }
    if (TIMESTAMP.test(token)) {
      const text = instantText(parseInstant(token));
      return top ? { value: text, dateType: 'DATETIME' } : { value: text };
    }
    if (!NUMBER.test(token) || token.endsWith('_')) this.fail();
    const n = Number(token.replaceAll('_', '').replace(/[dD]/, 'e'));
    if (!Number.isFinite(n)) this.fail();
    return { value: n };
  }

  string(quote: string): string {
    const t = this.#text;
    if (t.startsWith("'''", this.#pos)) return this.longStrings();
    this.#pos++;
    let out = '';
    for (;;) {
      const c = t[this.#pos++];
      if (c === undefined || c === '\n') this.fail();
      if (c === quote) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = t[this.#pos++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', v: '\v', a: '\x07', '"': '"', "'": "'", '\\': '\\', '/': '/', '?': '?' };
      if (e !== undefined && simple[e] !== undefined) out += simple[e];
      else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = t.slice(this.#pos, this.#pos + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) this.fail();
        this.#pos += len;
        out += String.fromCodePoint(parseInt(hex, 16));
      } else if (e === '\n') continue;
      else this.fail();
    }
  }

  /** `'''a''' '''b'''`: adjacent long strings concatenate. */
  longStrings(): string {
    const t = this.#text;
    let out = '';
    while (t.startsWith("'''", this.#pos)) {
      const end = t.indexOf("'''", this.#pos + 3);
      if (end < 0) this.fail();
      out += t.slice(this.#pos + 3, end);
      this.#pos = end + 3;
      this.skip();
    }
    return out;
  }

  struct(depth: number): Record<string, unknown> {
    const t = this.#text;
    this.#pos++;
    const out: Record<string, unknown> = {};
    this.skip();
    if (t[this.#pos] === '}') {
      this.#pos++;
      return out;
    }
    for (;;) {
      this.skip();
      const c = t[this.#pos];
      let name: string;
      if (c === '"' || c === "'") name = this.string(c);
      else if (c !== undefined && SYMBOL_START.test(c)) {
        const start = this.#pos;
        while (this.#pos < t.length && SYMBOL_CHAR.test(t[this.#pos]!)) this.#pos++;
        name = t.slice(start, this.#pos);
      } else return this.fail();
      this.skip();
      if (t[this.#pos] !== ':' || t[this.#pos + 1] === ':') this.fail();
      this.#pos++;
      const v = this.value(depth + 1).value;
      // A field named __proto__ is data, never the prototype (defineProperty only then: it is slow).
      if (name === '__proto__') Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
      else out[name] = v;
      this.skip();
      const sep = t[this.#pos++];
      if (sep === '}') return out;
      if (sep !== ',') this.fail();
    }
  }

  sequence(depth: number, close: string): unknown[] {
    const t = this.#text;
    this.#pos++;
    const out: unknown[] = [];
    this.skip();
    if (t[this.#pos] === close) {
      this.#pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1).value);
      this.skip();
      const sep = t[this.#pos];
      if (sep === close) {
        this.#pos++;
        return out;
      }
      if (close === ']' && sep !== ',') this.fail();
      if (sep === ',') this.#pos++;
    }
  }
}

/**
 * Reads one Ion text value (the body of `PUT …/kv/{key}`).
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT `Invalid JSON value for: <body>` when it is not one value
 */
export function parseIonValue(text: string): KvPut {
  const parser = new IonParser(text);
  if (parser.atEnd()) parser.fail();
  const out = parser.value(0, true);
  if (!parser.atEnd()) parser.fail();
  return out;
}

/**
 * One row of an ION file (a line of Kestra's `FileSerde` output) as a plain value: timestamps read
 * as instant text, annotations dropped.
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT when the line is not one Ion value
 */
export function parseIonRow(line: string): unknown {
  const parser = new IonParser(line);
  if (parser.atEnd()) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid ION row: '${line.length > 200 ? `${line.slice(0, 200)}…` : line}'`);
  try {
    const out = parser.value(0);
    if (parser.atEnd()) return out.value;
  } catch {
    // reported below, with the row
  }
  throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid ION row: '${line.length > 200 ? `${line.slice(0, 200)}…` : line}'`);
}

/** A value {@link ionText} writes as an Ion timestamp (`2024-01-01T00:00:00.000Z`), not a string. */
export class IonTimestamp {
  constructor(readonly iso: string) {}
}

const SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(['null', 'true', 'false', 'nan']);

function quoted(text: string, quote: '"' | "'"): string {
  let out = quote;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? '+inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n);
  // A double is an Ion float: an exponent is what tells it from a decimal (Jackson writes `1.5e0`).
  const text = String(n);
  return text.includes('e') ? text.replace('e+', 'e') : `${text}e0`;
}

/** How deep {@link ionText} nests before it refuses (a value is user data: no stack overflow). */
const MAX_ION_DEPTH = 1000;

/**
 * The Ion text of a plain value, on one line, as Jackson's Ion mapper writes it: structs with
 * symbol field names (quoted when not identifiers), strings double-quoted, integers as they are,
 * other numbers as floats, {@link IonTimestamp}s as timestamps, null and undefined as `null`.
 * @throws Error past {@link MAX_ION_DEPTH} levels of nesting
 */
export function ionText(value: unknown, depth = 0): string {
  if (depth > MAX_ION_DEPTH) throw new Error('the value is nested too deeply to be written as Ion');
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quoted(value, '"');
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof IonTimestamp) return value.iso;
  if (Array.isArray(value)) return `[${value.map((v) => ionText(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${SYMBOL.test(k) && !KEYWORDS.has(k) ? k : quoted(k, "'")}:${ionText(v, depth + 1)}`);
    return `{${fields.join(',')}}`;
  }
  return quoted(String(value), '"');
}

/** A row as Kestra's `FileSerde.write` writes it: the value's Ion text, then a newline. */
export function ionRow(value: unknown): string {
  return `${ionText(value)}\n`;
}

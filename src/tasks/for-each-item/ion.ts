/**
 * Ion text, one value per line, as Kestra's `FileSerde.write` writes a row (Jackson's Ion
 * mapper): `{a:"x",b:1,c:[true,null],d:1.5e0}`. ForEachItem writes each subflow's outputs this
 * way. Pure.
 * @module
 */

const SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Identifiers Ion reads as keywords: quoted when they are field names. */
const KEYWORDS = new Set(['null', 'true', 'false', 'nan']);

function escape(text: string, quote: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

function fieldName(name: string): string {
  return SYMBOL.test(name) && !KEYWORDS.has(name) ? name : `'${escape(name, "'")}'`;
}

function number(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? '+inf' : '-inf';
  const s = String(n);
  return s.includes('e') ? s : `${s}e0`;
}

/** One value as Ion text. */
export function ionText(value: unknown, depth = 0): string {
  if (depth > 1000) throw new Error('the value is nested too deeply to be written as Ion');
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `"${escape(value, '"')}"`;
  if (typeof value === 'number') return number(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => ionText(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${fieldName(k)}:${ionText(v, depth + 1)}`).join(',')}}`;
  }
  return `"${escape(String(value), '"')}"`;
}

/** A row as `FileSerde.write` writes it: the value, then a newline. */
export function ionRow(value: unknown): string {
  return `${ionText(value)}\n`;
}

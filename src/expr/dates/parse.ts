/**
 * Reading the inputs of the date filters: epoch seconds, ISO strings (with or without offset,
 * zone id, time or fraction), Dates, or strings in a given Java pattern (`existingFormat`).
 */
import { ExpressionError } from '../../errors.js';
import { re2 } from '../regex.js';
import { isNumber, num, typeName } from '../values.js';
import { checkZone, fromLocal, type Instant } from './zone.js';

const ISO = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?(?:\[([^\]]+)\])?$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?$/;

function bad(input: unknown): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_EVALUATION', `Unable to parse '${String(input)}' as a date`);
}

/** Parses an ISO-8601 date, date-time or offset date-time; a missing offset means `zone`. */
function parseIso(s: string, zone: string): Instant | undefined {
  const m = ISO.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, off, zid] = m;
  const fields = {
    year: Number(y), month: Number(mo), day: Number(d),
    // Kestra reads a bare LocalDate as noon of that day
    hour: h === undefined ? 12 : Number(h), minute: Number(mi ?? 0), second: Number(sec ?? 0),
    nano: frac ? Number(frac.padEnd(9, '0')) : 0,
  };
  if (fields.month < 1 || fields.month > 12 || fields.day < 1 || fields.day > 31 || fields.hour > 23 || fields.minute > 59 || fields.second > 59) {
    return undefined;
  }
  const z = off ? (off === 'Z' ? 'UTC' : off) : zid ? checkZone(zid) : zone;
  return fromLocal(fields, z);
}

/** Builds a regex from a Java pattern of numeric fields (`dd/MM/yyyy HH:mm`) and parses with it. */
function parseWithPattern(s: string, pattern: string, zone: string): Instant | undefined {
  const names: string[] = [];
  let re = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      re += escape(pattern.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? pattern.length : end + 1;
    } else if (/[yMdHhmsSaX]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      names.push(c);
      re += c === 'a' ? '(AM|PM)' : c === 'X' ? '(Z|[+-]\\d{2}:?\\d{2}|[+-]\\d{2})' : c === 'S' ? `(\\d{${j - i}})` : `(\\d{${j - i === 1 ? '1,4' : `${j - i},${Math.max(j - i, 4)}`}})`;
      i = j;
    } else {
      re += escape(c);
      i++;
    }
  }
  // The pattern comes from the template: run it with the linear-time engine.
  const m = re2(`^${re}$`).exec(s.trim()) as Array<string | undefined> | null;
  if (!m) return undefined;
  const v: Record<string, string> = {};
  names.forEach((n, k) => (v[n] = m[k + 1] ?? ''));
  let hour = Number(v['H'] ?? v['h'] ?? 0);
  if (v['a'] === 'PM' && hour < 12) hour += 12;
  if (v['a'] === 'AM' && hour === 12) hour = 0;
  const offsetText = v['X'];
  const fields = {
    year: Number(v['y'] ?? 1970), month: Number(v['M'] ?? 1), day: Number(v['d'] ?? 1), hour,
    minute: Number(v['m'] ?? 0), second: Number(v['s'] ?? 0), nano: v['S'] ? Number(v['S'].padEnd(9, '0')) : 0,
  };
  return fromLocal(fields, offsetText ? (offsetText === 'Z' ? 'UTC' : offsetText) : zone);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Reads a date filter input: number = epoch seconds, string = ISO (or `existingFormat`),
 * Date = its instant. Null stays null (the filter then returns null).
 */
export function toInstant(input: unknown, zone: string, existingFormat?: string): Instant | null {
  if (input === null || input === undefined) return null;
  if (isNumber(input)) {
    const n = num(input);
    const sec = Math.floor(n);
    return { sec, nano: Math.round((n - sec) * 1e9) };
  }
  if (input instanceof Date) {
    const ms = input.getTime();
    if (Number.isNaN(ms)) throw bad(input);
    return { sec: Math.floor(ms / 1000), nano: (((ms % 1000) + 1000) % 1000) * 1e6 };
  }
  if (typeof input !== 'string') throw new ExpressionError('TROUPE_EXPR_TYPE', `A date filter needs a date string or epoch seconds, got ${typeName(input)}`);
  const parsed = existingFormat ? parseWithPattern(input, existingFormat, zone) : parseIso(input, zone) ?? parseTimeOnly(input, zone);
  if (!parsed) throw bad(input);
  return parsed;
}

function parseTimeOnly(s: string, zone: string): Instant | undefined {
  const m = TIME.exec(s.trim());
  if (!m) return undefined;
  return fromLocal({ year: 1970, month: 1, day: 1, hour: Number(m[1]), minute: Number(m[2]), second: Number(m[3] ?? 0), nano: m[4] ? Number(m[4].padEnd(9, '0')) : 0 }, zone);
}

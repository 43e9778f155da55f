/**
 * Date and time inputs: DATETIME, DATE, TIME, DURATION (§6.1), parsed with java.time's ISO
 * grammars, bounded by `after`/`before` (`min`/`max` for DURATION), stored as JSON strings.
 */
import type { FlowInput } from '../model/index.js';
import { inputType, kindOf, type InputType } from './input-type.js';
import { InputReason, javaString } from './messages.js';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)$/i;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const JAVA_DURATION = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i;
const NANOS = 1_000_000_000;

/** Epoch milliseconds of a UTC calendar time; NaN when a field is out of range. */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return Number.NaN;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getUTCDate() === d ? date.getTime() : Number.NaN;
}

function cannotParse(text: string, what: string): Error {
  return new Error(`Text '${text}' could not be parsed as ${what}`);
}

/** An instant (epoch ms) from an ISO instant string (`Z` or an offset) or a Date. */
function parseInstant(value: unknown): number {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value !== 'string') throw new Error(`cannot use ${kindOf(value)} as a DATETIME`);
  const m = INSTANT.exec(value);
  const n = m ? m.slice(1, 7).map(Number) : [];
  let ms = m ? utcMs(n[0]!, n[1]!, n[2]!, n[3]!, n[4]!, n[5]!) : Number.NaN;
  if (Number.isNaN(ms) || !m) throw cannotParse(value, 'an instant, e.g. 2019-10-06T18:27:49Z');
  ms += Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = m[8]!.toUpperCase();
  if (offset !== 'Z') {
    const [hh = 0, mm = 0, ss = 0] = offset.slice(1).split(':').map(Number);
    if (hh > 18 || mm > 59 || ss > 59) throw cannotParse(value, 'an instant, e.g. 2019-10-06T18:27:49Z');
    ms -= (offset.startsWith('-') ? -1 : 1) * ((hh * 60 + mm) * 60 + ss) * 1000;
  }
  return ms;
}

/** Java's `Instant.toString`: milliseconds only when not zero. */
function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** DATETIME: stored as `yyyy-MM-ddTHH:mm:ss.SSSZ` (UTC, milliseconds). */
export const DATETIME: InputType = inputType<number>({
  parse: parseInstant,
  validate: (value, input) => checkBounds(value, input, parseInstant, formatInstant),
  store: (value) => new Date(value).toISOString(),
});

/** A `yyyy-MM-dd` date from its string or a Date (its UTC day). */
function parseDate(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') throw new Error(`cannot use ${kindOf(value)} as a DATE`);
  const m = LOCAL_DATE.exec(value);
  if (!m || Number.isNaN(utcMs(Number(m[1]), Number(m[2]), Number(m[3])))) throw cannotParse(value, 'a date, e.g. 2019-10-06');
  return value;
}

/** DATE: stored as `yyyy-MM-dd`. */
export const DATE: InputType = inputType<string>({
  parse: parseDate,
  validate: (value, input) => checkBounds(value, input, parseDate, (d) => d),
  store: (value) => value,
});

/** Nanoseconds of the day from `HH:mm[:ss[.fffffffff]]`. */
function parseTime(value: unknown): number {
  if (typeof value !== 'string') throw new Error(`cannot use ${kindOf(value)} as a TIME`);
  const m = LOCAL_TIME.exec(value);
  const [h, mi, s] = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [99, 0, 0];
  if (!m || h > 23 || mi > 59 || s > 59) throw cannotParse(value, 'a time, e.g. 18:27:49');
  return ((h * 60 + mi) * 60 + s) * NANOS + Number((m[4] ?? '').padEnd(9, '0'));
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** `HH:mm:ss` and the fraction, if any, with trailing zeros removed (`ISO_LOCAL_TIME`). */
function storeTime(nanosOfDay: number): string {
  const secs = Math.floor(nanosOfDay / NANOS);
  const nanos = nanosOfDay % NANOS;
  const base = `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}`;
  return nanos === 0 ? base : `${base}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
}

/** Java's `LocalTime.toString`: `HH:mm` when seconds and nanos are zero, fraction in 3-digit groups. */
function formatTime(nanosOfDay: number): string {
  const secs = Math.floor(nanosOfDay / NANOS);
  const nanos = nanosOfDay % NANOS;
  const hm = `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}`;
  if (secs % 60 === 0 && nanos === 0) return hm;
  const digits = String(nanos).padStart(9, '0');
  const fraction = nanos === 0 ? '' : nanos % 1_000_000 === 0 ? digits.slice(0, 3) : nanos % 1000 === 0 ? digits.slice(0, 6) : digits;
  return `${hm}:${two(secs % 60)}${fraction ? `.${fraction}` : ''}`;
}

/** TIME: stored as `HH:mm:ss` (and `.fff` when given). */
export const TIME: InputType = inputType<number>({
  parse: parseTime,
  validate: (value, input) => checkBounds(value, input, parseTime, formatTime),
  store: storeTime,
});

/** A duration as whole seconds and nanoseconds in [0, 1e9), like java.time.Duration. */
interface Duration {
  seconds: number;
  nanos: number;
}

function normalise(seconds: number, nanos: number): Duration {
  const carry = Math.floor(nanos / NANOS);
  const d = { seconds: seconds + carry, nanos: nanos - carry * NANOS };
  if (!Number.isSafeInteger(d.seconds)) throw new Error('Text cannot be parsed to a Duration: too large');
  return d;
}

/**
 * `Duration.parse` (days, hours, minutes, seconds with a fraction; each may be signed), or a
 * number of seconds (Kestra's own JSON form of a duration).
 */
function parseJavaDuration(value: unknown): Duration {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const seconds = Math.floor(value);
    return normalise(seconds, Math.round((value - seconds) * NANOS));
  }
  if (typeof value !== 'string') throw new Error(`cannot use ${kindOf(value)} as a DURATION`);
  const m = JAVA_DURATION.exec(value);
  if (!m || m[3] === 'T' || m[3] === 't' || (m[2] === undefined && m[3] === undefined)) throw new Error('Text cannot be parsed to a Duration');
  const [days, hours, minutes, secs] = [m[2], m[4], m[5], m[6]].map((x) => Number(x ?? 0)) as [number, number, number, number];
  const fraction = Number((m[7] ?? '').padEnd(9, '0'));
  const nanos = m[6]?.startsWith('-') ? -fraction : fraction;
  const sign = m[1] === '-' ? -1 : 1;
  return normalise(sign * (((days * 24 + hours) * 60 + minutes) * 60 + secs), sign * nanos);
}

/** Java's `Duration.toString`: `PT0S`, `PT5M6S`, `PT24H`, `PT-0.5S`. */
function formatJavaDuration(d: Duration): string {
  if (d.seconds === 0 && d.nanos === 0) return 'PT0S';
  const total = d.seconds < 0 && d.nanos > 0 ? d.seconds + 1 : d.seconds;
  const hours = Math.trunc(total / 3600);
  const minutes = Math.trunc((total % 3600) / 60);
  const secs = Math.trunc(total % 60);
  let out = 'PT';
  if (hours !== 0) out += `${hours}H`;
  if (minutes !== 0) out += `${minutes}M`;
  if (secs === 0 && d.nanos === 0 && out.length > 2) return out;
  out += d.seconds < 0 && d.nanos > 0 && secs === 0 ? '-0' : String(secs);
  if (d.nanos > 0) {
    const digits = String(d.seconds < 0 ? 2 * NANOS - d.nanos : d.nanos + NANOS).slice(1).replace(/0+$/, '');
    out += `.${digits}`;
  }
  return `${out}S`;
}

function compareDurations(a: Duration, b: Duration): number {
  return a.seconds !== b.seconds ? a.seconds - b.seconds : a.nanos - b.nanos;
}

/**
 * DURATION: stored as the normalised ISO 8601 string Java prints (`PT5M6S`; `P1D` → `PT24H`).
 * Kestra's execution JSON holds decimal seconds (`306.0`), an artefact of Jackson's default
 * serializer; Troupe keeps the ISO form because it is what the flow author wrote and reads the
 * same in templates, and Troupe's Duration properties (model/duration.ts) accept both forms, so
 * `delay: "{{ inputs.delay }}"` works either way. Only `{{ inputs.d }}` renders differently.
 */
export const DURATION: InputType = inputType<Duration>({
  parse: parseJavaDuration,
  validate: (value, input) => {
    const min = input.props['min'] == null ? undefined : parseJavaDuration(input.props['min']);
    const max = input.props['max'] == null ? undefined : parseJavaDuration(input.props['max']);
    if (min && compareDurations(value, min) < 0) throw new InputReason(`It must be more than \`${formatJavaDuration(min)}\``);
    if (max && compareDurations(value, max) > 0) throw new InputReason(`It must be less than \`${formatJavaDuration(max)}\``);
  },
  store: formatJavaDuration,
});

/** `after` / `before`, exclusive of equality as in java.time's isBefore/isAfter. */
function checkBounds<T extends number | string>(value: T, input: FlowInput, parse: (v: unknown) => T, print: (v: T) => string): void {
  const after = input.props['after'] == null ? undefined : parseBound(input.props['after'], 'after', parse);
  const before = input.props['before'] == null ? undefined : parseBound(input.props['before'], 'before', parse);
  if (after !== undefined && value < after) throw new InputReason(`it must be after \`${print(after)}\``);
  if (before !== undefined && value > before) throw new InputReason(`it must be before \`${print(before)}\``);
}

function parseBound<T>(raw: unknown, key: string, parse: (v: unknown) => T): T {
  try {
    return parse(raw);
  } catch (err) {
    throw new Error(`the \`${key}\` bound \`${javaString(raw)}\` is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
}

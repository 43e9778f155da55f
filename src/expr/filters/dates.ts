/**
 * Date filters: date, dateAdd, timestamp, timestampMilli, timestampMicro, timestampNano.
 * Inputs: epoch seconds, ISO strings, or `existingFormat` patterns; zone default UTC.
 */
import { ExpressionError } from '../../errors.js';
import { arg, type FilterFn } from '../context.js';
import { formatDate } from '../dates/java-format.js';
import { toInstant } from '../dates/parse.js';
import { DEFAULT_ZONE, checkZone, fromLocal, toLocal, type Instant } from '../dates/zone.js';
import { isNumber, num, typeName } from '../values.js';

function optString(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  throw new ExpressionError('TROUPE_EXPR_TYPE', `${what} must be a string, got ${typeName(v)}`);
}

function zoneArg(v: unknown): string {
  const z = optString(v, 'timeZone');
  return z === undefined ? DEFAULT_ZONE : checkZone(z);
}

const EXACT_UNITS: Record<string, number> = {
  NANOS: 1, MICROS: 1e3, MILLIS: 1e6, SECONDS: 1e9, MINUTES: 60e9, HOURS: 3600e9, HALF_DAYS: 43_200e9,
};
const CALENDAR_UNITS: Record<string, [days: number, months: number]> = {
  DAYS: [1, 0], WEEKS: [7, 0], MONTHS: [0, 1], YEARS: [0, 12], DECADES: [0, 120], CENTURIES: [0, 1200], MILLENNIA: [0, 12_000],
};

/** Adds `amount` ChronoUnits to an instant; calendar units move the wall clock in `zone`. */
export function addUnits(instant: Instant, amount: number, unit: string, zone: string): Instant {
  const u = unit.toUpperCase();
  if (Object.hasOwn(EXACT_UNITS, u)) {
    const totalNanos = BigInt(instant.sec) * 1_000_000_000n + BigInt(instant.nano) + BigInt(amount) * BigInt(EXACT_UNITS[u]!);
    const sec = totalNanos / 1_000_000_000n - (totalNanos % 1_000_000_000n < 0n ? 1n : 0n);
    return { sec: Number(sec), nano: Number(totalNanos - sec * 1_000_000_000n) };
  }
  const cal = Object.hasOwn(CALENDAR_UNITS, u) ? CALENDAR_UNITS[u] : undefined;
  if (!cal) throw new ExpressionError('TROUPE_EXPR_EVALUATION', `Unknown time unit '${unit}' (use e.g. SECONDS, MINUTES, HOURS, DAYS, WEEKS, MONTHS, YEARS)`);
  const f = toLocal(instant, zone);
  const months = f.year * 12 + (f.month - 1) + cal[1] * amount;
  const year = Math.floor(months / 12);
  const month = months - year * 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const base = Date.UTC(year, month - 1, Math.min(f.day, lastDay)) + cal[0] * amount * 86_400_000;
  const d = new Date(base);
  return fromLocal({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: f.hour, minute: f.minute, second: f.second, nano: f.nano }, zone);
}

function epoch(scale: number): FilterFn {
  return (input, a, n) => {
    const instant = toInstant(input, zoneArg(arg(a, n, 0, 'timeZone')), optString(arg(a, n, 1, 'existingFormat'), 'existingFormat'));
    if (!instant) return null;
    if (scale === 1) return instant.sec;
    const big = BigInt(instant.sec) * BigInt(scale) + BigInt(Math.floor(instant.nano / (1e9 / scale)));
    // beyond 2^53 a JS number would lose digits: keep the exact value (prints like Java's Long)
    return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
  };
}

/** Date filters by name. */
export const DATE_FILTERS: Array<[string, FilterFn]> = [
  ['date', (input, a, n) => {
    const zone = zoneArg(arg(a, n, 1, 'timeZone'));
    const instant = toInstant(input, zone, optString(arg(a, n, 2, 'existingFormat'), 'existingFormat'));
    return instant ? formatDate(instant, optString(arg(a, n, 0, 'format'), 'format') ?? 'iso', zone) : null;
  }],
  ['dateAdd', (input, a, n) => {
    const amount = arg(a, n, 0, 'amount');
    const unit = optString(arg(a, n, 1, 'unit'), 'unit');
    if (!isNumber(amount) || !Number.isInteger(num(amount)) || unit === undefined) {
      throw new ExpressionError('TROUPE_EXPR_TYPE', 'dateAdd needs an integer amount and a unit, e.g. dateAdd(-1, "DAYS")');
    }
    const zone = zoneArg(arg(a, n, 3, 'timeZone'));
    const instant = toInstant(input, zone, optString(arg(a, n, 4, 'existingFormat'), 'existingFormat'));
    if (!instant) return null;
    return formatDate(addUnits(instant, num(amount), unit, zone), optString(arg(a, n, 2, 'format'), 'format') ?? 'iso', zone);
  }],
  ['timestamp', epoch(1)],
  ['timestampMilli', epoch(1e3)],
  ['timestampMicro', epoch(1e6)],
  ['timestampNano', epoch(1e9)],
];

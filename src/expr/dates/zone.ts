/**
 * Instants and time zones without node:* or the host's zone: an {@link Instant} is epoch seconds
 * plus nanoseconds; zone offsets come from Intl.DateTimeFormat (IANA ids) or fixed offsets.
 */
import { ExpressionError } from '../../errors.js';

/** A point in time with nanosecond precision. */
export interface Instant {
  /** epoch seconds (integer) */
  sec: number;
  /** nanoseconds within the second, 0..999_999_999 */
  nano: number;
}

/** Wall-clock fields of an instant in a zone. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nano: number;
  /** ISO day of week, Monday = 1 … Sunday = 7 */
  dayOfWeek: number;
  offsetSec: number;
  zone: string;
}

/** The zone used when a template names none (the reference uses the JVM's; ours is UTC). */
export const DEFAULT_ZONE = 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();
const OFFSET = /^(?:Z|(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)$/;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
      });
    } catch {
      throw new ExpressionError('TROUPE_EXPR_EVALUATION', `Unknown time zone '${zone}'`);
    }
    if (formatters.size > 200) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** A fixed offset in seconds if `zone` is written as one (`+02:00`, `Z`, `UTC+1`), else undefined. */
function fixedOffset(zone: string): number | undefined {
  if (zone === 'UTC' || zone === 'GMT' || zone === 'Z' || zone === 'Etc/UTC') return 0;
  const m = OFFSET.exec(zone);
  if (!m) return undefined;
  if (!m[1]) return 0;
  const total = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -total : total;
}

/** Checks a zone id, throwing a clear error for unknown ones. */
export function checkZone(zone: string): string {
  if (fixedOffset(zone) === undefined) formatter(zone);
  return zone;
}

/** The offset of `zone` from UTC at epoch second `sec`, in seconds. */
export function offsetAt(sec: number, zone: string): number {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return fixed;
  const parts = formatter(zone).formatToParts(new Date(sec * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) / 1000;
  return local - Math.floor(sec);
}

/** Days since the epoch → [year, month, day] (proleptic Gregorian). */
function civil(days: number): [number, number, number] {
  const d = new Date(days * 86_400_000);
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
}

/** The wall-clock fields of `instant` in `zone`. */
export function toLocal(instant: Instant, zone: string): LocalFields {
  const offsetSec = offsetAt(instant.sec, zone);
  const local = instant.sec + offsetSec;
  const days = Math.floor(local / 86_400);
  const secOfDay = local - days * 86_400;
  const [year, month, day] = civil(days);
  return {
    year, month, day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    nano: instant.nano,
    dayOfWeek: ((((days + 3) % 7) + 7) % 7) + 1,
    offsetSec,
    zone,
  };
}

/** The instant of wall-clock fields in `zone` (the earlier one in a DST overlap, shifted in a gap). */
export function fromLocal(f: Omit<LocalFields, 'dayOfWeek' | 'offsetSec' | 'zone'>, zone: string): Instant {
  const local = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) / 1000;
  let sec = local - offsetAt(local, zone);
  sec = local - offsetAt(sec, zone);
  return { sec, nano: f.nano };
}

/** Short or long zone name (`CEST`, `Central European Summer Time`) as en-US Intl spells it. */
export function zoneName(instant: Instant, zone: string, style: 'short' | 'long'): string {
  const fixed = fixedOffset(zone);
  if (fixed === 0 && zone !== 'Z') return style === 'short' ? 'UTC' : 'Coordinated Universal Time';
  try {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: fixed === undefined ? zone : 'UTC', timeZoneName: style });
    return f.formatToParts(new Date(instant.sec * 1000)).find((p) => p.type === 'timeZoneName')?.value ?? zone;
  } catch {
    return zone;
  }
}

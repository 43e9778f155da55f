/**
 * Time zones without a date library: the UTC offset of a zone at an instant (from Intl), the
 * instants a wall-clock time names in a zone (none in a spring-forward gap, two in an autumn
 * overlap), and Kestra's ZonedDateTime strings (`2022-04-01T09:12:00-04:00`, `…Z` at offset 0).
 * Pure: no clock, every instant comes in as an argument.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is a time zone this runtime knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The offset of `zone` at a whole second, from Intl (a few tens of µs: cached by {@link offsetAt}). */
function exactOffset(whole: number, zone: string): number {
  const parts = formatter(zone).formatToParts(new Date(whole));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - whole;
}

const HOUR_MS = 3_600_000;
/** Hours cached per zone before the cache starts over. */
const MAX_CACHED_HOURS = 4096;

/** What is known of a zone's offsets: constant (UTC, Etc/GMT±N), or per hour. */
interface ZoneOffsets {
  fixed?: number;
  /** Hour index (epoch ms ÷ 1 h) → the offset throughout that hour, or NaN when it changes within it. */
  hours: Map<number, number>;
}

const zoneOffsets = new Map<string, ZoneOffsets>();

function offsetsOf(zone: string): ZoneOffsets {
  let z = zoneOffsets.get(zone);
  if (!z) {
    z = { hours: new Map() };
    const resolved = formatter(zone).resolvedOptions().timeZone;
    const etc = /^Etc\/GMT([+-])(\d{1,2})$/.exec(resolved);
    if (resolved === 'UTC') z.fixed = 0;
    // POSIX signs: Etc/GMT+5 is five hours behind UTC.
    else if (etc) z.fixed = (etc[1] === '+' ? -1 : 1) * Number(etc[2]) * HOUR_MS;
    zoneOffsets.set(zone, z);
  }
  return z;
}

/**
 * The offset of `zone` from UTC at the instant `ms`, in milliseconds (east positive). An hour
 * whose start and end have the same offset is taken to keep it throughout (no zone changes its
 * offset twice within an hour), so each hour costs two Intl calls once, then a lookup.
 */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const z = offsetsOf(zone);
  if (z.fixed !== undefined) return z.fixed;
  const hour = Math.floor(whole / HOUR_MS);
  let known = z.hours.get(hour);
  if (known === undefined) {
    const start = exactOffset(hour * HOUR_MS, zone);
    known = start === exactOffset((hour + 1) * HOUR_MS, zone) ? start : Number.NaN;
    if (z.hours.size >= MAX_CACHED_HOURS) z.hours.clear();
    z.hours.set(hour, known);
  }
  return Number.isNaN(known) ? exactOffset(whole, zone) : known;
}

const DAY_MS = 86_400_000;

/**
 * The instants whose wall-clock time in `zone` is `local` (epoch ms of the fields read in UTC),
 * in order: none in a gap, two in an overlap.
 */
export function instantsOf(local: number, zone: string): number[] {
  const offsets = new Set([offsetAt(local - DAY_MS, zone), offsetAt(local, zone), offsetAt(local + DAY_MS, zone)]);
  const out: number[] = [];
  for (const o of offsets) {
    const instant = local - o;
    if (offsetAt(instant, zone) === o && !out.includes(instant)) out.push(instant);
  }
  return out.sort((a, b) => a - b);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `+02:00`, `-04:00`, or `Z` for a zero offset (Java's ISO_OFFSET_DATE_TIME). */
export function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'Z';
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** An instant as Kestra writes a ZonedDateTime: local date-time in `zone`, seconds always, then the offset. */
export function formatZoned(ms: number, zone: string): string {
  const offset = offsetAt(ms, zone);
  const d = new Date(ms + offset);
  const millis = d.getUTCMilliseconds();
  const year = d.getUTCFullYear();
  const date = `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${millis ? `.${pad(millis, 3)}` : ''}`;
  return `${date}T${time}${formatOffset(offset)}`;
}

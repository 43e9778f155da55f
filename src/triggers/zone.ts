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

/** The offset of `zone` from UTC at the instant `ms`, in milliseconds (east positive). */
export function offsetAt(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts = formatter(zone).formatToParts(new Date(whole));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = Date.UTC(year, get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return local - whole;
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

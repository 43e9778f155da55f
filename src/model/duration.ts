/**
 * ISO 8601 durations as Kestra accepts them (`PT1S`, `PT0.5S`, `P1DT2H`, `-PT1M`), and decimal
 * seconds (`1.5`), which Kestra's Duration properties also accept.
 */

const ISO = /^([+-])?P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;

/**
 * Milliseconds in a duration string.
 * @throws RangeError when the text is neither an ISO 8601 duration nor a number of seconds
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text * 1000;
  const s = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const m = ISO.exec(s);
  if (!m || s.endsWith('T') || /^[+-]?P$/i.test(s)) throw new RangeError(`'${text}' is not an ISO 8601 duration (e.g. PT30S, PT1M, P1D)`);
  const n = (i: number): number => (m[i] ? Number(m[i]!.replace(',', '.')) : 0);
  const ms = (((n(2) * 7 + n(3)) * 24 + n(4)) * 60 + n(5)) * 60_000 + n(6) * 1000;
  return m[1] === '-' ? -ms : ms;
}

/** `HH:mm:ss.SSS` of a number of milliseconds, as Kestra prints a timeout. */
export function formatHms(ms: number): string {
  const pad = (n: number, w = 2): string => String(Math.floor(n)).padStart(w, '0');
  return `${pad(ms / 3_600_000)}:${pad((ms / 60_000) % 60)}:${pad((ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

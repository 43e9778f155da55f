/**
 * Public-holiday calendars for the PublicHoliday condition, from the `date-holidays` package (as
 * Kestra's come from Jollyday). Loaded on first use — about 160 ms and 15 MB of rules — so an
 * engine whose flows name no PublicHoliday never pays for them. Whether a date is a holiday
 * depends on the date, the country and the subdivision only: no clock, no time zone (a calendar's
 * dates are local dates of its country).
 */
import { createRequire } from 'node:module';
import { ConditionError, type LocalDate } from './conditions.js';

/** The part of date-holidays' `Holidays` class used here. */
interface HolidaysCalendar {
  init(country: string, state?: string): unknown;
  getCountries(): Record<string, string>;
  getStates(country: string): Record<string, string> | undefined;
  getHolidays(year: number): Array<{ date: string; start: Date; end: Date; type: string }>;
}
type HolidaysClass = new () => HolidaysCalendar;

const DAY_MS = 86_400_000;
/** Years kept per calendar (each a set of dates); the oldest used goes first. */
const YEARS_KEPT = 32;

let holidaysClass: HolidaysClass | undefined;
/** Every country's code → name (date-holidays' list). */
let countries: Record<string, string> | undefined;
/** By `COUNTRY` or `COUNTRY-STATE`: the calendar and its holiday dates by year. */
const calendars = new Map<string, { calendar: HolidaysCalendar; years: Map<number, Set<string>> }>();

function load(): HolidaysClass {
  if (!holidaysClass) {
    const require = createRequire(import.meta.url);
    holidaysClass = require('date-holidays') as HolidaysClass;
    countries = new holidaysClass().getCountries();
  }
  return holidaysClass;
}

/** The country of the system's locale (`en-US` → `US`), as Kestra takes the JVM's default locale; undefined when it names none. */
export function systemCountry(): string | undefined {
  try {
    return new Intl.Locale(Intl.DateTimeFormat().resolvedOptions().locale).maximize().region ?? undefined;
  } catch {
    return undefined;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function dayKey(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** The calendar of a country (ISO 3166-1 alpha-2) and subdivision (ISO 3166-2, `BE` or `DE-BE`). */
function calendarOf(country: string, subDivision: string | undefined): { calendar: HolidaysCalendar; years: Map<number, Set<string>> } {
  const Holidays = load();
  const code = country.trim().toUpperCase();
  if (!countries![code]) throw new ConditionError(`PublicHoliday: '${country}' is not a country code with a public-holiday calendar (ISO 3166-1 alpha-2, such as FR, DE, US)`);
  let state: string | undefined;
  if (subDivision !== undefined) {
    const wanted = subDivision.trim().toUpperCase().replace(new RegExp(`^${code}-`), '');
    const states = new Holidays().getStates(code) ?? {};
    state = Object.keys(states).find((s) => s.toUpperCase() === wanted);
    if (state === undefined) {
      const known = Object.keys(states);
      throw new ConditionError(`PublicHoliday: '${subDivision}' is not a subdivision of ${code}${known.length ? ` (one of ${known.join(', ')})` : ' (it has none)'}`);
    }
  }
  const key = state === undefined ? code : `${code}-${state}`;
  let entry = calendars.get(key);
  if (!entry) {
    const calendar = new Holidays();
    calendar.init(code, ...(state !== undefined ? [state] : []));
    entry = { calendar, years: new Map() };
    calendars.set(key, entry);
  }
  return entry;
}

/** The local dates of a year's public holidays (substitute days included; a holiday over several days counts each). */
function publicDates(calendar: HolidaysCalendar, year: number): Set<string> {
  const out = new Set<string>();
  const prefix = `${pad(year, 4)}-`;
  // The previous year's too: a holiday of several days may end in this one.
  for (const h of [...calendar.getHolidays(year - 1), ...calendar.getHolidays(year)]) {
    if (h.type !== 'public') continue;
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(h.date);
    if (!match) continue;
    const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
    const first = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    for (let i = 0; i < days; i++) {
      const d = new Date(first + i * DAY_MS);
      const key = dayKey(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
      if (key.startsWith(prefix)) out.add(key);
    }
  }
  return out;
}

/**
 * Whether `date` is a public holiday of `country` (the system locale's country when undefined),
 * in `subDivision` when given (its own holidays and the country's).
 * @throws ConditionError for an unknown country or subdivision, or no country at all
 */
export function isPublicHoliday(date: LocalDate, country: string | undefined, subDivision: string | undefined): boolean {
  const code = country ?? systemCountry();
  if (code === undefined) throw new ConditionError("PublicHoliday: no 'country' given and the system locale names none");
  const entry = calendarOf(code, subDivision);
  let dates = entry.years.get(date.y);
  if (!dates) {
    dates = publicDates(entry.calendar, date.y);
    if (entry.years.size >= YEARS_KEPT) entry.years.delete(entry.years.keys().next().value!);
    entry.years.set(date.y, dates);
  } else {
    entry.years.delete(date.y);
    entry.years.set(date.y, dates);
  }
  return dates.has(dayKey(date.y, date.m, date.d));
}

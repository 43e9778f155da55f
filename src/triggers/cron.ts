/**
 * Kestra's Schedule cron (cron-utils 9.2.1 with Kestra's definition) over croner: 5 fields, or 6
 * with `withSeconds` (seconds first); day of week 0–7 (0 and 7 are Sunday); the nicknames
 * `@yearly @annually @monthly @weekly @daily @midnight @hourly`; day of month and day of week
 * both restricted match either (cron-utils without `matchDayOfWeekAndDayOfMonth`).
 *
 * croner matches wall-clock fields (it runs here in UTC over "local time read as UTC"); the
 * instants are found the way cron-utils walks a ZonedDateTime:
 * - a wall-clock time inside a spring-forward gap does not exist, so it never fires that day
 *   (cron-utils' `testDSTGap`: 02:15 is skipped on New York's DST start day);
 * - in an autumn overlap both instants of a wall-clock time match; `next` skips the second one
 *   unless the cron fires at least every hour (cron-utils issue #446: a daily 01:30 fires once,
 *   an hourly cron fires at both).
 * Pure: instants come in as arguments.
 */
import { Cron } from 'croner';
import { offsetAt } from './zone.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NICKNAMES = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
/** Tokens of Quartz-like crons that Kestra's definition has no support for. */
const UNSUPPORTED_TOKEN = /(^|[,/-])(\d*L|L\d*|\d*W|LW|\?|[^,/-]*#[^,/-]*)(?=$|[,/-])/i;

/** A cron Kestra would refuse. */
export class CronError extends Error {}

/** Matches found so far: the only matching instants in [lo, hi] (whole seconds) are `matches`, in order. */
interface KnownMatches {
  lo: number;
  hi: number;
  matches: number[];
}

/** Matches kept by the cache of a schedule (the scheduler moves forward: the oldest go first). */
const KNOWN_MATCHES = 16;

/** Parsed schedules kept for reuse before the cache starts over. */
const MAX_PARSED = 10_000;
const parsed = new Map<string, CronSchedule>();

/** A parsed Schedule cron in a time zone. */
export class CronSchedule {
  readonly #cron: Cron;
  readonly zone: string;
  /**
   * A window of instants whose matches are all known. The scheduler asks about the same few dates
   * around each firing (its date, the next, the previous, again for the next evaluation): each
   * lookup through croner and Intl costs tens of µs, a window lookup none.
   */
  #known: KnownMatches | undefined;

  private constructor(cron: Cron, zone: string) {
    this.#cron = cron;
    this.zone = zone;
  }

  /**
   * Parses a cron as Kestra's Schedule does. Schedules with the same cron, seconds flag and zone
   * share one instance (and its known matches): thousands of triggers often name a few crons.
   * @throws CronError with the reason when Kestra's parser would refuse it
   */
  static parse(expression: string, options: { withSeconds?: boolean; zone: string }): CronSchedule {
    const key = `${options.withSeconds === true}\u0000${options.zone}\u0000${expression}`;
    let schedule = parsed.get(key);
    if (!schedule) {
      schedule = CronSchedule.#parse(expression, options);
      if (parsed.size >= MAX_PARSED) parsed.clear();
      parsed.set(key, schedule);
    }
    return schedule;
  }

  static #parse(expression: string, options: { withSeconds?: boolean; zone: string }): CronSchedule {
    const text = expression.trim();
    if (!NICKNAMES.has(text.toLowerCase())) {
      const fields = text.split(/\s+/);
      const expected = options.withSeconds ? 6 : 5;
      if (fields.length !== expected) {
        throw new CronError(`Cron expression contains ${fields.length} parts but we expect one of [${expected}]`);
      }
      for (const f of fields) if (UNSUPPORTED_TOKEN.test(f)) throw new CronError(`Invalid chars in expression! Expression: ${f}`);
    }
    try {
      return new CronSchedule(new Cron(text, { utcOffset: 0, paused: true }), options.zone);
    } catch (err) {
      throw new CronError((err as Error).message.replace(/^CronPattern: /, ''));
    }
  }

  /** The first wall-clock match at or after `local` (wall-clock ms read as UTC). */
  #localAtOrAfter(local: number): number | undefined {
    return this.#cron.nextRun(new Date(local - 1))?.getTime();
  }

  /** The last wall-clock match at or before `local`. */
  #localAtOrBefore(local: number): number | undefined {
    return this.#cron.previousRuns(1, new Date(local + 1))[0]?.getTime();
  }

  /** The first instant in (from, to] where the zone's offset is no longer the offset at `from`. */
  #transitionAfter(from: number, to: number): number | undefined {
    const o = offsetAt(from, this.zone);
    let lo = from;
    for (let hi = Math.min(from + DAY, to); ; hi = Math.min(hi + DAY, to)) {
      if (offsetAt(hi, this.zone) !== o) {
        // The offset is o at lo and not at hi: narrow to the first second where it changed.
        while (hi - lo > SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
          if (offsetAt(mid, this.zone) === o) lo = mid;
          else hi = mid;
        }
        return hi;
      }
      if (hi >= to) return undefined;
      lo = hi;
    }
  }

  /** The last instant in [to, from] where the offset was not yet the offset at `from` (a transition ends at the next second). */
  #transitionBefore(from: number, to: number): number | undefined {
    const o = offsetAt(from, this.zone);
    let hi = from;
    for (let lo = Math.max(from - DAY, to); ; lo = Math.max(lo - DAY, to)) {
      if (offsetAt(lo, this.zone) !== o) {
        while (hi - lo > SECOND) {
          const mid = lo + Math.floor((hi - lo) / 2 / SECOND) * SECOND;
          if (offsetAt(mid, this.zone) === o) hi = mid;
          else lo = mid;
        }
        return lo;
      }
      if (lo <= to) return undefined;
      hi = lo;
    }
  }

  /** Adds what a lookup found: the only match in [lo, hi] is `match`. */
  #learn(lo: number, hi: number, match: number): void {
    const k = this.#known;
    if (!k || lo > k.hi + SECOND || hi < k.lo - SECOND) {
      this.#known = { lo, hi, matches: [match] };
      return;
    }
    k.lo = Math.min(k.lo, lo);
    k.hi = Math.max(k.hi, hi);
    if (!k.matches.includes(match)) {
      k.matches.push(match);
      k.matches.sort((a, b) => a - b);
    }
    if (k.matches.length > KNOWN_MATCHES) {
      k.matches.splice(0, k.matches.length - KNOWN_MATCHES);
      k.lo = k.matches[0]!;
    }
  }

  /** The first matching instant at or after `ms` (cron-utils' nextClosestMatch). */
  closest(ms: number): number | undefined {
    const t = Math.ceil(ms / SECOND) * SECOND;
    const k = this.#known;
    let from = t;
    if (k && t >= k.lo && t <= k.hi) {
      const known = k.matches.find((m) => m >= t);
      if (known !== undefined) return known;
      from = k.hi + SECOND; // nothing matches in [t, hi]
    }
    const match = this.#closest(from);
    if (match !== undefined) this.#learn(t, match, match);
    return match;
  }

  /** The last matching instant at or before `ms` (cron-utils' previousClosestMatch). */
  closestBefore(ms: number): number | undefined {
    const t = Math.floor(ms / SECOND) * SECOND;
    const k = this.#known;
    let from = t;
    if (k && t >= k.lo && t <= k.hi) {
      const known = k.matches.findLast((m) => m <= t);
      if (known !== undefined) return known;
      from = k.lo - SECOND; // nothing matches in [lo, t]
    }
    const match = this.#closestBefore(from);
    if (match !== undefined) this.#learn(match, t, match);
    return match;
  }

  #closest(ms: number): number | undefined {
    let t = Math.ceil(ms / SECOND) * SECOND;
    for (let i = 0; i < 1000; i++) {
      const o = offsetAt(t, this.zone);
      const local = this.#localAtOrAfter(t + o);
      if (local === undefined) return undefined;
      const candidate = local - o;
      const change = this.#transitionAfter(t, candidate);
      if (change === undefined) return candidate;
      t = change;
    }
    return undefined;
  }

  #closestBefore(ms: number): number | undefined {
    let t = Math.floor(ms / SECOND) * SECOND;
    for (let i = 0; i < 1000; i++) {
      const o = offsetAt(t, this.zone);
      const local = this.#localAtOrBefore(t + o);
      if (local === undefined) return undefined;
      const candidate = local - o;
      const change = this.#transitionBefore(t, candidate);
      if (change === undefined) return candidate;
      t = change;
    }
    return undefined;
  }

  /**
   * cron-utils' `nextExecution(date)`: the first match after `ms` (or at it when it does not match);
   * in an autumn overlap the second instant is skipped for crons less frequent than hourly.
   */
  next(ms: number): number | undefined {
    const date = Math.floor(ms / SECOND) * SECOND;
    let match = this.closest(ms);
    if (match !== date) return match;
    match = this.closest(date + SECOND);
    if (match !== undefined && offsetAt(match, this.zone) < offsetAt(date, this.zone)) {
      const after = this.closest(match + SECOND);
      if (after !== undefined && after - match >= 2 * HOUR) match = this.closest(date + SECOND + HOUR);
    }
    return match;
  }

  /** cron-utils' `lastExecution(date)`: the last match before `ms` (before it when it matches). */
  last(ms: number): number | undefined {
    const date = Math.floor(ms / SECOND) * SECOND;
    const match = this.closestBefore(ms);
    return match === date ? this.closestBefore(date - SECOND) : match;
  }
}

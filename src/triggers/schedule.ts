/**
 * The Schedule trigger's date arithmetic (Kestra's `Schedule`: scheduleDates, nextEvaluationDate,
 * previousEvaluationDate, lateMaximumDelay, conditions over dates). Pure: `now` comes in.
 */
import { parseDuration } from '../model/duration.js';
import type { Flow } from '../model/flow.js';
import { CronError, CronSchedule } from './cron.js';
import { formatZoned, isKnownZone } from './zone.js';

const SECOND = 1000;

/** A flow trigger as parsed (src/flow). */
export type FlowTrigger = Flow['triggers'][number];

/** How missed schedules are recovered when the engine opens. */
export type RecoverMissed = 'ALL' | 'LAST' | 'NONE';

/** A Schedule trigger, checked and ready to compute dates. */
export interface ScheduleDef {
  id: string;
  cron: CronSchedule;
  zone: string;
  /** `conditions` then the deprecated `scheduleConditions`. */
  conditions: Array<Record<string, unknown>>;
  lateMaximumDelayMs?: number;
  recoverMissedSchedules: RecoverMissed;
}

/** A Schedule Kestra would refuse: bad cron, unknown time zone. */
export class ScheduleError extends Error {}

/** The dates of one evaluation (Kestra's `Schedule.Output`). */
export interface ScheduleDates {
  date: number;
  next?: number;
  previous?: number;
}

/** Tests schedule conditions against a set of dates (throws when one cannot be evaluated). */
export type DatesTest = (dates: ScheduleDates) => boolean;

/** A backfill in progress, as the state row keeps it. */
export interface BackfillState {
  start: number;
  end: number;
  currentDate: number;
  paused: boolean;
}

/**
 * Checks a Schedule trigger.
 * @param defaultZone the zone when the trigger names none (Kestra: the server's)
 * @throws ScheduleError with Kestra's reason
 */
export function scheduleOf(trigger: FlowTrigger, defaultZone: string): ScheduleDef {
  const p = trigger.props;
  const zone = typeof p['timezone'] === 'string' ? p['timezone'] : defaultZone;
  if (!isKnownZone(zone)) throw new ScheduleError(`timezone: '${zone}' is not a valid time zone`);
  let cron: CronSchedule;
  try {
    cron = CronSchedule.parse(String(p['cron'] ?? ''), { zone, withSeconds: p['withSeconds'] === true });
  } catch (err) {
    if (err instanceof CronError) throw new ScheduleError(`cron: invalid cron expression '${String(p['cron'])}': ${err.message}`);
    throw err;
  }
  const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? (v as Array<Record<string, unknown>>) : []);
  const def: ScheduleDef = { id: trigger.id, cron, zone, conditions: [...list(p['conditions']), ...list(p['scheduleConditions'])], recoverMissedSchedules: 'ALL' };
  const late = p['lateMaximumDelay'];
  if (typeof late === 'string' || typeof late === 'number') def.lateMaximumDelayMs = parseDuration(late);
  const recover = p['recoverMissedSchedules'];
  if (recover === 'LAST' || recover === 'NONE' || recover === 'ALL') def.recoverMissedSchedules = recover;
  return def;
}

/** Kestra's `scheduleDates(date)`: the first cron time after date − 1 s, the one after it, the one before date. */
export function scheduleDates(def: ScheduleDef, atMs: number): ScheduleDates | undefined {
  const date = def.cron.next(atMs - SECOND);
  if (date === undefined) return undefined;
  const out: ScheduleDates = { date };
  const next = def.cron.next(date);
  if (next !== undefined) out.next = next;
  const previous = def.cron.last(atMs);
  if (previous !== undefined) out.previous = previous;
  return out;
}

/** `trigger.date/next/previous` as Kestra writes them: strings with the zone's offset. */
export function datesVariables(def: ScheduleDef, dates: ScheduleDates): Record<string, string> {
  const out: Record<string, string> = { date: formatZoned(dates.date, def.zone) };
  if (dates.next !== undefined) out['next'] = formatZoned(dates.next, def.zone);
  if (dates.previous !== undefined) out['previous'] = formatZoned(dates.previous, def.zone);
  return out;
}

function year(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/**
 * The next (or previous) cron time after `from` whose dates satisfy the schedule conditions,
 * within ten years of now (Kestra's truePreviousNextDateWithCondition). Throws when a condition does.
 */
export function trueNeighbour(def: ScheduleDef, from: number, forward: boolean, nowMs: number, test: DatesTest): number | undefined {
  let at = from;
  while (forward ? year(at) < year(nowMs) + 10 : year(at) > year(nowMs) - 10) {
    const current = forward ? def.cron.next(at) : def.cron.last(at);
    if (current === undefined) return undefined;
    const dates = scheduleDates(def, current);
    if (!dates) return undefined;
    if (test(dates)) return current;
    at = current;
  }
  return undefined;
}

/** Skips dates older than `lateMaximumDelay` (Kestra's handleMaxDelay). */
function handleMaxDelay(def: ScheduleDef, dates: ScheduleDates | undefined, nowMs: number): ScheduleDates | undefined {
  if (!dates || def.lateMaximumDelayMs === undefined) return dates;
  let out: ScheduleDates | undefined = dates;
  for (let i = 0; out && out.date + def.lateMaximumDelayMs < nowMs && i < 1_000_000; i++) {
    out = out.next === undefined ? undefined : scheduleDates(def, out.next);
  }
  return out;
}

/**
 * When the schedule is next due (Kestra's `nextEvaluationDate(conditionContext, last)`): after the
 * last evaluated date (or the backfill's current date), else after now; conditions move it to
 * the next satisfying date; lateMaximumDelay skips dates that would start too late.
 * @param warn called when the conditions cannot be evaluated (they are then ignored)
 */
export function nextEvaluationDate(def: ScheduleDef, last: { date?: number; backfill?: BackfillState } | undefined, nowMs: number, test: DatesTest, warn: (e: unknown) => void): number | undefined {
  let nextDate: number | undefined;
  const backfill = last?.backfill;
  if (last && (backfill || last.date !== undefined)) {
    const lastDate = backfill ? backfill.currentDate : last.date!;
    if (def.conditions.length) {
      try {
        const next = trueNeighbour(def, lastDate, true, nowMs, test);
        if (next !== undefined) return Math.floor(next / SECOND) * SECOND;
      } catch (e) {
        warn(e);
      }
    }
    nextDate = def.cron.next(lastDate);
    if (backfill && nextDate !== undefined && nextDate > backfill.end) nextDate = def.cron.next(nowMs);
  } else {
    nextDate = def.cron.next(nowMs);
  }
  if (def.lateMaximumDelayMs !== undefined && nextDate !== undefined && !backfill) {
    return handleMaxDelay(def, scheduleDates(def, nextDate), nowMs)?.date;
  }
  return nextDate;
}

/** The latest due date not after now (Kestra's `previousEvaluationDate`, for recoverMissedSchedules LAST). */
export function previousEvaluationDate(def: ScheduleDef, nowMs: number, test: DatesTest, warn: (e: unknown) => void): number {
  if (def.conditions.length) {
    try {
      const previous = trueNeighbour(def, nowMs, false, nowMs, test);
      if (previous !== undefined) return Math.floor(previous / SECOND) * SECOND;
    } catch (e) {
      warn(e);
    }
  }
  return def.cron.last(nowMs) ?? nowMs;
}

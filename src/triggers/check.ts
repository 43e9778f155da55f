/**
 * What `validate` and deploy check of a trigger beyond its property types: a Schedule's cron parses
 * as Kestra's would and its time zone exists; an http.Trigger's interval is positive; a Flow
 * trigger's MultipleConditions and `preconditions` are well formed. Pure; used by the flow parser.
 */
import { ConditionError } from './conditions.js';
import { pollOf } from './polling.js';
import { multipleConditionsOf } from './preconditions.js';
import { ScheduleError, scheduleOf } from './schedule.js';

const CORE = 'io.kestra.plugin.core.';

/** A problem with one property of a trigger. */
export interface TriggerIssue {
  property: string;
  message: string;
}

function scheduleIssues(props: Record<string, unknown>): TriggerIssue[] {
  if (typeof props['cron'] !== 'string') return [];
  try {
    scheduleOf({ id: '', type: `${CORE}trigger.Schedule`, props }, 'UTC');
    return [];
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    const property = e.message.startsWith('timezone:') ? 'timezone' : 'cron';
    return [{ property, message: e.message.slice(property.length + 2) }];
  }
}

/**
 * The problems of a trigger of canonical type `type` with properties `props`.
 * @param canonical the canonical name of a condition type as written
 */
export function checkTrigger(type: string, props: Record<string, unknown>, canonical: (written: string) => string): TriggerIssue[] {
  if (type === `${CORE}trigger.Schedule`) return scheduleIssues(props);
  if (type === `${CORE}http.Trigger`) {
    try {
      pollOf({ id: '', type, props });
      return [];
    } catch (e) {
      return [{ property: 'interval', message: e instanceof Error ? e.message : String(e) }];
    }
  }
  if (type === `${CORE}trigger.Flow`) {
    try {
      multipleConditionsOf(props, canonical);
      return [];
    } catch (e) {
      if (!(e instanceof ConditionError) && !(e instanceof RangeError)) throw e;
      return [{ property: e.message.startsWith('preconditions') || props['preconditions'] !== undefined ? 'preconditions' : 'conditions', message: e.message }];
    }
  }
  return [];
}

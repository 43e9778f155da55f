/**
 * What `validate` and deploy check of a Schedule beyond its property types: the cron parses as
 * Kestra's would, the time zone exists. Pure; used by the flow parser (src/flow).
 */
import { ScheduleError, scheduleOf } from './schedule.js';

/** Kestra's Schedule trigger type. */
const SCHEDULE = 'io.kestra.plugin.core.trigger.Schedule';

/** A problem with one property of a trigger. */
export interface TriggerIssue {
  property: string;
  message: string;
}

/** The problems of a trigger of canonical type `type` with properties `props` (none for non-Schedules). */
export function checkScheduleTrigger(type: string, props: Record<string, unknown>): TriggerIssue[] {
  if (type !== SCHEDULE || typeof props['cron'] !== 'string') return [];
  try {
    scheduleOf({ id: '', type, props }, 'UTC');
    return [];
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    const property = e.message.startsWith('timezone:') ? 'timezone' : 'cron';
    return [{ property, message: e.message.slice(property.length + 2) }];
  }
}

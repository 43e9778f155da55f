/**
 * Polling triggers (Kestra's PollingTriggerInterface): io.kestra.plugin.core.http.Trigger. The
 * trigger service keeps a state row per polling trigger as for a Schedule; when it is due (and
 * unlocked: no overlap with the execution it started), the poll runs outside the service's queue
 * (an HTTP exchange may take seconds), the row holding `evaluateRunningDate` meanwhile; its result
 * decides, back in the queue, whether an execution is created. The next poll is `interval` after
 * the poll started (Kestra: now + interval), whatever the outcome.
 */
import { parseDuration } from '../model/duration.js';
import type { FlowTrigger } from './schedule.js';

/** Kestra's http.Trigger type. */
export const HTTP_TRIGGER_TYPE = 'io.kestra.plugin.core.http.Trigger';

/** Kestra's default `responseCondition`. */
const DEFAULT_CONDITION = '{{ response.statusCode < 400 }}';

/** Kestra's default `interval`: a minute. */
const DEFAULT_INTERVAL_MS = 60_000;

/** A polling trigger as the service runs it. */
export interface PollDef {
  intervalMs: number;
  responseCondition: string;
}

/**
 * The polling definition of an http.Trigger.
 * @throws RangeError when `interval` is not a positive duration
 */
export function pollOf(trigger: FlowTrigger): PollDef {
  const raw = trigger.props['interval'];
  const intervalMs = raw === undefined || raw === null ? DEFAULT_INTERVAL_MS : parseDuration(raw as string | number);
  if (!(intervalMs > 0)) throw new RangeError(`interval must be a positive duration, got '${String(raw)}'`);
  const condition = trigger.props['responseCondition'];
  return { intervalMs, responseCondition: typeof condition === 'string' ? condition : DEFAULT_CONDITION };
}

/** The variables `responseCondition` renders with: `response.statusCode`, `response.body`, `response.headers`. */
export function responseVariables(output: Record<string, unknown>): Record<string, unknown> {
  return { statusCode: output['code'], body: output['body'] ?? null, headers: output['headers'] ?? {} };
}

/**
 * What crosses the public interface about triggers: a state row in Kestra's JSON (the `Trigger` of
 * `/api/v1/triggers`: dates as ZonedDateTime strings in the trigger's zone, `updatedDate` as an
 * instant), a search item, and the filter and backfill requests of `TroupeApi`.
 */
import { formatZoned } from './zone.js';
import type { TriggerView } from './service.js';

/** A filter of `TroupeApi.listTriggers`; every given field must match. */
export interface TriggerFilter {
  /** This namespace and its sub-namespaces (`company` matches `company.team`). */
  namespace?: string;
  flowId?: string;
  /** Text found (case-insensitively) in the namespace, flow id or trigger id. */
  q?: string;
}

/**
 * A backfill of `TroupeApi.backfillTrigger` (Kestra's `Backfill`): every date of the schedule
 * after `start` up to `end` fires, one execution at a time. Dates are ISO 8601 with an offset
 * (`2026-01-01T00:00:00+01:00`) or local (`2026-01-01`, `2026-01-01T06:00`), read in the
 * trigger's zone.
 */
export interface TriggerBackfill {
  start: string;
  /** @default now */
  end?: string;
  /** Inputs of the backfill's executions, over the trigger's own (templates see `trigger.date`). */
  inputs?: Record<string, unknown>;
  /** Labels of the backfill's executions, after the trigger's own. */
  labels?: Array<{ key: string; value: string }>;
  /** Start it paused. */
  paused?: boolean;
}

/** A backfill in progress, in Kestra's JSON (dates in the trigger's zone). */
export interface TriggerBackfillJson {
  start: string;
  end: string;
  /** The next date the backfill fires. */
  currentDate: string;
  paused: boolean;
  inputs?: Record<string, unknown>;
  labels?: Array<{ key: string; value: string }>;
  /** Where the schedule resumes once the backfill is over (or deleted). */
  previousNextExecutionDate?: string;
}

/** Kestra's Trigger JSON: the state row of a Schedule or polling trigger. */
export interface TriggerJson {
  namespace: string;
  flowId: string;
  triggerId: string;
  /** The date last evaluated. */
  date?: string;
  /** When it is next due; absent while disabled. */
  nextExecutionDate?: string;
  backfill?: TriggerBackfillJson;
  stopAfter?: string[];
  disabled: boolean;
  /** The execution it started that has not ended: it does not fire meanwhile (unlock drops it). */
  executionId?: string;
  updatedDate?: string;
  /** A poll in progress (polling triggers). */
  evaluateRunningDate?: string;
}

/** One trigger of a search (Kestra's `/triggers/search` item): its declaration in the flow and its state row. */
export interface TriggerSearchItem {
  /** The trigger as the flow declares it (id, type, properties); null when the flow no longer declares it. */
  abstractTrigger: Record<string, unknown> | null;
  triggerContext: TriggerJson;
}

/** The row of a view as Kestra's JSON. */
export function triggerToJson(view: TriggerView): TriggerJson {
  const { row, zone } = view;
  const at = (ms: number): string => formatZoned(ms, zone);
  const out = { namespace: row.namespace, flowId: row.flowId, triggerId: row.triggerId } as TriggerJson;
  if (row.date !== undefined) out.date = at(row.date);
  if (row.nextExecutionDate !== undefined) out.nextExecutionDate = at(row.nextExecutionDate);
  if (row.backfill) {
    const b = row.backfill;
    out.backfill = { start: at(b.start), end: at(b.end), currentDate: at(b.currentDate), paused: b.paused, ...(b.inputs ? { inputs: b.inputs } : {}), ...(b.labels ? { labels: b.labels } : {}), ...(b.previousNextExecutionDate !== undefined ? { previousNextExecutionDate: at(b.previousNextExecutionDate) } : {}) };
  }
  if (row.stopAfter) out.stopAfter = row.stopAfter;
  out.disabled = row.disabled;
  if (row.executionId) out.executionId = row.executionId;
  if (row.updatedDate !== undefined) out.updatedDate = new Date(row.updatedDate).toISOString();
  if (row.evaluateRunningDate !== undefined) out.evaluateRunningDate = at(row.evaluateRunningDate);
  return out;
}

/** A view as a search item: the declared trigger and its row. */
export function triggerSearchItem(view: TriggerView): TriggerSearchItem {
  return { abstractTrigger: declaredTriggerJson(view), triggerContext: triggerToJson(view) };
}

/** The trigger as declared in its flow (`abstractTrigger`): id, type and properties. */
export function declaredTriggerJson(view: TriggerView): Record<string, unknown> | null {
  return view.trigger ? { id: view.trigger.id, type: view.trigger.type, ...view.trigger.props } : null;
}

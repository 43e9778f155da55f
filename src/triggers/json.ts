/**
 * A trigger's state row in Kestra's JSON (the `Trigger` of `/api/v1/triggers`): dates as
 * ZonedDateTime strings in the trigger's zone, `updatedDate` as an instant.
 */
import { formatZoned } from './zone.js';
import type { TriggerView } from './service.js';

/** Kestra's Trigger JSON. */
export interface TriggerJson {
  namespace: string;
  flowId: string;
  triggerId: string;
  date?: string;
  nextExecutionDate?: string;
  backfill?: Record<string, unknown>;
  stopAfter?: string[];
  disabled: boolean;
  executionId?: string;
  updatedDate?: string;
  evaluateRunningDate?: string;
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

/** The trigger as declared in its flow (`abstractTrigger`): id, type and properties. */
export function declaredTriggerJson(view: TriggerView): Record<string, unknown> | null {
  return view.trigger ? { id: view.trigger.id, type: view.trigger.type, ...view.trigger.props } : null;
}

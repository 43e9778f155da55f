/**
 * Transitions of a trigger's state row (Kestra's `Trigger`): a new row, an edited trigger,
 * an execution that ended, an unlock, a backfill moving on. Pure.
 */
import type { TriggerRecord } from '../store/index.js';
import type { FlowTrigger } from './schedule.js';

/** The key of a row: namespace, flow id and trigger id. */
export function rowKey(namespace: string, flowId: string, triggerId: string): string {
  return `${namespace}\u0000${flowId}\u0000${triggerId}`;
}

/** What tells an edited trigger from an unchanged one. */
export function definitionOf(trigger: FlowTrigger): string {
  return JSON.stringify({ type: trigger.canonicalType ?? trigger.type, props: trigger.props });
}

function stopAfterOf(trigger: FlowTrigger): string[] | undefined {
  const s = trigger.props['stopAfter'];
  return Array.isArray(s) ? s.map(String) : undefined;
}

/**
 * A row for a trigger seen for the first time, or whose definition changed (Kestra resets it:
 * date = now, next computed from now, execution lock and backfill dropped, `disabled` kept).
 */
export function freshRow(namespace: string, flowId: string, trigger: FlowTrigger, nowMs: number, next: number | undefined, previous?: TriggerRecord): TriggerRecord {
  const row: TriggerRecord = { namespace, flowId, triggerId: trigger.id, date: nowMs, disabled: previous?.disabled ?? false, definition: definitionOf(trigger) };
  if (next !== undefined) row.nextExecutionDate = next;
  const stopAfter = stopAfterOf(trigger);
  if (stopAfter) row.stopAfter = stopAfter;
  return row;
}

/**
 * The execution the trigger started ended in `state` (Kestra's `resetExecution`): the lock goes,
 * and with `stopAfter` the trigger is disabled when the state is one of them (enabled otherwise).
 */
export function resetExecution(row: TriggerRecord, state: string, next: number | undefined = row.nextExecutionDate): TriggerRecord {
  const { executionId: _e, updatedDate: _u, nextExecutionDate: _n, ...rest } = row;
  const out: TriggerRecord = { ...rest, disabled: row.stopAfter ? row.stopAfter.includes(state) : row.disabled };
  if (next !== undefined) out.nextExecutionDate = next;
  return out;
}

/** Drops the execution lock and the evaluation lock (Kestra's `unlock`). */
export function unlockRow(row: TriggerRecord): TriggerRecord {
  const { executionId: _e, updatedDate: _u, evaluateRunningDate: _r, ...rest } = row;
  return rest;
}

/**
 * After an evaluation: a backfill past its end is over (the next date before it comes back),
 * otherwise the backfill moves to the next date (Kestra's `checkBackfill`).
 */
export function checkBackfill(row: TriggerRecord): TriggerRecord {
  const b = row.backfill;
  if (!b || b.paused) return row;
  if (row.nextExecutionDate === undefined || row.nextExecutionDate > b.end) {
    const { backfill: _b, nextExecutionDate: _n, ...rest } = row;
    return b.previousNextExecutionDate !== undefined ? { ...rest, nextExecutionDate: b.previousNextExecutionDate } : rest;
  }
  return { ...row, backfill: { ...b, currentDate: row.nextExecutionDate } };
}

/**
 * Rebuilding an actor's state from its stored records (recovery after a crash or a restart, and
 * rehydration of a passivated actor): indexes, counters, outputs tree, open groups, timers.
 * Records are replayed in taskRunList order, so every parent is known before its children.
 * Runnable runs left RUNNING were dispatched with no result: they are put back in flight, and the
 * `execution.recover` message dispatches them again (a new attempt: tasks run at least once).
 * Timers are re-armed from the stored dates, so they fire late rather than never.
 */
import type { ExecutionHeader } from '../model/execution.js';
import type { Flow, Task } from '../model/flow.js';
import type { LogEntry } from '../model/log-entry.js';
import type { TaskRun } from '../model/task-run.js';
import { actorHooksOf, behaviourOf, flowableOf } from '../tasks/registry.js';
import { createExecutionState } from './create.js';
import type { ExecutorLimits } from '../model/limits.js';
import { forget, releaseRestored } from './retention.js';
import { isTerminated } from '../model/state.js';
import { recordOutputs } from './outputs-tree.js';
import { nextRetryAtMs, retryPolicyFor } from './retry.js';
import { createGroup, indexDag, indexRun, type ExecutionState, type Group, type RunEntry } from './state.js';
import { resolveContextFor } from './dispatch.js';
import { restoredRun } from './actor-run.js';
import { restoreSlaDeadlines } from './sla.js';
import type { HostVars } from './run-vars.js';
import { restoredWorkPhase } from './work.js';

function branchOf(task: Task, owner: Task | undefined, flow: Flow): 'normal' | 'errors' {
  const errors = owner ? owner.errors : flow.errors;
  return errors?.some((t) => t.id === task.id) ? 'errors' : 'normal';
}

function openGroup(state: ExecutionState, entry: RunEntry, host: HostVars): void {
  const spec = flowableOf(entry.task.canonicalType);
  if (!spec) return;
  let resolved;
  try {
    resolved = spec.children(entry.task, resolveContextFor(state, entry, host), entry.run.outputs);
  } catch {
    return; // it failed when it opened: it has no children
  }
  const group = createGroup(entry, resolved);
  if (resolved && spec.dependencies) indexDag(group, spec.dependencies(entry.task));
  if (resolved && spec.mode(entry.task) === 'concurrent') {
    const order = [...new Set(resolved.map((c) => c.value!))];
    const tasks = resolved.filter((c) => c.value === order[0]).map((c) => c.task);
    group.values = { order, tasks, progress: new Map(order.map((v) => [v, { created: 0, inProgress: 0, done: false }])), nextIndex: 0, active: 0, touched: new Set() };
  }
  state.groups.set(entry.run.id, group);
}

/** Recomputes a concurrent loop's cursor from the per-value counters rebuilt by indexRun. */
function settleValues(group: Group): void {
  const v = group.values;
  if (!v) return;
  for (const [i, value] of v.order.entries()) {
    const p = v.progress.get(value)!;
    if (p.created === 0) continue;
    v.nextIndex = i + 1;
    p.done = p.created >= v.tasks.length && p.inProgress === 0;
    if (p.done) v.progress.delete(value);
    else v.active += 1;
    if (p.inProgress === 0 && !p.done) v.touched.add(value);
  }
}

/**
 * The actor state of a stored execution. Records are read one at a time and finished runs leave
 * memory as they are read (./retention.ts), so rebuilding a huge execution holds no more than
 * running it does.
 * @param records the task runs with their seq: an array in any order, or any other iterable in seq order (the store's)
 * @param logs the execution's log lines (for `errorLogs()` and the next log seq)
 * @param limits the memory bounds the execution runs under
 */
export function restoreExecutionState(flow: Flow, header: ExecutionHeader, records: Iterable<{ seq: number; taskRun: TaskRun; crashes?: number; aux?: Record<string, number> }>, logs: LogEntry[], host: HostVars, random: () => number, limits?: Partial<ExecutorLimits>): ExecutionState {
  const state = createExecutionState(flow, header, limits);
  const ordered = Array.isArray(records) ? [...(records as Array<{ seq: number; taskRun: TaskRun; crashes?: number; aux?: Record<string, number> }>)].sort((a, b) => a.seq - b.seq) : records;
  const actorRuns: RunEntry[] = [];
  for (const { seq, taskRun: run, crashes, aux } of ordered) {
    const indexed = state.index.get(run.taskId);
    const group = state.groups.get(run.parentTaskRunId ?? '');
    if (!indexed || !group) continue; // a run of a task no longer in this revision: kept in the store, not indexed
    const entry: RunEntry = { run, seq, task: indexed.task, branch: branchOf(indexed.task, group.parent?.task, flow), group };
    if (crashes) entry.crashes = crashes;
    if (aux) entry.aux = aux;
    state.runs.set(run.id, entry);
    indexRun(entry);
    state.nextSeq = Math.max(state.nextSeq, seq + 1);
    if (run.outputs) recordOutputs(state, entry);
    const current = run.state.current;
    const behaviour = behaviourOf(entry.task.canonicalType);
    // A RESTARTED flowable (one that never got children) opens again when the restart starts it.
    if (behaviour?.runs === 'actor' && behaviour.flowable && current !== 'CREATED' && current !== 'RESTARTED') openGroup(state, entry, host);
    if (current === 'PAUSED') state.paused.add(run.id);
    if (current === 'RETRYING') {
      const policy = retryPolicyFor(entry.task, state.index, flow);
      const atMs = (policy && nextRetryAtMs(policy, run, random)) ?? 0;
      const timerId = `retry:${run.id}:${run.attempts?.length ?? 0}`;
      state.timers.set(timerId, { kind: 'retry', taskRunId: run.id, atMs });
    } else if (behaviour?.runs === 'actor') {
      // A finished run has nothing to re-arm (and may leave memory below).
      if (!isTerminated(current) && current !== 'RESTARTED') actorRuns.push(entry);
    } else if (current === 'RUNNING' && entry.task.kind !== 'flowable') {
      state.inFlight.add(run.id);
    }
    // A finished run without children to come leaves memory now; finished flowables once all are read.
    if (isTerminated(current) && !state.groups.has(run.id)) forget(state, entry);
  }
  // Paused runs' timers, sleeping runs, subflows waiting for their child: the type knows. Once
  // every record is loaded, so a templated delay renders with every output and input there.
  for (const entry of actorRuns) actorHooksOf(entry.task.canonicalType)?.restore?.(restoredRun(state, entry, host));
  restoreSlaDeadlines(state);
  releaseRestored(state);
  for (const group of state.groups.values()) {
    settleValues(group);
    restoredWorkPhase(group);
  }
  state.nextLogSeq = logs.length;
  state.errorLogs = logs.filter((l) => l.level === 'ERROR').slice(0, 25);
  return state;
}

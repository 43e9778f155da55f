/**
 * Flowables that work in the pool around their children (`FlowableSpec.work`: WorkingDirectory).
 * Their life inside the actor: open → `setup` in flight → children (sequential, their jobs carry
 * the directory) → `teardown` in flight once the normal branch ended → the outputs are the
 * teardown's, then the errors branch (outside the directory) or the end. Setup and teardown
 * results come back as `task.result` messages with `work` set (never an attempt of the run).
 *
 * The directory lives under the pool's work dir, which every open of the engine empties; so an
 * actor rebuilt after a crash or a stop (`execution.recover`), or from a restart or replay
 * (`execution.restart`), runs an open working directory again from its setup, its children's
 * records deleted first — as Kestra runs a WorkingDirectory again on a worker's loss. Pure.
 */
import type { TaskResultMessage } from '../protocol/execution-messages.js';
import type { StateType } from '../model/state.js';
import { limitOf } from '../model/limits.js';
import { flowableOf } from '../tasks/registry.js';
import { log, noteErrorLog, setState, type StepContext } from './context.js';
import { deleteChildren } from './actor-run.js';
import { openChildren } from './dispatch.js';
import { recordOutputs } from './outputs-tree.js';
import type { Group, RunEntry } from './state.js';

/** A flowable's own final state, after its allowFailure/allowWarning. */
function ownFinal(entry: RunEntry, raw: StateType): StateType {
  let out = raw;
  if (out === 'FAILED' && entry.task.allowFailure) out = entry.task.allowWarning ? 'SUCCESS' : 'WARNING';
  if (out === 'WARNING' && entry.task.allowWarning) out = 'SUCCESS';
  return out;
}

/**
 * The result of a setup or teardown. A stale one (the run ended, or its group was opened again
 * since) is ignored. A failed phase fails the run (the pool removed the directory and logged why);
 * its errors branch does not run, as on Kestra, where the worker fails the WorkingDirectory itself.
 */
export function applyWork(ctx: StepContext, msg: TaskResultMessage): void {
  const { state } = ctx;
  const entry = state.runs.get(msg.taskRunId);
  const group = state.groups.get(msg.taskRunId);
  if (!entry || entry.run.state.current !== 'RUNNING' || !group?.work || group.work.phase !== msg.work) return;
  state.inFlight.delete(entry.run.id);
  for (const line of msg.logs) {
    ctx.logs.push(line);
    noteErrorLog(state, line);
  }
  const raw = msg.attempt.state.current;
  if (raw !== 'SUCCESS' && raw !== 'WARNING') {
    group.work.phase = 'done';
    setState(ctx, entry, ownFinal(entry, 'FAILED'));
    return;
  }
  if (msg.work === 'setup') group.work.phase = 'children';
  else {
    group.work.phase = 'done';
    if (msg.outputs && Object.keys(msg.outputs).length > 0) {
      entry.run.outputs = msg.outputs;
      recordOutputs(state, entry);
      ctx.changed.add(entry);
    }
  }
  ctx.dirty.add(group);
}

/**
 * Rebuilt actor: every working flowable still RUNNING whose directory was in use runs again from
 * its setup (its children deleted). After a crash (`crashed`) that counts against
 * `maxAttemptCrashes`, as an attempt in flight does: past it, the run fails instead.
 */
export function reopenWork(ctx: StepContext, crashed: boolean): void {
  const open: Group[] = [];
  for (const group of ctx.state.groups.values()) {
    if (group.work && group.work.phase !== 'done' && group.parent?.run.state.current === 'RUNNING') open.push(group);
  }
  for (const group of open) reopen(ctx, group, group.parent!, crashed);
}

function reopen(ctx: StepContext, group: Group, entry: RunEntry, crashed: boolean): void {
  const { state } = ctx;
  state.inFlight.delete(entry.run.id);
  deleteChildren(ctx, group);
  state.groups.delete(entry.run.id);
  ctx.dirty.delete(group);
  if (crashed) {
    entry.crashes = (entry.crashes ?? 0) + 1;
    ctx.changed.add(entry);
    const limit = limitOf(ctx.env.limits, 'maxAttemptCrashes');
    if (entry.crashes >= limit) {
      log(ctx, 'ERROR', `TROUPE_TASK_CRASHED: working directory '${entry.run.taskId}' was open during ${entry.crashes} consecutive crashes; it is failed instead of running again (engine option maxAttemptCrashes: ${limit})`, entry);
      setState(ctx, entry, ownFinal(entry, 'FAILED'));
      return;
    }
  }
  log(ctx, 'WARN', `The working directory of task '${entry.run.taskId}' is gone (the engine stopped or the execution was restarted while it was open): its tasks run again from the start`, entry);
  openChildren(ctx, entry, flowableOf(entry.task.canonicalType)!);
}

/** After a restore: where a working flowable's group is (its teardown is done once its errors branch started). */
export function restoredWorkPhase(group: Group): void {
  if (group.work) group.work.phase = group.errors.created > 0 ? 'done' : 'children';
}

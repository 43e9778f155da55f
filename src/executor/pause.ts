/**
 * Pause and resume (Kestra §3.12). A Pause run goes PAUSED when it opens and the execution with
 * it; `delay` resumes it (RUNNING) and `timeout` fails it, each through an actor timer, `delay`
 * winning when both are set. A resume (timer, API) moves the paused run on; once no run is
 * paused any more the execution goes RESTARTED then RUNNING, and every open group is resolved.
 */
import { renderString } from '../expr/index.js';
import { parseDuration } from '../model/duration.js';
import { log, setExecutionState, setState, type StepContext } from './context.js';
import { runVars } from './run-vars.js';
import { recordOutputs } from './outputs-tree.js';
import type { RunEntry } from './state.js';
import { PAUSE_TYPE, taskList } from '../tasks/flowable/index.js';

/** Puts a freshly opened Pause run and the execution in PAUSED, with its delay or timeout timer. */
export function pauseRun(ctx: StepContext, entry: RunEntry): void {
  setState(ctx, entry, 'PAUSED');
  ctx.state.paused.add(entry.run.id);
  setExecutionState(ctx, 'PAUSED');
  const { delay } = entry.task.props;
  const raw = delay ?? entry.task.timeout;
  if (raw === undefined || raw === null) return;
  try {
    const ms = parseDuration(renderString(String(raw), runVars(ctx.state, entry, ctx.env)));
    const timerId = `pause:${entry.run.id}`;
    const atMs = ctx.env.nowMs + ms;
    ctx.state.timers.set(timerId, { kind: delay !== undefined && delay !== null ? 'resume' : 'pause-timeout', taskRunId: entry.run.id, atMs });
    ctx.effects.push({ type: 'timer.start', timerId, atMs });
  } catch (e) {
    log(ctx, 'ERROR', `Unable to render the pause delay: ${e instanceof Error ? e.message : String(e)}`, entry);
  }
}

/** Moves a paused run to RUNNING (or SUCCESS without tasks) or FAILED, then the execution on. */
export function resumeRun(ctx: StepContext, entry: RunEntry, target: 'RUNNING' | 'FAILED', inputs?: Record<string, unknown>): void {
  const { state } = ctx;
  if (entry.run.state.current !== 'PAUSED') return;
  state.paused.delete(entry.run.id);
  state.timers.delete(`pause:${entry.run.id}`);
  if (entry.task.props.onResume !== undefined) {
    entry.run.outputs = { onResume: inputs ?? {} };
    recordOutputs(state, entry);
  }
  setState(ctx, entry, target);
  if (target === 'RUNNING' && taskList(entry.task, 'tasks').length === 0) setState(ctx, entry, 'SUCCESS');
  if (state.paused.size === 0 && state.header.state.current === 'PAUSED') {
    setExecutionState(ctx, 'RESTARTED');
    unpauseExecution(ctx);
  }
}

/**
 * The last paused run moved on: the execution runs again, and every open group is resolved,
 * since groups that changed while the execution was paused could not act (once per resume).
 */
export function unpauseExecution(ctx: StepContext): void {
  setExecutionState(ctx, 'RUNNING');
  for (const g of ctx.state.groups.values()) if (!g.parent || g.parent.run.state.current === 'RUNNING') ctx.dirty.add(g);
}

/** Resumes every paused run (the API's resume), with `onResume` inputs. */
export function resumeExecution(ctx: StepContext, inputs?: Record<string, unknown>): void {
  for (const id of [...ctx.state.paused]) {
    const entry = ctx.state.runs.get(id)!;
    // A WaitFor between iterations is paused too, but only its timer moves it on.
    if (entry.task.canonicalType === PAUSE_TYPE) resumeRun(ctx, entry, 'RUNNING', inputs);
  }
}

/**
 * WaitFor iterations (Kestra §3.14). When an iteration's children all succeed, the iteration
 * count grows; unless the maximum is reached or `condition` is truthy, the WaitFor run and the
 * execution pause for `interval`, then the run is reset (history back to CREATED, iteration + 1),
 * the previous iteration's runs are deleted, and its children run again.
 */
import { isTruthy, renderString } from '../expr/index.js';
import { parseDuration } from '../model/duration.js';
import type { StateType } from '../model/state.js';
import { log, setExecutionState, setState, type StepContext } from './context.js';
import { recordOutputs } from './outputs-tree.js';
import { runVars } from './run-vars.js';
import type { Group, RunEntry } from './state.js';
import { unpauseExecution } from './pause.js';

interface CheckFrequency {
  maxIterations: number;
  maxDurationMs: number;
  intervalMs: number;
}

function checkFrequency(entry: RunEntry): CheckFrequency {
  const cf = (entry.task.props.checkFrequency ?? {}) as Record<string, unknown>;
  return {
    maxIterations: typeof cf.maxIterations === 'number' ? cf.maxIterations : 100,
    maxDurationMs: parseDuration(String(cf.maxDuration ?? 'PT1H')),
    intervalMs: parseDuration(String(cf.interval ?? 'PT1S')),
  };
}

/**
 * An iteration of a WaitFor ended in `final`.
 * @returns the WaitFor's own final state, or undefined when another iteration was scheduled
 */
export function iterationDone(ctx: StepContext, group: Group, final: StateType): StateType | undefined {
  const entry = group.parent!;
  if (final !== 'SUCCESS' && final !== 'WARNING') return final;
  const count = (Number((entry.run.outputs as { iterationCount?: number } | null)?.iterationCount) || 1) + 1;
  entry.run.outputs = { ...(entry.run.outputs ?? {}), iterationCount: count };
  recordOutputs(ctx.state, entry);
  ctx.changed.add(entry);
  let cf: CheckFrequency;
  try {
    cf = checkFrequency(entry);
  } catch (e) {
    log(ctx, 'ERROR', `Invalid checkFrequency: ${e instanceof Error ? e.message : String(e)}`, entry);
    return 'FAILED';
  }
  const createdMs = Date.parse(entry.run.state.histories[0]!.date);
  const maxReached = count > cf.maxIterations || ctx.env.nowMs > createdMs + cf.maxDurationMs;
  if (maxReached) return entry.task.props.failOnMaxReached === true ? 'FAILED' : final;
  let done: boolean;
  try {
    done = isTruthy(renderString(String(entry.task.props.condition ?? ''), runVars(ctx.state, entry, ctx.env)));
  } catch (e) {
    log(ctx, 'ERROR', `Unable to evaluate the condition of '${entry.task.id}': ${e instanceof Error ? e.message : String(e)}`, entry);
    return 'FAILED';
  }
  if (done) return final;
  setState(ctx, entry, 'PAUSED');
  ctx.state.paused.add(entry.run.id);
  setExecutionState(ctx, 'PAUSED');
  const timerId = `waitfor:${entry.run.id}`;
  const atMs = ctx.env.nowMs + cf.intervalMs;
  ctx.state.timers.set(timerId, { kind: 'waitfor', taskRunId: entry.run.id, atMs });
  ctx.effects.push({ type: 'timer.start', timerId, atMs });
  return undefined;
}

/** Deletes a group's runs and every run below them, from memory and (through the step) the store. */
function deleteChildren(ctx: StepContext, group: Group): void {
  for (const child of group.byKey.values()) {
    const below = ctx.state.groups.get(child.run.id);
    if (below) deleteChildren(ctx, below);
    ctx.state.groups.delete(child.run.id);
    ctx.state.runs.delete(child.run.id);
    ctx.state.inFlight.delete(child.run.id);
    ctx.changed.delete(child);
    ctx.deleted.push(child.seq);
  }
}

/** The interval is over: reset the WaitFor run and start its next iteration. */
export function nextIteration(ctx: StepContext, entry: RunEntry, restart: (entry: RunEntry) => void): void {
  const { state } = ctx;
  if (entry.run.state.current !== 'PAUSED') return;
  const group = state.groups.get(entry.run.id);
  if (group) deleteChildren(ctx, group);
  state.groups.delete(entry.run.id);
  state.paused.delete(entry.run.id);
  setState(ctx, entry, 'CREATED');
  const first = entry.run.state.histories[0]!;
  const created = entry.run.state.histories[entry.run.state.histories.length - 1]!;
  entry.run.state.histories = [first, created];
  delete entry.run.attempts;
  entry.run.iteration = (entry.run.iteration ?? 1) + 1;
  if (state.paused.size === 0 && state.header.state.current === 'PAUSED') unpauseExecution(ctx);
  restart(entry);
}

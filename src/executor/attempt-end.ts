/**
 * The end of an attempt (Kestra §2.5, §2.7): a failed attempt is retried when its policy allows,
 * otherwise the run takes the attempt's state with the warningOnRetry, allowFailure and
 * allowWarning conversions (the attempt keeps its raw state).
 */
import type { StateType } from '../model/state.js';
import { setExecutionState, setState, type StepContext } from './context.js';
import { isoDate } from '../model/state.js';
import type { RetryPolicy } from '../model/flow.js';
import { nextReplayAtMs, nextRetryAtMs, retryPolicyFor } from './retry.js';
import type { RunEntry } from './state.js';

/** Puts a failed run into RETRYING with a timer, when its retry policy allows another attempt. */
function scheduleRetry(ctx: StepContext, entry: RunEntry): boolean {
  const { state } = ctx;
  const policy = retryPolicyFor(entry.task, state.index, state.flow);
  if (!policy) return false;
  if (policy.behavior === 'CREATE_NEW_EXECUTION') return scheduleReplay(ctx, entry, policy);
  const atMs = nextRetryAtMs(policy, entry.run, ctx.env.random);
  if (atMs === undefined) return false;
  setState(ctx, entry, 'FAILED');
  setState(ctx, entry, 'RETRYING');
  const timerId = `retry:${entry.run.id}:${entry.run.attempts?.length ?? 0}`;
  state.timers.set(timerId, { kind: 'retry', taskRunId: entry.run.id, atMs });
  ctx.effects.push({ type: 'timer.start', timerId, atMs });
  return true;
}

/**
 * CREATE_NEW_EXECUTION: the run, its ancestors and the execution end RETRIED, and a new execution
 * (same originalId, parentId = this one, attemptNumber + 1) is created now, to start at the
 * retry date: created at once, it survives a restart like any execution.
 */
function scheduleReplay(ctx: StepContext, entry: RunEntry, policy: RetryPolicy): boolean {
  const { header } = ctx.state;
  const atMs = nextReplayAtMs(policy, entry.run, header, ctx.env.random);
  if (atMs === undefined) return false;
  setState(ctx, entry, 'FAILED');
  for (let e: RunEntry | null = entry; e; e = e.group.parent) setState(ctx, e, 'RETRIED');
  ctx.effects.push({
    type: 'execution.replay',
    executionId: ctx.env.newId(),
    scheduleDate: isoDate(atMs),
    originalId: header.originalId,
    attemptNumber: header.metadata.attemptNumber + 1,
    originalCreatedDate: header.metadata.originalCreatedDate,
    ...(header.inputs ? { inputs: header.inputs } : {}),
    labels: header.labels,
    ...(header.trigger ? { trigger: header.trigger } : {}),
  });
  setExecutionState(ctx, 'RETRIED');
  return true;
}

/**
 * Applies the outcome `raw` of the attempt that just ended; `previousAttempts` excludes it.
 * `retry: false` ends the run without its retry policy (a poison pill is not run again).
 */
export function endAttempt(ctx: StepContext, entry: RunEntry, raw: StateType, previousAttempts: number, options: { retry?: boolean } = {}): void {
  if (raw === 'FAILED' && options.retry !== false && scheduleRetry(ctx, entry)) return;
  const { task } = entry;
  let final: StateType = raw;
  if (task.retry?.warningOnRetry && previousAttempts > 1 && final === 'SUCCESS') final = 'WARNING';
  if (task.allowFailure && final === 'FAILED') final = 'WARNING';
  if (task.allowWarning && final === 'WARNING') final = 'SUCCESS';
  setState(ctx, entry, final);
}

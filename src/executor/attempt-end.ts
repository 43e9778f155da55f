/**
 * The end of an attempt (Kestra §2.5, §2.7): a failed attempt is retried when its policy allows,
 * otherwise the run takes the attempt's state with the warningOnRetry, allowFailure and
 * allowWarning conversions (the attempt keeps its raw state).
 */
import type { StateType } from '../model/state.js';
import { setState, type StepContext } from './context.js';
import { nextRetryAtMs, retryPolicyFor } from './retry.js';
import type { RunEntry } from './state.js';

/** Puts a failed run into RETRYING with a timer, when its retry policy allows another attempt. */
function scheduleRetry(ctx: StepContext, entry: RunEntry): boolean {
  const { state } = ctx;
  const policy = retryPolicyFor(entry.task, state.index, state.flow);
  if (!policy || policy.behavior !== 'RETRY_FAILED_TASK') return false;
  const atMs = nextRetryAtMs(policy, entry.run, ctx.env.random);
  if (atMs === undefined) return false;
  setState(ctx, entry, 'FAILED');
  setState(ctx, entry, 'RETRYING');
  const timerId = `retry:${entry.run.id}:${entry.run.attempts?.length ?? 0}`;
  state.timers.set(timerId, { kind: 'retry', taskRunId: entry.run.id, atMs });
  ctx.effects.push({ type: 'timer.start', timerId, atMs });
  return true;
}

/** Applies the outcome `raw` of the attempt that just ended; `previousAttempts` excludes it. */
export function endAttempt(ctx: StepContext, entry: RunEntry, raw: StateType, previousAttempts: number): void {
  if (raw === 'FAILED' && scheduleRetry(ctx, entry)) return;
  const { task } = entry;
  let final: StateType = raw;
  if (task.retry?.warningOnRetry && previousAttempts > 1 && final === 'SUCCESS') final = 'WARNING';
  if (task.allowFailure && final === 'FAILED') final = 'WARNING';
  if (task.allowWarning && final === 'WARNING') final = 'SUCCESS';
  setState(ctx, entry, final);
}

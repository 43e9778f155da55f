/**
 * Kestra's retry policies (§2.7): which policy applies to a task, and when its next attempt is due.
 * Exponential is linear as in Kestra (`interval × factor × (n − 1)`, the first retry immediate).
 */
import type { Flow, RetryPolicy, Task } from '../model/flow.js';
import type { TaskRun } from '../model/task-run.js';
import type { ExecutionHeader } from '../model/execution.js';
import { parseDuration } from '../model/duration.js';
import type { FlowIndex } from './flow-index.js';

/** The policy for a task: its own, else the nearest ancestor's in the flow definition, else the flow's. */
export function retryPolicyFor(task: Task, index: FlowIndex, flow: Flow): RetryPolicy | undefined {
  if (task.retry) return task.retry;
  for (let p = index.get(task.id)?.parent ?? null; p; p = index.get(p.id)?.parent ?? null) if (p.retry) return p.retry;
  return flow.retry;
}

function delayMs(policy: RetryPolicy, attempts: number, random: () => number): number {
  switch (policy.type) {
    case 'constant':
      return parseDuration(policy.interval ?? 'PT0S');
    case 'exponential': {
      const factor = Math.trunc(policy.delayFactor ?? 2);
      const linear = parseDuration(policy.interval ?? 'PT0S') * factor * (attempts - 1);
      return Math.min(linear, parseDuration(policy.maxInterval ?? 'PT0S'));
    }
    case 'random': {
      const min = parseDuration(policy.minInterval ?? 'PT0S');
      const max = parseDuration(policy.maxInterval ?? 'PT0S');
      return Math.floor(min + random() * Math.max(0, max - min));
    }
  }
}

/**
 * When the next attempt of a failed run is due under RETRY_FAILED_TASK, or undefined when the
 * policy allows no more attempts. `maxAttempt` counts every attempt, the first included.
 */
export function nextRetryAtMs(policy: RetryPolicy, run: TaskRun, random: () => number): number | undefined {
  const attempts = run.attempts ?? [];
  const n = attempts.length;
  if (n === 0) return undefined;
  if (policy.maxAttempt !== undefined && n >= policy.maxAttempt) return undefined;
  const last = attempts[n - 1]!.state.histories;
  const lastEnd = Date.parse(last[last.length - 1]!.date);
  const next = lastEnd + delayMs(policy, n, random);
  if (policy.maxDuration !== undefined) {
    const firstStart = Date.parse(attempts[0]!.state.histories[0]!.date);
    if (next > firstStart + parseDuration(policy.maxDuration)) return undefined;
  }
  return next;
}

/**
 * When the replay of an execution is due under CREATE_NEW_EXECUTION, or undefined when no more
 * are allowed. Attempts are counted by the execution's `metadata.attemptNumber`, and
 * `maxDuration` runs from the first execution's creation.
 */
export function nextReplayAtMs(policy: RetryPolicy, run: TaskRun, header: ExecutionHeader, random: () => number): number | undefined {
  const n = header.metadata.attemptNumber;
  if (policy.maxAttempt !== undefined && n >= policy.maxAttempt) return undefined;
  const attempts = run.attempts ?? [];
  const last = attempts[attempts.length - 1]?.state.histories ?? run.state.histories;
  const next = Date.parse(last[last.length - 1]!.date) + delayMs(policy, n, random);
  if (policy.maxDuration !== undefined && next > Date.parse(header.metadata.originalCreatedDate) + parseDuration(policy.maxDuration)) return undefined;
  return next;
}

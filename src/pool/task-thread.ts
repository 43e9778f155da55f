/**
 * Thread entry of the piscina pool: runs one attempt of a runnable task and returns its result
 * as a plain `task.result` message (attempt with its own state history, outputs, logs, metrics).
 */
import { BroadcastChannel, threadId } from 'node:worker_threads';
import { renderObject, renderString } from '../expr/index.js';
import { toErrorRecord } from '../errors.js';
import { formatHms, parseDuration } from '../model/duration.js';
import type { LogEntry, LogLevel } from '../model/log-entry.js';
import { isoDate, type StateType } from '../model/state.js';
import type { Metric } from '../model/task-run.js';
import type { TaskJob } from '../protocol/pool-messages.js';
import type { TaskResultMessage } from '../protocol/execution-messages.js';
import { poolTaskOf } from '../tasks/pool.js';
import type { RunnableContext } from '../tasks/run-spec.js';


/** The channel on which the main thread cancels attempts (kill), by task run id. */
export const CANCEL_CHANNEL = 'troupe:task-cancel';
const running = new Map<string, AbortController>();
const cancels = new BroadcastChannel(CANCEL_CHANNEL);
cancels.unref();
cancels.onmessage = (event) => {
  const id = (event as { data: string }).data;
  running.get(id)?.abort(new KilledError());
};

class KilledError extends Error {
  constructor() {
    super('The execution was killed');
  }
}

/**
 * The pool's entry: one job, or a batch of jobs run concurrently (one piscina task carries many
 * when a shard dispatches many at once, so submission costs are paid once per batch).
 */
export default function run(input: TaskJob | { batch: TaskJob[] }): Promise<TaskResultMessage | TaskResultMessage[]> {
  return 'batch' in input ? Promise.all(input.batch.map(runTask)) : runTask(input);
}

/** Runs one attempt. Never throws: a failure is a FAILED attempt with its error logged. */
async function runTask(job: TaskJob): Promise<TaskResultMessage> {
  const startMs = Date.now();
  const logs: LogEntry[] = [];
  const metrics: Metric[] = [];
  const log = (level: LogLevel, message: string): void => {
    logs.push({ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: isoDate(Date.now()), level, thread: `troupe-pool-${threadId}`, message });
  };
  const abort = new AbortController();
  running.set(job.taskRunId, abort);
  const renderOptions = { now: () => Date.now(), functions: { errorLogs: () => job.errorLogs ?? [] } };
  const ctx: RunnableContext = {
    render: (t) => renderString(t, job.vars, renderOptions),
    renderObject: (v) => renderObject(v, job.vars, renderOptions),
    log,
    metric: (m) => metrics.push(m),
    nowMs: () => Date.now(),
    signal: abort.signal,
  };
  let state: StateType = 'SUCCESS';
  let outputs: Record<string, unknown> | null = null;
  let error: TaskResultMessage['error'];
  let timer: NodeJS.Timeout | undefined;
  try {
    const spec = await poolTaskOf(job.task.canonicalType);
    const work = Promise.resolve().then(() => spec.run(job.task, ctx));
    const killed = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true }));
    let outcome;
    if (job.task.timeout !== undefined) {
      const timeoutMs = parseDuration(ctx.render(job.task.timeout));
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new Error(`Timeout after ${formatHms(timeoutMs)}`);
          abort.abort(err);
          reject(err);
        }, timeoutMs);
      });
      outcome = await Promise.race([work, timedOut, killed]);
    } else outcome = await Promise.race([work, killed]);
    outputs = outcome.outputs ?? {};
    if (outcome.state) state = outcome.state;
  } catch (e) {
    state = e instanceof KilledError ? 'KILLED' : 'FAILED';
    log('ERROR', e instanceof Error ? e.message : String(e));
    error = toErrorRecord(e);
  } finally {
    if (timer) clearTimeout(timer);
    running.delete(job.taskRunId);
  }
  const startDate = isoDate(startMs);
  const result: TaskResultMessage = {
    type: 'task.result',
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: state, histories: [{ state: 'CREATED', date: startDate }, { state: 'RUNNING', date: startDate }, { state, date: isoDate(Date.now()) }] } },
    outputs,
    logs,
  };
  if (metrics.length) result.attempt.metrics = metrics;
  if (error) result.error = error;
  return result;
}

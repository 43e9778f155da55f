/**
 * Runnable tasks that act on the engine itself (execution.Resume): dispatched like any runnable
 * task, but run on the main thread, which owns the engine, and answered with an ordinary result.
 */
import { renderObject, renderString } from '../expr/index.js';
import { toErrorRecord } from '../errors.js';
import type { LogLevel } from '../model/log-entry.js';
import { isoDate, type StateType } from '../model/state.js';
import type { TaskJob } from '../protocol/pool-messages.js';
import type { TaskResultMessage } from '../protocol/execution-messages.js';

/** What an engine task may do. */
export interface EngineTaskHost {
  resume(executionId: string, inputs?: Record<string, unknown>): Promise<void>;
}

const RESUME = 'io.kestra.plugin.core.execution.Resume';

/** Whether the main thread runs this task type. */
export function isEngineTask(canonicalType: string): boolean {
  return canonicalType === RESUME;
}

/** Runs an engine task; never rejects (a failure is a FAILED attempt with its error logged). */
export async function runEngineTask(job: TaskJob, host: EngineTaskHost): Promise<TaskResultMessage> {
  const started = isoDate(Date.now());
  const logs: TaskResultMessage['logs'] = [];
  const log = (level: LogLevel, message: string): void => {
    logs.push({ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: isoDate(Date.now()), level, message });
  };
  let state: StateType = 'SUCCESS';
  let error: TaskResultMessage['error'];
  try {
    const render = (v: unknown): string => renderString(String(v), job.vars, { now: () => Date.now() });
    const target = job.task.props.executionId !== undefined ? render(job.task.props.executionId) : job.executionId;
    const inputs = job.task.props.inputs !== undefined ? (renderObject(job.task.props.inputs, job.vars, { now: () => Date.now() }) as Record<string, unknown>) : undefined;
    await host.resume(target, inputs);
    log('INFO', `Resumed execution ${target}`);
  } catch (e) {
    state = 'FAILED';
    log('ERROR', e instanceof Error ? e.message : String(e));
    error = toErrorRecord(e);
  }
  const result: TaskResultMessage = {
    type: 'task.result',
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: state, histories: [{ state: 'CREATED', date: started }, { state: 'RUNNING', date: started }, { state, date: isoDate(Date.now()) }] } },
    outputs: state === 'SUCCESS' ? {} : null,
    logs,
  };
  if (error) result.error = error;
  return result;
}

/**
 * Tasks that run on the main thread, which owns the engine (the registry says `runs: 'main'`, e.g.
 * execution.Resume): dispatched like any task outside the actor, run here, and answered with an
 * ordinary result. The type's own behaviour is its `main.ts`, loaded on first use.
 */
import { failureLogMessage, renderObject, renderString, renderTyped } from '../expr/index.js';
import { kvFunction } from '../kv/index.js';
import { envSecrets, maskSecrets, secretFunction } from '../secrets/index.js';
import { createTaskFiles, storageFunctions } from '../storage/index.js';
import { toErrorRecord } from '../errors.js';
import type { LogLevel } from '../model/log-entry.js';
import { isoDate, type StateType } from '../model/state.js';
import type { TaskJob } from '../protocol/pool-messages.js';
import { taskResultMessage, type TaskResultMessage } from '../protocol/execution-messages.js';
import { mainBehaviourOf } from '../tasks/registry.js';
import type { EngineHost, MainContext } from '../tasks/run-spec.js';

/** Whether the main thread runs this task type. */
export function isEngineTask(canonicalType: string): boolean {
  return mainBehaviourOf(canonicalType) !== undefined;
}

/** Runs an engine task; never rejects (a failure is a FAILED attempt with its error logged). */
export async function runEngineTask(job: TaskJob, host: EngineHost): Promise<TaskResultMessage> {
  const started = isoDate(Date.now());
  const logs: TaskResultMessage['logs'] = [];
  const secrets = new Set<string>();
  const log = (level: LogLevel, message: string): void => {
    logs.push({ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: isoDate(Date.now()), level, message: maskSecrets(message, secrets) });
  };
  let state: StateType = 'SUCCESS';
  let outputs: Record<string, unknown> | null = null;
  let error: TaskResultMessage['error'];
  try {
    const behaviour = mainBehaviourOf(job.task.canonicalType);
    if (!behaviour) throw new Error(`The task type '${job.task.type}' cannot run on the main thread`);
    const kv = () => host.kvStore();
    const scope = { namespace: job.namespace, flowId: job.flowId, executionId: job.executionId, parent: job.parent };
    const options = { now: () => Date.now(), functions: { ...storageFunctions(host.storage, scope), secret: secretFunction(envSecrets(), secrets), kv: kvFunction(kv, job.namespace) } };
    const ctx: MainContext = {
      flow: { namespace: job.namespace, id: job.flowId },
      ...(job.taskRunValue !== undefined ? { taskRunValue: job.taskRunValue } : {}),
      render: (t) => renderString(t, job.vars, options),
      renderObject: (v) => renderObject(v, job.vars, options),
      renderTyped: (t) => renderTyped(t, job.vars, options),
      kv,
      files: createTaskFiles(host.storage, { ...scope, taskId: job.task.id, taskRunId: job.taskRunId, attempt: { number: job.attemptNumber, journal: host.fileJournal } }),
      log,
      metric: () => undefined,
      nowMs: () => Date.now(),
      signal: new AbortController().signal,
      engine: host,
      executionId: job.executionId,
    };
    const outcome = await (await behaviour.load()).run(job.task, ctx);
    outputs = outcome.outputs ?? {};
    if (outcome.state) state = outcome.state;
  } catch (e) {
    state = 'FAILED';
    log('ERROR', failureLogMessage(e));
    error = toErrorRecord(e);
  }
  const result = taskResultMessage({
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: state, histories: [{ state: 'CREATED', date: started }, { state: 'RUNNING', date: started }, { state, date: isoDate(Date.now()) }] } },
    outputs,
    logs,
  });
  if (error) result.error = error;
  return result;
}

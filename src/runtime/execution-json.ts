/** Executions in Kestra's JSON shape: states with startDate, endDate and duration. */
import type { Execution } from '../model/execution.js';
import { stateToJson, type StateJson } from '../model/state.js';
import type { TaskRun, TaskRunAttempt } from '../model/task-run.js';

/** A task run attempt as Kestra writes it. */
export type TaskRunAttemptJson = Omit<TaskRunAttempt, 'state'> & { state: StateJson };
/** A task run as Kestra writes it. */
export type TaskRunJson = Omit<TaskRun, 'state' | 'attempts'> & { state: StateJson; attempts?: TaskRunAttemptJson[] };
/** An execution as Kestra writes it. */
export type ExecutionJson = Omit<Execution, 'state' | 'taskRunList'> & { state: StateJson; taskRunList?: TaskRunJson[] };

/** A task run in Kestra's JSON shape (key order as Kestra writes it). */
export function taskRunToJson(run: TaskRun, nowMs: number): TaskRunJson {
  const json: Record<string, unknown> = { id: run.id, executionId: run.executionId, namespace: run.namespace, flowId: run.flowId, taskId: run.taskId };
  if (run.parentTaskRunId !== undefined) json.parentTaskRunId = run.parentTaskRunId;
  if (run.value !== undefined) json.value = run.value;
  if (run.attempts) json.attempts = run.attempts.map((a) => ({ ...(a.metrics ? { metrics: a.metrics } : {}), state: stateToJson(a.state, nowMs), ...(a.logFile ? { logFile: a.logFile } : {}) }));
  json.outputs = run.outputs;
  json.state = stateToJson(run.state, nowMs);
  if (run.iteration !== undefined) json.iteration = run.iteration;
  return json as TaskRunJson;
}

/** An execution in Kestra's JSON shape. */
export function executionToJson(e: Execution, nowMs: number): ExecutionJson {
  const { taskRunList, state, ...rest } = e;
  const json: ExecutionJson = { ...rest, state: stateToJson(state, nowMs) };
  if (taskRunList) json.taskRunList = taskRunList.map((r) => taskRunToJson(r, nowMs));
  return json;
}

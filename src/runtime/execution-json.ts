/** Executions in Kestra's JSON shape: states with startDate, endDate and duration. */
import type { Execution } from '../model/execution.js';
import { stateToJson } from '../model/state.js';
import type { TaskRun } from '../model/task-run.js';
import type { ExecutionJson, TaskRunJson } from '../model/execution-json.js';

export type { ExecutionJson, TaskRunJson, TaskRunAttemptJson } from '../model/execution-json.js';

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
  const { taskRunList, state, subflowDepth: _internal, slaDone: _sla, ...rest } = e;
  const json: ExecutionJson = { ...rest, state: stateToJson(state, nowMs) };
  if (taskRunList) json.taskRunList = taskRunList.map((r) => taskRunToJson(r, nowMs));
  return json;
}

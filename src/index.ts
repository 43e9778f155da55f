/**
 * @module troupe
 * Troupe's public entry: the Engine, the Kestra model types, errors. Re-exports only.
 */
export { Engine } from './runtime/engine.js';
export type { ExecuteOptions } from './runtime/engine.js';
export type { EngineOptions, ResolvedEngineOptions } from './runtime/engine-options.js';
export { executionToJson, taskRunToJson } from './runtime/execution-json.js';
export type { ExecutionJson, TaskRunJson, TaskRunAttemptJson } from './runtime/execution-json.js';
export { TroupeError, FlowError, ExpressionError, ERROR_CODES, toErrorRecord, fromErrorRecord } from './errors.js';
export type { ErrorCode, ErrorRecord, ErrorFamily } from './errors.js';
export { StateType } from './model/index.js';
export type { Execution, TaskRun, TaskRunAttempt, State, LogEntry, Label, Flow, Task } from './model/index.js';
export { parseFlow, validateFlow } from './flow/index.js';
export type { ParseFlowOptions, FlowValidation, FlowValidationError } from './flow/index.js';
export type { FlowRecord } from './store/index.js';
export type { PutOptions, PutSource, Storage, StorageWriter, StoredFile } from './storage/index.js';
export { listenIpc } from './ipc/server.js';
export type { IpcServer, IpcListenOptions } from './ipc/server.js';
export type { TroupeApi, ExecutionEvent, ExecutionFilter, FlowValidationReport, TriggerBackfill, TriggerFilter } from './troupe-api.js';
export type { TriggerBackfillJson, TriggerJson, TriggerSearchItem } from './triggers/index.js';

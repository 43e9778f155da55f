/**
 * @module client
 * The IPC client of the Troupe daemon (package entry `troupe/client`): `connect()` returns a
 * {@link TroupeApi} whose calls go over the data dir's Unix socket. It loads no part of the engine
 * (only the protocol, the error registry, node:net and msgpackr).
 */
export { connect, TroupeClient } from './connection.js';
export type { ConnectOptions } from './connection.js';
export { socketPathOf, SOCKET_NAME } from '../ipc/socket-path.js';
export { TroupeError, fromErrorRecord, ERROR_CODES } from '../errors.js';
export type { ErrorCode, ErrorRecord } from '../errors.js';
export type { TroupeApi, ExecuteOptions, ExecutionEvent, ExecutionFilter, FlowValidationReport, TaskRunPage, TriggerBackfill, TriggerFilter } from '../troupe-api.js';
export type { TriggerBackfillJson, TriggerJson, TriggerSearchItem } from '../triggers/json.js';
export type { ExecutionJson, TaskRunJson, TaskRunAttemptJson } from '../model/execution-json.js';
export type { FlowRecord } from '../store/types.js';
export type { KvEntry, KvPutOptions, KvType, KvTypedValue } from '../kv/types.js';
export type { LogEntry } from '../model/log-entry.js';
export type { StateType } from '../model/state.js';

/**
 * @module model
 * Kestra's domain in its JSON shapes: Flow, Execution, TaskRun, Attempt, State, LogEntry.
 * Pure: imports nothing from `node:*`, reads no clock and no randomness.
 */
export { StateType, isTerminated, isCreated, isRunning, createState, transition, stateToJson, formatIsoDuration, isoDate } from './state.js';
export type { State, StateHistory, StateJson } from './state.js';
export { idFromBytes } from './ids.js';
export { parseDuration, isDuration, formatHms } from './duration.js';
export type { IdGenerator } from './ids.js';
export type { TaskRun, TaskRunAttempt, Metric } from './task-run.js';
export type { Execution, ExecutionHeader, ExecutionTrigger, Label } from './execution.js';
export { CORRELATION_ID_LABEL } from './execution.js';
export { LogLevel, isLevelEnabled, isLogLevel } from './log-entry.js';
export type { LogEntry } from './log-entry.js';
export type { Flow, Task, TaskKind, RetryPolicy, FlowInput, FlowOutput, PluginDefault } from './flow.js';

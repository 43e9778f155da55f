/**
 * @module model
 * Kestra's domain in its JSON shapes: Flow, Execution, TaskRun, Attempt, State, LogEntry.
 * Pure: imports nothing from `node:*`, reads no clock and no randomness.
 */
export { StateType } from './state.js';
export type { State } from './state.js';
export type { TaskRun, TaskRunAttempt } from './task-run.js';
export type { Execution, Label } from './execution.js';
export type { LogEntry } from './log-entry.js';
export type { Flow, Task, RetryPolicy, FlowInput, FlowOutput, PluginDefault } from './flow.js';

/**
 * @module executor
 * The executor step: (flow, execution state with its indexes, one message) → (changed records,
 * effects). Pure: no `node:*`, no clock, no randomness — time, ids and randomness come in StepEnv.
 */
export { step } from './step.js';
export type { StepResult } from './step.js';
export type { StepEnv } from './context.js';
export type { DispatchEffect, SubflowStartEffect } from './effects.js';
export { createExecution, createExecutionState, toExecution } from './create.js';
export type { ExecutionState, RunEntry } from './state.js';
export { restoreExecutionState } from './restore.js';
export { releaseFinished } from './retention.js';
export { slaTimerId } from './sla.js';
export { DEFAULT_LIMITS } from '../model/limits.js';
export type { ExecutorLimits } from '../model/limits.js';

/** Executions and task runs in Kestra's JSON shape (states with startDate, endDate and duration). */
import type { Execution } from './execution.js';
import type { StateJson } from './state.js';
import type { TaskRun, TaskRunAttempt } from './task-run.js';

/** A task run attempt as Kestra writes it. */
export type TaskRunAttemptJson = Omit<TaskRunAttempt, 'state'> & { state: StateJson };
/** A task run as Kestra writes it. */
export type TaskRunJson = Omit<TaskRun, 'state' | 'attempts'> & { state: StateJson; attempts?: TaskRunAttemptJson[] };
/** An execution as Kestra writes it. */
export type ExecutionJson = Omit<Execution, 'state' | 'taskRunList'> & { state: StateJson; taskRunList?: TaskRunJson[] };

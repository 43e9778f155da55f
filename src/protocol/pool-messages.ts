/** The shard → pool boundary: one attempt of a runnable task to run. */
import type { Task } from '../model/flow.js';
import type { LogEntry } from '../model/log-entry.js';

/** A job for the pool: everything a task thread needs, as plain data. */
export interface TaskJob {
  executionId: string;
  namespace: string;
  flowId: string;
  taskRunId: string;
  attemptNumber: number;
  task: Task;
  vars: Record<string, unknown>;
  /** The execution's ERROR lines for `errorLogs()`, when the task uses it. */
  errorLogs?: LogEntry[];
}

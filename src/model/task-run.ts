/** Kestra's TaskRun and TaskRunAttempt, in the JSON shape Kestra writes. */
import type { State } from './state.js';

/** A metric registered by a task attempt: a counter (number) or a timer (ISO duration). */
export type Metric =
  | { name: string; tags: Record<string, string>; value: number; type: 'counter' }
  | { name: string; tags: Record<string, string>; value: string; type: 'timer' };

/** One attempt of a task run. */
export interface TaskRunAttempt {
  metrics?: Metric[];
  state: State;
  logFile?: string;
}

/** One run of one task (for one loop value), in Kestra's shape. */
export interface TaskRun {
  id: string;
  executionId: string;
  namespace: string;
  flowId: string;
  taskId: string;
  parentTaskRunId?: string;
  /** The loop value (always a string) for the direct children of a loop flowable. */
  value?: string;
  attempts?: TaskRunAttempt[];
  /** Always serialized by Kestra, may be null. */
  outputs: Record<string, unknown> | null;
  state: State;
  iteration?: number;
}

/** Kestra's Execution header and labels, in the JSON shape Kestra writes. */
import type { State } from './state.js';
import type { TaskRun } from './task-run.js';

/** An execution label. */
export interface Label {
  key: string;
  value: string;
}

/** What started an execution (a subflow's parent, a schedule, a webhook). */
export interface ExecutionTrigger {
  id: string;
  type: string;
  variables?: Record<string, unknown>;
  logFile?: string;
}

/** An Execution in Kestra's shape; `taskRunList` is assembled from the task-run records. */
export interface Execution {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  taskRunList?: TaskRun[];
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  labels: Label[];
  variables?: Record<string, unknown>;
  state: State;
  parentId?: string;
  originalId: string;
  trigger?: ExecutionTrigger;
  deleted: boolean;
  metadata: { attemptNumber: number; originalCreatedDate: string };
  scheduleDate?: string;
  /**
   * Troupe's own, not Kestra's JSON: how many Subflow levels above this execution (absent at the
   * top). Bounded by the engine's `maxSubflowDepth`.
   */
  subflowDepth?: number;
  /**
   * Troupe's own, not Kestra's JSON: the ids of the MAX_DURATION SLAs whose deadline was
   * processed (Kestra deletes the monitor), so a restored actor does not arm them again.
   */
  slaDone?: string[];
}

/** The execution without its task runs: what the store keeps in the header record. */
export type ExecutionHeader = Omit<Execution, 'taskRunList'>;

/** The system label that links an execution to the root of its tree. */
export const CORRELATION_ID_LABEL = 'system.correlationId';

/** A child execution to start (Subflow); the child id is chosen by the parent, so a recovery asks again for the same child. */
export interface ChildRequest {
  childId: string;
  namespace: string;
  flowId: string;
  revision?: number;
  inputs: Record<string, unknown>;
  labels: Label[];
  /** Whether the parent waits for the child's end. */
  wait: boolean;
  trigger: ExecutionTrigger;
  /**
   * One batch of a run with many children (ForEachItem's `_items`): the child is reported with
   * its header only and this identity ({@link ChildReport}), its outputs written to `outputsUri`
   * when its flow has some, and without `wait` its durable creation is reported instead of its end.
   */
  batch?: { iteration: number; epoch: number; outputsUri: string };
}

/** What a child's report carries for a run with many children (ForEachItem's `_items`): which child, and of which request epoch. */
export interface ChildReport {
  iteration: number;
  epoch: number;
  /** The report is the child's durable creation (a run that does not wait), not its end. */
  created?: boolean;
  /** Writing the child's outputs to internal storage failed: why. */
  outputsError?: string;
}

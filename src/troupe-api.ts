/**
 * The one asynchronous interface of Troupe's operations, implemented by the in-process
 * {@link Engine} and by the IPC client of `troupe/client`: code written against it runs embedded
 * or against a daemon unchanged. Types only: this file has no runtime code.
 * @module
 */
import type { ErrorRecord } from './errors.js';
import type { Label } from './model/execution.js';
import type { LogEntry } from './model/log-entry.js';
import type { StateType } from './model/state.js';
import type { ExecutionJson } from './model/execution-json.js';
import type { FlowRecord } from './store/types.js';
import type { KvEntry, KvPutOptions, KvTypedValue } from './kv/types.js';
import type { TaskRunJson } from './model/execution-json.js';
import type { TriggerBackfill, TriggerFilter, TriggerJson, TriggerSearchItem } from './triggers/json.js';

export type { TriggerBackfill, TriggerFilter } from './triggers/json.js';

/** One page of an execution's task runs (in `taskRunList` order) and how many it has. */
export interface TaskRunPage {
  results: TaskRunJson[];
  total: number;
}

/** Options of {@link TroupeApi.execute}. */
export interface ExecuteOptions {
  labels?: Label[];
  /**
   * Put `inputs` on the execution as given, without typing or validation (as Kestra's own tests
   * do); declared defaults still apply when rendering.
   * @default false
   */
  rawInputs?: boolean;
  /** Run this revision of the flow instead of the latest. */
  revision?: number;
  /** Start no earlier than this date (ISO 8601); the execution stays CREATED until then. */
  scheduleDate?: string;
}

/** A filter of {@link TroupeApi.listExecutions}; every given field must match. */
export interface ExecutionFilter {
  namespace?: string;
  flowId?: string;
  originalId?: string;
  /** The execution's current state. */
  state?: StateType;
}

/** What {@link TroupeApi.validate} finds in a flow source. */
export type FlowValidationReport =
  | { valid: true; namespace: string; id: string }
  | { valid: false; errors: Array<{ line?: number; column?: number; path?: string; message: string }>; error: ErrorRecord };

/**
 * One event of an execution, as {@link TroupeApi.follow} and {@link TroupeApi.subscribe} deliver
 * them: its state changes, its log lines in order, and its end (the last event of a follow).
 */
export type ExecutionEvent =
  | { type: 'execution.state'; executionId: string; namespace: string; flowId: string; state: StateType }
  | { type: 'execution.log'; executionId: string; log: LogEntry }
  | { type: 'execution.end'; executionId: string; execution: ExecutionJson };

/** Troupe's operations, asynchronous, the same embedded and over IPC. */
export interface TroupeApi {
  /**
   * Deploys a flow from its YAML source: a changed source gets the next revision.
   * @throws TroupeError TROUPE_FLOW_* when the flow is invalid
   */
  deploy(source: string, options?: { file?: string }): Promise<FlowRecord>;
  /** Checks a flow source without deploying it; never throws for an invalid flow. */
  validate(source: string, options?: { file?: string }): Promise<FlowValidationReport>;
  /** Every deployed flow, latest revisions. */
  getFlows(): Promise<FlowRecord[]>;
  /** A flow revision (the latest when `revision` is absent), deletion marks included; undefined when none. */
  getFlow(namespace: string, id: string, revision?: number): Promise<FlowRecord | undefined>;
  /**
   * Deletes a flow: a new revision marked `deleted` (Kestra's soft delete); returns it.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND when no live flow has that id
   */
  deleteFlow(namespace: string, id: string): Promise<FlowRecord>;
  /**
   * Starts an execution of the latest revision of a flow.
   * @returns the execution id, once its creation is durable
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND, TROUPE_INPUT_INVALID
   */
  execute(namespace: string, flowId: string, inputs?: Record<string, unknown>, options?: ExecuteOptions): Promise<string>;
  /** Resolves when the execution has ended, with its final JSON. */
  waitFor(executionId: string): Promise<ExecutionJson>;
  /** An execution in Kestra's JSON shape; undefined when unknown. */
  getExecution(executionId: string): Promise<ExecutionJson | undefined>;
  /** Execution headers (without task runs) matching a filter, in creation order. */
  listExecutions(filter?: ExecutionFilter): Promise<ExecutionJson[]>;
  /** The log lines of an execution, in order. */
  getLogs(executionId: string): Promise<LogEntry[]>;
  /**
   * A page of an execution's task runs (from `offset`, at most `limit`), for executions too large
   * to fetch whole; undefined when the execution is unknown.
   */
  taskRuns(executionId: string, offset: number, limit: number): Promise<TaskRunPage | undefined>;
  /**
   * Deletes an ended execution with its task runs and logs; resolves once durable.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs
   */
  deleteExecution(executionId: string): Promise<void>;
  /**
   * Replaces the labels of an ended execution; returns it.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs
   */
  setLabels(executionId: string, labels: Label[]): Promise<ExecutionJson>;
  /**
   * Changes an ended execution's state to another terminal state (Kestra's change-status); returns it.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (a non-terminal state), TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED
   */
  changeStatus(executionId: string, state: StateType): Promise<ExecutionJson>;
  /**
   * Sets one task run's state in an ended or paused execution (Kestra's `markAs`): its ancestors go
   * RUNNING and the execution goes on from there; returns it.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED, TROUPE_ILLEGAL_ARGUMENT (unknown task run)
   */
  setTaskRunState(executionId: string, taskRunId: string, state: StateType): Promise<ExecutionJson>;
  /** Kills an execution: KILLING, then KILLED; running attempts are aborted. */
  kill(executionId: string): Promise<void>;
  /**
   * Resumes a paused execution; `inputs` are typed against the Pause task's `onResume`.
   * @throws TroupeError TROUPE_EXECUTION_NOT_PAUSED, TROUPE_INPUT_INVALID, TROUPE_EXECUTION_NOT_FOUND
   */
  resume(executionId: string, inputs?: Record<string, unknown>): Promise<void>;
  /**
   * Restarts an ended (or paused) execution in place from its failed task runs (Kestra's restart):
   * they run again with a new attempt, the execution goes RESTARTED then RUNNING. Resolves with its
   * id once the restart is durable. With `revision`, a new execution of that flow revision restarts
   * instead (Kestra's `?revision=`), and its id is returned.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED (running), TROUPE_ILLEGAL_ARGUMENT (no failed task run), TROUPE_FLOW_NOT_FOUND (unknown revision)
   */
  restart(executionId: string, options?: { revision?: number }): Promise<string>;
  /**
   * Replays an execution as a new one (Kestra's replay): afresh, or from `taskRunId` with the
   * runs before it copied. Resolves with the new execution's id once its creation is durable.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_ILLEGAL_ARGUMENT (unknown task run), TROUPE_FLOW_NOT_FOUND (unknown revision)
   */
  replay(executionId: string, options?: { taskRunId?: string; revision?: number }): Promise<string>;
  /**
   * The events of one execution: its current state and log lines so far, then each change, ending
   * with `execution.end` when it terminates.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND (on the first `next()`)
   */
  follow(executionId: string): AsyncIterableIterator<ExecutionEvent>;
  /** The live keys of a namespace's KV store, in key order (kestra-api.md §6). */
  kvList(namespace: string): Promise<KvEntry[]>;
  /**
   * A KV value and its type; undefined when the key is absent.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (bad key), TROUPE_KV_EXPIRED (the entry is deleted)
   */
  kvGet(namespace: string, key: string): Promise<KvTypedValue | undefined>;
  /**
   * Puts a KV value (a string, number, boolean, null, list or map), overwriting.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (bad key, bad or negative ttl), TROUPE_KV_EXISTS (overwrite: false)
   */
  kvPut(namespace: string, key: string, value: unknown, options?: KvPutOptions): Promise<void>;
  /** Deletes KV keys; resolves with those that existed. */
  kvDelete(namespace: string, keys: string[]): Promise<string[]>;
  /**
   * The triggers that keep a state row (Schedule, http.Trigger) of the deployed flows, each with
   * its declaration, in namespace, flow and trigger order (Kestra's `/triggers/search`).
   */
  listTriggers(filter?: TriggerFilter): Promise<TriggerSearchItem[]>;
  /** One trigger's state row; undefined when none (an unknown trigger, or a Flow or Webhook trigger: they keep no state). */
  getTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson | undefined>;
  /**
   * Enables a trigger (Kestra's `PUT /triggers` with `disabled: false`): a Schedule applies its
   * `recoverMissedSchedules` — LAST fires the latest missed date, NONE waits for the next, ALL
   * replays every date since the last one. Returns the row.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  enableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Disables a trigger: it does not fire until enabled (an execution it started runs on). Returns the row.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  disableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Drops a trigger's lock on the execution it started (and a poll in progress): it fires again
   * at its next date without waiting for that execution's end. Returns the row.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`Trigger is not locked`), TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  unlockTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Kestra's trigger restart: the row forgets its last evaluated date and its evaluation lock. Returns the row.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  restartTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Starts a backfill of a Schedule (replacing one in progress): its dates from `start` to `end`
   * fire one execution at a time, then the schedule resumes where it was. Returns the row.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (a bad date, end before start), TROUPE_ILLEGAL_STATE (not a Schedule), TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  backfillTrigger(namespace: string, flowId: string, triggerId: string, backfill: TriggerBackfill): Promise<TriggerJson>;
  /**
   * Pauses a backfill in progress (the schedule's own dates do not fire meanwhile). Returns the row.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`No backfill found`), TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  pauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Resumes a paused backfill. Returns the row.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`No backfill found`), TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  unpauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /**
   * Drops a backfill: the schedule goes back to the date it was due next before it. Returns the row.
   * @throws TroupeError TROUPE_ILLEGAL_STATE (`No backfill found`), TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND
   */
  deleteBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson>;
  /** Every execution's events from now on, until `return()` is called or the connection ends. */
  subscribe(): AsyncIterableIterator<ExecutionEvent>;
  /** Releases what this handle holds (the engine, or the connection). */
  close(): Promise<void>;
}

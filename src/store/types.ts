/** The store's contract: what shards, the Engine and the API read and write. */
import type { ExecutionHeader, Execution } from '../model/execution.js';
import type { TaskRun } from '../model/task-run.js';
import type { LogEntry } from '../model/log-entry.js';

/** A deployed flow revision as stored. */
export interface FlowRecord {
  namespace: string;
  id: string;
  revision: number;
  /** The YAML source; the flow is re-parsed from it on load. */
  source: string;
  /** ISO date the revision was deployed. */
  updated: string;
  /** A deletion: this revision marks the flow deleted (its source is the last one). */
  deleted?: boolean;
}

/**
 * A trigger's state row (Kestra's `Trigger`: the scheduler's row per namespace, flow and trigger
 * id), written by the trigger service on the main thread. Dates are epoch milliseconds.
 */
export interface TriggerRecord {
  namespace: string;
  flowId: string;
  triggerId: string;
  /** The date last evaluated (the due date it fired for). */
  date?: number;
  /** When it is next due; absent while disabled. */
  nextExecutionDate?: number;
  /** The execution it started and that has not ended (the trigger does not fire meanwhile). */
  executionId?: string;
  updatedDate?: number;
  evaluateRunningDate?: number;
  /** A backfill in progress (Kestra's `Backfill`). */
  backfill?: { start: number; end: number; currentDate: number; paused: boolean; inputs?: Record<string, unknown>; labels?: Array<{ key: string; value: string }>; previousNextExecutionDate?: number };
  stopAfter?: string[];
  disabled: boolean;
  /** The trigger's definition when the row was made: a changed definition resets the row. */
  definition: string;
}

/** A window of a Flow trigger's multiple condition: which of its sub-conditions were met in it (Kestra's MultipleConditionWindow). */
export interface ConditionWindowRecord {
  namespace: string;
  flowId: string;
  conditionId: string;
  start: number;
  end: number;
  results: Record<string, boolean>;
}

/** A task-run record: its position in `taskRunList` and the task run itself. */
export interface TaskRunRecord {
  /** The position of the task run in the execution's taskRunList (0-based, never reused). */
  seq: number;
  taskRun: TaskRun;
  /**
   * How many consecutive crashes the run's current attempt was in flight during (absent: none).
   * Written before the attempt is dispatched again, so it survives the next crash it counts.
   */
  crashes?: number;
  /**
   * What an actor-side task keeps with its run that is not part of Kestra's TaskRun (ForEachItem's
   * `_items`: the children requested so far and its recovery epoch). Absent for most runs.
   */
  aux?: Record<string, number>;
}

/**
 * Work an execution's commit leaves to the main thread, written in the same transaction as the
 * change that causes it, deleted once done, replayed when an engine opens (src/triggers/outbox.ts).
 */
export interface OutboxEntry {
  seq: number;
  /** What to do (its `type` says which; src/triggers/outbox.ts). */
  effect: { type: string };
}

/** A KV entry as stored (src/kv gives it its meaning: types, expiry). */
export interface KvRecord {
  /** The value: a string, number, boolean, null, list or map. */
  value: unknown;
  /** Set for values Kestra keeps as dates: an ISO instant (DATETIME) or `yyyy-MM-dd` (DATE). */
  type?: 'DATETIME' | 'DATE';
  /** ISO instants. */
  creationDate: string;
  updateDate: string;
  /** ISO instant after which the entry reads as expired (and is deleted). */
  expirationDate?: string;
}

/** A KV entry of a scan across namespaces. */
export interface KvScanEntry {
  namespace: string;
  key: string;
  record: KvRecord;
}

/** Everything one shard changed over one batch of messages: written in one LMDB transaction. */
export interface ChangeBatch {
  headers: ExecutionHeader[];
  taskRuns: Array<{ executionId: string; record: TaskRunRecord }>;
  logs: Array<{ executionId: string; seq: number; entry: LogEntry }>;
  outboxPut?: Array<{ executionId: string; entry: OutboxEntry }>;
  outboxDelete?: Array<{ executionId: string; seq: number }>;
  /** Task-run records to remove (a WaitFor iteration's children). */
  taskRunDeletes?: Array<{ executionId: string; seq: number }>;
  /** Executions to remove whole (header, task runs, logs, outbox). */
  executionDeletes?: string[];
  /** Windows of Flow triggers' multiple conditions (the trigger service's, with the outbox record they answer). */
  windows?: { put: ConditionWindowRecord[]; remove: Array<{ namespace: string; flowId: string; conditionId: string }> };
}

/** The two stages of a write. */
export interface StagedWrite {
  committed: Promise<void>;
  durable: Promise<void>;
}

/** Bytes and records a store handle wrote, for benchmarks. */
export interface StoreStats {
  /** Write calls (writeBatch, putFlow); concurrent calls may share one LMDB commit. */
  transactions: number;
  /** Records put or deleted. */
  records: number;
  /** Bytes of encoded values written (keys not counted). */
  bytes: number;
}
/** Options of {@link Store} opening (see `openStore`). */
export interface StoreOptions {
  /** The data dir; the store lives in `<dataDir>/troupe.mdb` (created with the dir when absent). */
  dataDir: string;
  /**
   * Open for reading only: nothing is created or written, and the store must exist.
   * @default false
   */
  readOnly?: boolean;
  /**
   * Skip fsync: writes are not durable across a machine crash. For tests only.
   * @default false
   */
  noSync?: boolean;
}

/** Which executions {@link Store.listExecutionIds} lists. */
export interface ExecutionFilter {
  /** Only executions whose state is not terminated (recovery's scan). */
  nonTerminal?: boolean;
}

/** A database of an execution's sequenced records, for {@link Store.nextSeq}. */
export type SeqTable = 'taskruns' | 'logs' | 'outbox';

/**
 * The persistent store of one data dir: flows, execution headers, task runs, logs and the outbox,
 * as msgpack records in LMDB. Reads are synchronous; writes resolve once durable. Several threads
 * of one process may each open the same data dir.
 */
export interface Store {
  /** The data dir this store was opened on. */
  readonly dataDir: string;
  /**
   * Moves this handle's read snapshot to the latest commit. Reads otherwise see another thread's
   * commit only from a later event turn.
   */
  refresh(): void;
  /** Writes every change of a batch in one transaction; resolves once the commit is on disk. */
  writeBatch(batch: ChangeBatch): Promise<void>;
  /**
   * Writes a batch in one transaction and tells both stages apart: `committed` once other
   * readers see it, `durable` once lmdb-js's `flushed` says it is on disk (in commit order).
   */
  writeBatchStaged(batch: ChangeBatch): StagedWrite;
  /** Stores a flow revision; resolves once durable. */
  putFlow(rec: FlowRecord): Promise<void>;
  /** A flow revision, or its latest revision when `revision` is absent. */
  getFlow(namespace: string, id: string, revision?: number): FlowRecord | undefined;
  /** Every stored flow revision, ordered by namespace, id and revision. */
  listFlows(): FlowRecord[];
  /** An execution: its header with `taskRunList` assembled from its task-run records in seq order. */
  readExecution(id: string): Execution | undefined;
  /** An execution's header alone. */
  readHeader(id: string): ExecutionHeader | undefined;
  /** An execution's task-run records, in seq order. */
  readTaskRuns(executionId: string): TaskRunRecord[];
  /** A page of an execution's task-run records in seq order, and how many it has in all. */
  readTaskRunPage(executionId: string, offset: number, limit: number): { records: TaskRunRecord[]; total: number };
  /** An execution's task-run records, in seq order, read one at a time (a huge execution is never held whole). */
  iterateTaskRuns(executionId: string): Iterable<TaskRunRecord>;
  /**
   * Execution ids in id order, all or only those not terminated (with `nonTerminal`, an id whose
   * header cannot be decoded is listed too: its state is unknown).
   */
  listExecutionIds(filter?: ExecutionFilter): string[];
  /** Removes an execution: its header, task runs, logs and outbox; resolves once durable. */
  deleteExecution(id: string): Promise<void>;
  /** An execution's log entries, in seq order. */
  readLogs(executionId: string, fromSeq?: number): LogEntry[];
  /** An execution's log entries, in seq order, read one at a time (log.Fetch streams them to a file). */
  iterateLogs(executionId: string): Iterable<LogEntry>;
  /** An execution's pending outbox entries, in seq order. */
  readOutbox(executionId: string): OutboxEntry[];
  /** One outbox entry, undefined once deleted. */
  readOutboxEntry(executionId: string, seq: number): OutboxEntry | undefined;
  /** Every pending outbox entry, by execution id and seq (what an opening engine replays). */
  listOutbox(): Array<{ executionId: string; entry: OutboxEntry }>;
  /** One more than the highest seq stored for the execution in `table` (0 when none). */
  nextSeq(table: SeqTable, executionId: string): number;
  /**
   * Whether the last process to use the data dir closed it cleanly ({@link markCleanClose});
   * removes the mark, so a crash of this life is seen by the next open.
   */
  takeCleanClose(): boolean;
  /** Marks a clean close (all shards stopped after their writes); resolves once durable. */
  markCleanClose(): Promise<void>;
  /** Every trigger state row, by namespace, flow id and trigger id. */
  listTriggers(): TriggerRecord[];
  /** Puts and removes trigger state rows in one transaction; resolves once durable. */
  writeTriggers(put: TriggerRecord[], remove?: Array<{ namespace: string; flowId: string; triggerId: string }>): Promise<void>;
  /** {@link writeTriggers} with both stages apart (a commit made after `committed` is never durable before it). */
  writeTriggersStaged(put: TriggerRecord[], remove?: Array<{ namespace: string; flowId: string; triggerId: string }>): StagedWrite;
  /** Every window of a Flow trigger's multiple conditions (src/triggers/preconditions.ts). */
  listConditionWindows(): ConditionWindowRecord[];
  /** Puts and removes condition windows in one transaction; resolves once durable. */
  writeConditionWindows(put: ConditionWindowRecord[], remove?: Array<{ namespace: string; flowId: string; conditionId: string }>): Promise<void>;
  /** The KV entry `key` of `namespace`. */
  kvGet(namespace: string, key: string): KvRecord | undefined;
  /** A namespace's KV entries whose key starts with `prefix`, in key order, at most `limit`. */
  kvList(namespace: string, prefix?: string, limit?: number): Array<{ key: string; record: KvRecord }>;
  /** Every namespace's KV entries after `after` (exclusive) in key order, at most `limit` (sweeps). */
  kvScan(after: [namespace: string, key: string] | undefined, limit: number): KvScanEntry[];
  /** Writes a KV entry; resolves once durable. */
  kvPut(namespace: string, key: string, record: KvRecord): Promise<void>;
  /** Removes KV entries; resolves once durable with how many existed. */
  kvDelete(entries: ReadonlyArray<[namespace: string, key: string]>): Promise<number>;
  /** Execution headers after execution id `after` (exclusive) in id order, at most `limit` (purge sweeps). */
  readHeaderPage(after: string | undefined, limit: number): ExecutionHeader[];
  /** Removes the log entries of an execution that `match` selects; resolves once durable with how many. */
  deleteLogs(executionId: string, match: (entry: LogEntry) => boolean): Promise<number>;
  /** What this handle wrote since it was opened. */
  stats(): StoreStats;
  /** Waits for pending writes and closes this handle (other threads' handles stay open). */
  close(): Promise<void>;
}

export type { Execution };

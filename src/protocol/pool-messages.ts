/**
 * The pool boundary, whole: what a shard sends a task thread and gets back (jobs, cancels,
 * results, over one MessagePort per shard and thread), and what a task thread tells the main
 * thread, which owns its life (the start and end of attempts under a `timeout`, so a thread
 * blocked by CPU-bound work can be stopped). Plain records only: a job and its result never
 * assume they share a process, and a result is idempotent by attempt.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Task } from '../model/flow.js';
import type { LogEntry } from '../model/log-entry.js';
import type { WorkPhase } from '../model/work-phase.js';
import type { ErrorRecord } from '../errors.js';
import type { TaskResultMessage } from './execution-messages.js';

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
  /** A subflow's parent execution (its files are readable by this run). */
  parent?: { namespace: string; flowId: string; executionId: string };
  /** The run's loop value (`taskrun.value`), when it has one. */
  taskRunValue?: string;
  /** Not an attempt: a phase of a flowable's work around its children (WorkingDirectory); the result echoes it. */
  work?: WorkPhase;
  /** The directory the run works in, a name under the thread's `workDir`: its WorkingDirectory's. */
  workingDir?: string;
  /** Crashes this attempt was in flight during so far (absent: none): part of its started mark (pool/started-marks.ts). */
  crashes?: number;
}

/** A job as sent to a thread, with the sending shard's number for it (unique in that shard). */
export interface Ticketed<T> {
  ticket: number;
  value: T;
}

/** Shard → task thread: attempts to run, all at once (each concurrently in the thread). */
export interface JobsMessage {
  type: 'task.jobs';
  jobs: Array<Ticketed<TaskJob>>;
}

/** Shard → task thread: abort these attempts (kill): they end KILLED. */
export interface CancelMessage {
  type: 'task.cancel';
  tickets: number[];
}

/** Task thread → shard: every result that completed in a turn of the thread's event loop. */
export interface ResultsMessage {
  type: 'task.results';
  results: Array<Ticketed<TaskResultMessage>>;
}

/**
 * Task thread → shard: log lines of attempts still running (a script's output as it is written),
 * every line made in a turn of the thread's event loop in one message, sent before that turn's
 * results. The shard commits them in its next drain. Lines of an attempt that ends within the turn
 * they were made in travel with its result instead.
 */
export interface LogsMessage {
  type: 'task.logs';
  entries: LogEntry[];
}

/** What a shard sends a task thread. */
export type ToTaskThread = JobsMessage | CancelMessage;
/** What a task thread sends a shard. */
export type FromTaskThread = ResultsMessage | LogsMessage;

/** An attempt with a `timeout`, as the task thread that runs it names it to the main thread. */
export interface WatchedAttempt {
  shardIndex: number;
  ticket: number;
}

/**
 * Task thread → main: attempts under a `timeout` that started (with their timeout) or ended.
 * Sent only for such attempts; the main thread stops a thread whose attempt runs past its
 * timeout (a CPU-bound attempt never yields to its own timer).
 */
export interface WatchMessage {
  type: 'task.watch';
  started: Array<WatchedAttempt & { timeoutMs: number }>;
  ended: WatchedAttempt[];
}

/** Main → task thread: the port of a shard (new, or restarted: it replaces the old one). */
export interface ConnectMessage {
  type: 'pool.connect';
  shardIndex: number;
  port: MessagePort;
}

/** What a task thread is started with (workerData; the ports are transferred). */
export interface TaskThreadInit {
  /** The thread's place in the pool. */
  slot: number;
  /**
   * Two Int32 slots the thread keeps up to date: [shard index + 1, ticket] of the attempt whose
   * synchronous code runs now, 0 between attempts. After the thread died of its heap limit,
   * the main thread reads the culprit here.
   */
  running: SharedArrayBuffer;
  shards: Array<{ shardIndex: number; port: MessagePort }>;
  /** Where attempts make their scratch working directories (under the data dir). */
  workDir: string;
  /**
   * The internal storage every thread opens (the same local root as the engine's), and the largest
   * outputs a result carries before its largest values move there (the engine's `maxOutputBytes`).
   */
  storage: { root: string; noSync: boolean; maxOutputBytes?: number };
  /** The data dir, whose store the thread opens on first use (the KV store); absent for a bare pool. */
  dataDir?: string;
  /** Skip fsync on the thread's store writes (tests, as the engine's `noSync`). */
  noSync?: boolean;
  /** The engine's process limit, shared by every thread (pool/process-slots.ts). */
  processSlots: SharedArrayBuffer;
  /** The file where the thread marks each attempt it begins (pool/started-marks.ts); absent: no marks (a bare pool). */
  startedLog?: string;
}

/**
 * Why a thread of the pool was replaced, as each shard learns it: `ticket` names that shard's
 * attempt that caused it (it fails with `error`); the shard's other attempts on the thread are
 * dispatched again. Without a culprit (a death that names none), every attempt of the thread is
 * dispatched again, and one that was on two threads that died fails with `error`.
 */
export interface ThreadDeath {
  error: ErrorRecord;
  ticket?: number;
}

/** Creates a {@link JobsMessage}. */
export function jobsMessage(jobs: Array<Ticketed<TaskJob>>): JobsMessage {
  return { type: 'task.jobs', jobs };
}

/** Creates a {@link CancelMessage}. */
export function cancelMessage(tickets: number[]): CancelMessage {
  return { type: 'task.cancel', tickets };
}

/** Creates a {@link ResultsMessage}. */
export function resultsMessage(results: Array<Ticketed<TaskResultMessage>>): ResultsMessage {
  return { type: 'task.results', results };
}

/** Creates a {@link LogsMessage}. */
export function logsMessage(entries: LogEntry[]): LogsMessage {
  return { type: 'task.logs', entries };
}

/** Creates a {@link WatchMessage}. */
export function watchMessage(started: WatchMessage['started'], ended: WatchedAttempt[]): WatchMessage {
  return { type: 'task.watch', started, ended };
}

/** Creates a {@link ConnectMessage}. */
export function connectMessage(shardIndex: number, port: MessagePort): ConnectMessage {
  return { type: 'pool.connect', shardIndex, port };
}

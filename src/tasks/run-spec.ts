/**
 * What a task run outside the actor sees while it runs — in a pool thread (`runs: 'pool'`) or on
 * the main thread (`runs: 'main'`) — and what it must provide. The behaviour itself lives in a
 * `pool.ts` / `main.ts` file of the task's folder, loaded lazily (never by the pure registry).
 */
import type { Task } from '../model/flow.js';
import type { LogLevel } from '../model/log-entry.js';
import type { Metric } from '../model/task-run.js';
import type { StateType } from '../model/state.js';
import type { LogEntry } from '../model/log-entry.js';
import type { FileJournal, Storage, TaskFiles } from '../storage/index.js';
import type { KvStore } from '../kv/types.js';
import type { WorkPhase } from '../model/work-phase.js';

/** The task's view of its run: rendering in its context, logs, metrics, the clock, cancellation. */
export interface RunnableContext {
  /** The flow's namespace and id (whether or not the task's templates name `flow`). */
  flow: { namespace: string; id: string };
  /** The run's loop value (`taskrun.value`), when it has one. */
  taskRunValue?: string;
  /** String render of a template in the run's context (plus `extra` variables, e.g. `workingDir`). */
  render(template: string, extra?: Record<string, unknown>): string;
  /** Recursive render of maps and lists (strings rendered, other scalars kept). */
  renderObject(value: unknown, extra?: Record<string, unknown>): unknown;
  /** Typed render of a template (Kestra's `renderTyped`: a lone expression keeps its value's type). */
  renderTyped(template: string): unknown;
  /**
   * The data dir's KV store (opened on first use).
   * @throws TroupeError TROUPE_OPTION_INVALID where no data dir is known (a bare pool)
   */
  kv(): KvStore;
  log(level: LogLevel, message: string): void;
  metric(metric: Metric): void;
  nowMs(): number;
  /** Aborted on kill or timeout. */
  signal: AbortSignal;
  /** The directory under the data dir where attempts make their scratch working directories. */
  workDir: string;
  /**
   * The directory this run shares with the other tasks of its WorkingDirectory (absolute), when it
   * runs in one: a task uses it instead of a scratch directory of its own and never removes it.
   */
  workingDir?: string;
  /**
   * Internal storage as this run sees it: where it writes its files, which `kestra://` URIs it may
   * read (its execution's, its parent's, its namespace files), and the raw storage (`files.storage`).
   */
  files: TaskFiles;
  /**
   * Runs a child process for the attempt (script tasks): under the engine's process limit (it may
   * wait for a slot), in its own process group, marked so recovery kills it if the engine dies,
   * the group terminated on abort. Resolves once the child exited and its group is gone.
   */
  runChild(spec: ChildSpec): Promise<ChildExit>;
}

/** A child process to run. */
export interface ChildSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Each complete line of stdout or stderr as it arrives, with the characters dropped from it over the pool's line cap. */
  onLine(stream: 'stdout' | 'stderr', line: string, droppedChars: number): void;
}

/** How a child ended: its exit code (128 + signal number when killed by a signal, as a shell reports it). */
export interface ChildExit {
  exitCode: number;
  /** Set when it could not be started (e.g. the interpreter is missing). */
  spawnError?: Error;
}

/** What a task returns: its outputs, and a final state other than SUCCESS if it says so. */
export interface RunnableOutcome {
  outputs?: Record<string, unknown>;
  state?: 'WARNING';
  /** Set when the attempt failed but its outputs stand (a script's non-zero exit): the error message. */
  failure?: string;
}

/** A task type run in a pool thread. Throwing fails the attempt with the error's message logged at ERROR. */
export interface PoolTask {
  run(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> | RunnableOutcome;
}

/** What a flowable that works around its children (WorkingDirectory) runs in the pool, by phase (model/work-phase.ts). */
export type FlowableWork = Record<WorkPhase, PoolTask>;

/** What PurgeExecutions purges (ISO dates; Kestra's `ExecutionService.purge`). */
export interface ExecutionPurge {
  /** With `flowId` the namespace itself, else it and every namespace under it. */
  namespace?: string;
  flowId?: string;
  startDate?: string;
  endDate: string;
  states?: StateType[];
  purgeExecution?: boolean;
  purgeLog?: boolean;
  purgeMetric?: boolean;
  purgeStorage?: boolean;
}

/** What PurgeExecutions reports. */
export interface ExecutionPurgeResult {
  executionsCount: number;
  logsCount: number;
  storagesCount: number;
  metricsCount: number;
}

/** What PurgeLogs purges (ISO dates). */
export interface LogPurge {
  namespace?: string;
  flowId?: string;
  logLevels?: LogLevel[];
  startDate?: string;
  endDate: string;
}

/** What the main thread lets a main-side task do to the engine. */
export interface EngineHost {
  resume(executionId: string, inputs?: Record<string, unknown>): Promise<void>;
  /** The engine's KV store. */
  kvStore(): KvStore;
  /**
   * Enables or disables a trigger's state row (io.kestra.plugin.core.trigger.Toggle).
   * @throws when the flow or the row does not exist
   */
  setTriggerDisabled(namespace: string, flowId: string, triggerId: string, disabled: boolean): Promise<void>;
  /** Purges ended executions (PurgeExecutions). */
  purgeExecutions(purge: ExecutionPurge): Promise<ExecutionPurgeResult>;
  /** Purges log lines (PurgeLogs); resolves with how many. */
  purgeLogs(purge: LogPurge): Promise<number>;
  /** An execution's stored log lines in order, read one at a time (log.Fetch); none for an unknown id. */
  logEntries(executionId: string): Iterable<LogEntry>;
  /** The engine's internal storage. */
  readonly storage: Storage;
  /** Where attempts note the files they write (removed with them when never committed). */
  readonly fileJournal: FileJournal;
}

/** What a main-side task sees: the pool's context (its storage view included), the engine, and its own execution's id. */
export interface MainContext extends Omit<RunnableContext, 'workDir' | 'runChild'> {
  engine: EngineHost;
  executionId: string;
}

/** A task type run on the main thread, which owns the engine (execution.Resume). */
export interface MainTask {
  run(task: Task, ctx: MainContext): Promise<RunnableOutcome>;
}

/** A property as a string, or `fallback`. */
export function stringProp(task: Task, prop: string, fallback = ''): string {
  const v = task.props[prop];
  return v === undefined || v === null ? fallback : String(v);
}

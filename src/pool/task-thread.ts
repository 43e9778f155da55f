/**
 * Thread entry of the task pool. Each shard has its own MessagePort to this thread: jobs come in
 * batches on it, run concurrently here, and their results go back on it, every result that
 * completed in a turn of this thread's event loop in one message. The main thread only starts,
 * connects and (for a `timeout`) stops this thread; it never relays a job or a result.
 */
import { join } from 'node:path';
import { parentPort, threadId, workerData, type MessagePort } from 'node:worker_threads';
import { failureLogMessage, renderObject, renderString, renderTyped, type HostFunction } from '../expr/index.js';
import { TroupeError, toErrorRecord } from '../errors.js';
import { formatHms, parseDuration } from '../model/duration.js';
import type { LogEntry, LogLevel } from '../model/log-entry.js';
import { isoDate, type StateType } from '../model/state.js';
import type { Metric } from '../model/task-run.js';
import { logsMessage, resultsMessage, watchMessage, type ConnectMessage, type TaskJob, type TaskThreadInit, type Ticketed, type ToTaskThread, type WatchMessage, type WatchedAttempt } from '../protocol/pool-messages.js';
import { taskResultMessage, type TaskResultMessage } from '../protocol/execution-messages.js';
import { envSecrets, maskSecrets, secretFunction } from '../secrets/index.js';
import { createTaskFiles, DEFAULT_MAX_OUTPUT_BYTES, FileJournal, LocalStorage, outputsFit, spillOversizedOutputs, storageFunctions, type TaskFiles } from '../storage/index.js';
import { poolTaskOf, poolWorkOf } from '../tasks/pool.js';
import { kvFunction, LmdbKvStore, type KvStore } from '../kv/index.js';
import { openStore } from '../store/index.js';
import type { RunnableContext } from '../tasks/run-spec.js';
import { runChild, type ChildHost } from './child-process.js';
import { ProcessSlots } from './process-slots.js';
import { StartedLog } from './started-marks.js';

class KilledError extends Error {
  constructor() {
    super('The execution was killed');
  }
}

/**
 * An attempt's cancellation (a kill, a timeout): a promise that rejects with the reason, and an
 * AbortSignal made only when the task asks for one (most never do: an AbortController and its
 * listener cost more than a Return's whole run).
 */
class AttemptAbort {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #reject!: (reason: unknown) => void;
  /** Rejects with the reason once aborted. */
  readonly aborted = new Promise<never>((_, reject) => (this.#reject = reject));

  constructor() {
    this.aborted.catch(() => {}); // raced by the attempt, or never looked at
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#reject(reason);
  }
}

/** One shard's port and the results waiting for the end of the turn. */
interface Link {
  port: MessagePort;
  shardIndex: number;
  pending: Array<Ticketed<TaskResultMessage>>;
  flushScheduled: boolean;
  /** Attempts running for this shard, by ticket: aborted on cancel. */
  running: Map<number, AttemptAbort>;
  /** Log lines of running attempts not yet sent, by ticket (streamed at the end of each turn). */
  logs: Map<number, LogEntry[]>;
}

const init = workerData as TaskThreadInit;
/** [shard index + 1, ticket] of the attempt whose synchronous code runs now; 0 between. */
const current = new Int32Array(init.running);
const links = new Map<number, Link>();
/** The engine's internal storage, opened on the same root by every thread. */
const storage = new LocalStorage(init.storage);
/** Where each attempt notes the files it writes before they become visible (storage/file-journal.ts). */
const fileJournal = new FileJournal(init.storage.root, init.storage.noSync);
const maxOutputBytes = init.storage.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
let kvStore: LmdbKvStore | undefined;
/** Marks of the attempts this thread begins: a crash counts only against those (started-marks.ts). */
const startedLog = init.startedLog === undefined ? undefined : new StartedLog(init.startedLog);

/** The KV store over this thread's own handle on the data dir's store, opened on first use. */
function threadKv(): KvStore {
  if (!init.dataDir) throw new TroupeError('TROUPE_OPTION_INVALID', 'This task pool has no data dir: the KV store is not available');
  kvStore ??= new LmdbKvStore(openStore({ dataDir: init.dataDir, noSync: init.noSync === true }), () => Date.now());
  return kvStore;
}

/** Children of this thread's attempts: markers named after the thread, under the shared process limit. */
const childHost: ChildHost = { workDir: init.workDir, tag: `t${threadId}`, slots: new ProcessSlots(init.processSlots, init.slot) };
let watched: { started: WatchMessage['started']; ended: WatchedAttempt[] } = { started: [], ended: [] };

function enter(shardIndex: number, ticket: number): void {
  current[1] = ticket;
  current[0] = shardIndex + 1;
}

function leave(): void {
  current[0] = 0;
}

function connect(shardIndex: number, port: MessagePort): void {
  links.get(shardIndex)?.port.close();
  const link: Link = { port, shardIndex, pending: [], flushScheduled: false, running: new Map(), logs: new Map() };
  links.set(shardIndex, link);
  port.on('message', (msg: ToTaskThread) => {
    if (msg.type === 'task.jobs') {
      startedLog?.begin(msg.jobs); // before any of their code runs
      for (const { ticket, value } of msg.jobs) void runJob(link, ticket, value);
    } else if (msg.type === 'task.cancel') {
      for (const ticket of msg.tickets) link.running.get(ticket)?.abort(new KilledError());
    }
  });
}

function postWatch(): void {
  parentPort!.postMessage(watchMessage(watched.started, watched.ended));
  watched = { started: [], ended: [] };
}

async function runJob(link: Link, ticket: number, job: TaskJob): Promise<void> {
  const abort = new AttemptAbort();
  link.running.set(ticket, abort);
  const logs: LogEntry[] = [];
  link.logs.set(ticket, logs);
  const result = await runTask(job, abort, link.shardIndex, ticket, logs, () => scheduleFlush(link));
  startedLog?.end(job);
  link.running.delete(ticket);
  link.logs.delete(ticket);
  if (link.port !== links.get(link.shardIndex)?.port) return; // the shard reconnected: it dispatches again
  link.pending.push({ ticket, value: result });
  scheduleFlush(link);
}

function scheduleFlush(link: Link): void {
  if (link.flushScheduled) return;
  link.flushScheduled = true;
  setImmediate(() => flush(link));
}

/**
 * The end of a turn: log lines of attempts still running leave first (streamed), then every result
 * that completed in the turn (each with the lines it made since the last flush), in one message each.
 */
function flush(link: Link): void {
  link.flushScheduled = false;
  if (link.port === links.get(link.shardIndex)?.port) {
    const entries: LogEntry[] = [];
    for (const buffered of link.logs.values()) {
      for (const entry of buffered) entries.push(entry);
      buffered.length = 0;
    }
    if (entries.length) link.port.postMessage(logsMessage(entries));
    if (link.pending.length) {
      const results = link.pending;
      link.pending = [];
      link.port.postMessage(resultsMessage(results));
    }
  }
  if (watched.ended.length || watched.started.length) postWatch();
}

/** Runs one attempt. Never throws: a failure is a FAILED attempt with its error logged. */
async function runTask(job: TaskJob, abort: AttemptAbort, shardIndex: number, ticket: number, logs: LogEntry[], onLog: () => void): Promise<TaskResultMessage> {
  enter(shardIndex, ticket);
  // In a WorkingDirectory (its children, its own work): the shared directory, and `{{ workingDir }}` renders it.
  const workingDir = job.workingDir === undefined ? undefined : join(init.workDir, job.workingDir);
  const vars = workingDir === undefined ? job.vars : { ...job.vars, workingDir };
  const startMs = Date.now();
  const metrics: Metric[] = [];
  /** Values secret() returned in this attempt: its log lines are masked with them (Kestra §4). */
  const secrets = new Set<string>();
  const log = (level: LogLevel, message: string): void => {
    logs.push({ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: isoDate(Date.now()), level, thread: `troupe-pool-${threadId}`, message: maskSecrets(message, secrets) });
    onLog();
  };
  /** The KV store, its read snapshot moved to the latest commit once per attempt. */
  let kvFresh: KvStore | undefined;
  const kv = (): KvStore => {
    if (kvFresh) return kvFresh;
    kvFresh = threadKv();
    kvStore!.refresh();
    return kvFresh;
  };
  const scope = { namespace: job.namespace, flowId: job.flowId, executionId: job.executionId, parent: job.parent };
  // Set up on first use: most attempts call no function and touch no file (a Return, a Log).
  let functions: Record<string, HostFunction> | undefined;
  let files: TaskFiles | undefined;
  const renderOptions = {
    now: () => Date.now(),
    get functions(): Record<string, HostFunction> {
      return (functions ??= { ...storageFunctions(storage, scope), errorLogs: () => job.errorLogs ?? [], secret: secretFunction(envSecrets(), secrets), kv: kvFunction(kv, job.namespace) });
    },
  };
  const ctx: RunnableContext = {
    flow: { namespace: job.namespace, id: job.flowId },
    ...(job.taskRunValue !== undefined ? { taskRunValue: job.taskRunValue } : {}),
    render: (t, extra) => renderString(t, extra ? { ...vars, ...extra } : vars, renderOptions),
    renderObject: (v, extra) => renderObject(v, extra ? { ...vars, ...extra } : vars, renderOptions),
    renderTyped: (t) => renderTyped(t, vars, renderOptions),
    kv,
    log,
    metric: (m) => metrics.push(m),
    nowMs: () => Date.now(),
    get signal(): AbortSignal {
      return abort.signal;
    },
    workDir: init.workDir,
    ...(workingDir !== undefined ? { workingDir } : {}),
    get files(): TaskFiles {
      return (files ??= createTaskFiles(storage, { ...scope, taskId: job.task.id, taskRunId: job.taskRunId, attempt: { number: job.attemptNumber, journal: fileJournal } }));
    },
    runChild: (spec) => runChild(spec, abort.signal, childHost),
  };
  let state: StateType = 'SUCCESS';
  let outputs: Record<string, unknown> | null = null;
  let error: TaskResultMessage['error'];
  let timer: NodeJS.Timeout | undefined;
  let watchedAttempt: WatchedAttempt | undefined;
  try {
    const spec = job.work ? await poolWorkOf(job.task.canonicalType, job.work) : await poolTaskOf(job.task.canonicalType);
    enter(shardIndex, ticket);
    let timedOut: Promise<never> | undefined;
    if (job.task.timeout !== undefined && !job.work) {
      const timeoutMs = parseDuration(ctx.render(job.task.timeout));
      watchedAttempt = { shardIndex, ticket };
      watched.started.push({ shardIndex, ticket, timeoutMs });
      // The main thread must know before the attempt's code runs: it may never yield again.
      postWatch();
      timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new TroupeError('TROUPE_TASK_TIMEOUT', `Timeout after ${formatHms(timeoutMs)}`, { timeoutMs });
          abort.abort(err);
          reject(err);
        }, timeoutMs);
      });
    }
    const work = Promise.resolve().then(() => {
      enter(shardIndex, ticket);
      try {
        return spec.run(job.task, ctx);
      } finally {
        leave();
      }
    });
    const outcome = await Promise.race(timedOut ? [work, timedOut, abort.aborted] : [work, abort.aborted]);
    const raw = outcome.outputs ?? {};
    if (outputsFit(raw, maxOutputBytes)) outputs = raw;
    else {
      // The run's files are made only if an output is spilled (most attempts spill nothing).
      const lazyFiles = new Proxy({} as TaskFiles, { get: (_, key) => { const f = ctx.files; const v = Reflect.get(f, key) as unknown; return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(f) : v; } });
      const spilled = await spillOversizedOutputs(raw, lazyFiles, maxOutputBytes, abort.signal);
      for (const m of spilled.moved) log('WARN', `Output '${m.key}' (${m.bytes} bytes) is over the limit of ${maxOutputBytes} bytes (maxOutputBytes): stored in ${m.uri}, read it with read()`);
      outputs = spilled.outputs;
    }
    if (outcome.state) state = outcome.state;
    if (outcome.failure !== undefined) {
      state = 'FAILED';
      log('ERROR', outcome.failure);
      error = toErrorRecord(new TroupeError('TROUPE_TASK_FAILED', outcome.failure));
    }
  } catch (e) {
    state = e instanceof KilledError ? 'KILLED' : 'FAILED';
    log('ERROR', failureLogMessage(e));
    error = toErrorRecord(e);
  } finally {
    leave();
    if (timer) clearTimeout(timer);
    if (watchedAttempt) watched.ended.push(watchedAttempt);
  }
  const startDate = isoDate(startMs);
  const result = taskResultMessage({
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: state, histories: [{ state: 'CREATED', date: startDate }, { state: 'RUNNING', date: startDate }, { state, date: isoDate(Date.now()) }] } },
    outputs,
    logs,
    ...(job.work ? { work: job.work } : {}),
  });
  if (metrics.length) result.attempt.metrics = metrics;
  if (error) result.error = error;
  return result;
}

for (const { shardIndex, port } of init.shards) connect(shardIndex, port);
parentPort!.on('message', (msg: ConnectMessage) => {
  if (msg.type === 'pool.connect') connect(msg.shardIndex, msg.port);
});

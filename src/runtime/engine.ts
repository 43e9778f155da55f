/**
 * The Engine: Troupe embedded in a process. The main thread holds the flow registry, the router
 * and owns the task pool's threads; execution actors live in shard threads, which send jobs to
 * the pool's threads and get their results back directly. The main thread sees creations,
 * acknowledgements and execution ends (headers); it never holds an execution's context.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, type MessagePort } from 'node:worker_threads';
import { TroupeError, fromErrorRecord, toErrorRecord } from '../errors.js';
import { parseFlow, validateFlow } from '../flow/index.js';
import type { Execution, ExecutionHeader, Label } from '../model/execution.js';
import { isTerminated, type StateType } from '../model/state.js';
import type { LogEntry } from '../model/log-entry.js';
import type { FlowInput } from '../model/flow.js';
import { TaskPool } from '../pool/task-pool.js';
import { FileJournal, LocalStorage, stageInputFiles, type JournalReport } from '../storage/index.js';
import { committedIn } from './committed-files.js';
import { reapSurvivors } from '../pool/process-markers.js';
import { listStartedLogs, removeStartedLogs, startedDir } from '../pool/started-marks.js';
import { dequeueMessage, killMessage, resumeMessage, type TaskResultMessage } from '../protocol/execution-messages.js';
import { executionRequestMessage, listenersMessage, mailboxMessage, mainResultsMessage, poolRetireMessage, poolThreadMessage, shardBatchMessage, type DrainOutput, type FromShard, type ShardInit, type ShardRequest, type ShardStats, type ShardThreadData, type ReplayRequest, type ToShard } from '../protocol/shard-messages.js';
import type { ThreadDeath } from '../protocol/pool-messages.js';
import { acquireDataDirLock, openStore, type DataDirLock, type FlowRecord, type Store } from '../store/index.js';
import { executionToJson, taskRunToJson, type ExecutionJson } from './execution-json.js';
import { newId } from './shard.js';
import { threadEntry } from '../thread-entry.js';
import { TestClock, type Clock } from './clock.js';
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from './engine-options.js';
import { shardOf } from './router.js';
import { SubflowLinks } from './subflow-links.js';
import { runEngineTask } from './engine-tasks.js';
import { FlowCache, onResumeInputs } from './flow-cache.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { assertInputs } from '../inputs/index.js';
import { indexFlow } from '../executor/flow-index.js';
import { applyPlan, asNewExecution, planReplay, planRestart, refusalError, type RestartPlan } from '../executor/restart.js';
import type { ExecuteOptions, ExecutionEvent, ExecutionFilter, FlowValidationReport, TaskRunPage, TriggerBackfill, TriggerFilter, TroupeApi } from '../troupe-api.js';
import { followExecution, subscribeExecutions, type FeedSource } from './execution-feed.js';
import { flowTriggerInterest, interestTest, listenersEffect, TriggerService, triggerToJson, type InterestTest, type ListenerInterest, type TriggerHost, type TriggerJson, type TriggerSearchItem, type WebhookRequest, type WebhookResult } from '../triggers/index.js';
import { backfillRequestOf, findTrigger, searchTriggers } from '../triggers/operations.js';
import type { Flow } from '../model/flow.js';
import { renderObject, renderString } from '../expr/index.js';
import { envSecrets, secretFunction } from '../secrets/index.js';
import { resolveTaskType } from '../tasks/registry.js';
import { createState, isoDate } from '../model/state.js';
import { purgeExecutions, purgeLogs, Retention, type PurgeHost, type RetentionReport } from './purge.js';
import { executionPrefix } from '../storage/uri.js';
import type { ExecutionPurge, ExecutionPurgeResult, LogPurge } from '../tasks/run-spec.js';
import { apiPut, LmdbKvStore, type KvEntry, type KvPutOptions, type KvStore, type KvTypedValue } from '../kv/index.js';

export type { ExecuteOptions } from '../troupe-api.js';

interface ShardHandle {
  worker: Worker;
  index: number;
  threadId: number;
  pendingResults: Array<{ executionId: string; result: TaskResultMessage }>;
  flushScheduled: boolean;
  closed?: () => void;
  statsWaiters: Array<(s: ShardStats) => void>;
  /** Whether the current thread has not exited. */
  alive: boolean;
  /** Resolves once the current thread has recovered its executions (`shard.ready`). */
  ready: Promise<void>;
  onReady?: () => void;
  onExit: Array<() => void>;
  /** While a replacement thread recovers: messages for it, posted once it is ready. */
  backlog?: ToShard[];
  /** Messages of this turn, posted together at its end (see #post). */
  outbox: ToShard[];
  /** When the shard died lately (clock ms). */
  deaths: number[];
}

/** A shard that dies more than this many times within {@link RESTART_WINDOW_MS} is not restarted again. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** How long close() waits for a shard to finish its writes before it terminates the thread (wall clock). */
const CLOSE_GRACE_MS = 30_000;
/** Flow records the engine keeps read (#flowRecord); past it, the cache starts again. */
const FLOW_RECORDS_CACHED = 4096;
/** How often the journals of committed attempts are removed (storage/file-journal.ts). */
const JOURNAL_SWEEP_MS = 60_000;

interface Waiter {
  resolve: (e: ExecutionJson) => void;
  reject: (e: Error) => void;
  /** Whether the caller wants the task runs (read from the store once the end is durable). */
  taskRuns: boolean;
}

/** Options of {@link Engine.waitFor}. */
export interface WaitForOptions {
  /**
   * Return the task runs too (`taskRunList`), read from the store. `false` returns the header
   * only: what a caller of a huge execution wants, without loading every task run.
   * @default true
   */
  taskRuns?: boolean;
}

/**
 * Troupe's engine, in-process.
 * @example
 * const engine = await Engine.open({ dataDir: './data' });
 * await engine.deploy(yamlSource);
 * const id = await engine.execute('company.team', 'hello');
 * const execution = await engine.waitFor(id);
 * await engine.close();
 */
export class Engine implements TroupeApi {
  readonly #options: ResolvedEngineOptions;
  readonly #store: Store;
  /** Internal storage (`<dataDir>/storage` unless `storageDir` says otherwise). */
  readonly storage: LocalStorage;
  /** Where attempts note the files they write before those become visible (storage/file-journal.ts). */
  readonly fileJournal: FileJournal;
  #journalTimer: NodeJS.Timeout | undefined;
  readonly #lock: DataDirLock;
  readonly #pool: TaskPool;
  readonly #shards: ShardHandle[] = [];
  #messagesIn = 0;
  readonly #created = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  readonly #waiters = new Map<string, Waiter[]>();
  #closed = false;
  #closing: Promise<void> | undefined;
  #opening = true;
  #failure: Error | undefined;
  readonly #clock: Clock;
  #unlistenClock: (() => void) | undefined;
  /** Creation requests not yet acknowledged: re-sent to a restarted shard that lost them. */
  readonly #creations = new Map<string, ToShard & { type: 'execution.create' }>();
  #subflows!: SubflowLinks;
  readonly #flows = new FlowCache();
  /** Flow records by namespace, id and revision ('' for the latest), undefined for none (see #flowRecord). */
  readonly #flowRecords = new Map<string, FlowRecord | undefined>();
  readonly #limiter = new ConcurrencyLimiter();
  readonly #changeListeners = new Set<(executionId: string) => void>();
  readonly #feedClosers = new Set<() => void>();
  /** Requests sent to shards (`execution.request`), by id, until their reply. */
  readonly #requests = new Map<number, { shard: number; resolve: () => void; reject: (e: Error) => void }>();
  #nextRequest = 1;
  #triggers: TriggerService | undefined;
  /** What the shards record for Flow triggers (src/triggers/outbox.ts), and its test. */
  #interest: ListenerInterest = [];
  #interestTest: InterestTest | undefined;
  /** Outbox records reported while the trigger service opens: handed to it once open. */
  readonly #outboxWhileOpening: Array<[string, number]> = [];
  /** Aborted at close: polls of http.Triggers in progress. */
  readonly #triggerPolls = new AbortController();
  readonly #kv: LmdbKvStore;
  readonly #retention: Retention;

  private constructor(options: ResolvedEngineOptions, store: Store, lock: DataDirLock) {
    this.#options = options;
    this.#store = store;
    this.#lock = lock;
    this.#clock = options.clock;
    this.storage = new LocalStorage({ root: options.storageDir, noSync: options.noSync });
    this.fileJournal = new FileJournal(options.storageDir, options.noSync);
    this.#kv = new LmdbKvStore(store, () => this.#clock.now());
    this.#retention = new Retention(this.#purgeHost(), (batch) => this.#kv.sweepExpired(batch), options.retention, () => this.#clock.now());
    this.#pool = new TaskPool({
      threads: options.poolThreads,
      resourceLimits: options.poolResourceLimits,
      workDir: join(options.dataDir, 'work'),
      storage: { root: options.storageDir, noSync: options.noSync, maxOutputBytes: options.maxOutputBytes },
      dataDir: options.dataDir,
      noSync: options.noSync,
      maxProcesses: options.maxProcesses,
      minThreads: options.poolMinThreads,
      idleMs: options.poolIdleMs,
      askRetire: (slot, shards) => shards.forEach((i) => this.#shards[i] && this.#post(this.#shards[i]!, poolRetireMessage(slot))),
      startedDir: startedDir(options.dataDir),
      onReplaced: (shardIndex, slot, port, death) => this.#poolThreadReplaced(shardIndex, slot, port, death),
    });
  }

  /**
   * Opens the engine on a data directory (created if missing), which it locks against other processes.
   * @param options where the data lives and how many threads to run
   */
  static async open(options: EngineOptions): Promise<Engine> {
    const resolved = resolveEngineOptions(options, availableParallelism());
    mkdirSync(resolved.dataDir, { recursive: true });
    const lock = acquireDataDirLock(resolved.dataDir);
    let store: Store | undefined;
    let engine: Engine | undefined;
    try {
      // Scripts of a previous life that survived it are killed before anything is dispatched again.
      await reapSurvivors(join(resolved.dataDir, 'work'));
      store = openStore({ dataDir: resolved.dataDir, noSync: resolved.noSync });
      // No clean-close mark: the last life crashed, so attempts found in flight count a crash.
      const crashed = !store.takeCleanClose();
      // Temp files of writes a crash interrupted: nothing references them.
      await new LocalStorage({ root: resolved.storageDir }).removeOrphans();
      // Complete files of attempts whose result was never committed (and FILE inputs of executions
      // never created): deleted before anything is dispatched again.
      await new FileJournal(resolved.storageDir, resolved.noSync).reconcile(new LocalStorage({ root: resolved.storageDir }), committedIn(store));
      // Started marks of the last life's pool threads: read by the shards as they recover, then removed.
      const lastLife = listStartedLogs(startedDir(resolved.dataDir));
      engine = new Engine(resolved, store, lock);
      const e = engine;
      e.#subflows = new SubflowLinks(store, {
        typeInputs: (record, inputs) => e.#typeInputs(record, inputs),
        toParent: (parentId, message) => e.#sendTo(parentId, mailboxMessage(parentId, message)),
        createChild: (childId, record, msg, onCreated) => {
          // Known from now on: waitFor(childId) waits instead of answering 'not found'.
          e.#created.set(childId, { resolve: onCreated ?? (() => {}), reject: () => {} });
          e.#create(childId, e.#admit(record, msg));
        },
        writeFile: async (uri, text) => void (await e.storage.put(uri, text)),
        now: () => e.#clock.now(),
      });
      e.recovering = store.listExecutionIds({ nonTerminal: true });
      e.#limiter.restore(store);
      // Shards record ends for Flow triggers from their first drain (recovered executions may end at once).
      e.#setInterest(e.#deployedInterest());
      await e.#startShards(crashed);
      removeStartedLogs(lastLife);
      e.#triggers = await TriggerService.open(e.#triggerHost());
      if (e.#outboxWhileOpening.length) e.#triggers.drained([], e.#outboxWhileOpening.splice(0));
      e.#opening = false;
      e.#retention.start();
      e.#journalTimer = setInterval(() => void e.sweepFileJournal().catch(() => {}), JOURNAL_SWEEP_MS);
      e.#journalTimer.unref();
      return e;
    } catch (err) {
      // A failed open releases everything it took: threads, pool, LMDB, the data-dir lock.
      if (engine) await engine.#release(false);
      else {
        await store?.close().catch(() => {});
        lock.release();
      }
      throw err;
    }
  }

  /** The Flow triggers of the latest revision of every deployed flow, as the shards record them. */
  #deployedInterest(): ListenerInterest {
    const latest = new Map<string, FlowRecord>();
    for (const r of this.#store.listFlows()) latest.set(`${r.namespace}\u0000${r.id}`, r);
    const flows: Flow[] = [];
    for (const r of latest.values()) {
      if (r.deleted || !r.source.includes('triggers')) continue;
      try {
        flows.push(this.#flows.get(r));
      } catch {
        // A flow that no longer parses has no triggers (the trigger service warns).
      }
    }
    return flowTriggerInterest(flows, (type) => resolveTaskType(type)?.name ?? type);
  }

  /** Tells every shard (and shards started later) what to record for Flow triggers. */
  #setInterest(interest: ListenerInterest): void {
    if (JSON.stringify(interest) === JSON.stringify(this.#interest)) return;
    this.#interest = interest;
    this.#interestTest = interestTest(interest);
    for (const s of this.#shards) if (s.worker) this.#post(s, listenersMessage(interest));
  }

  async #startShards(crashed: boolean): Promise<void> {
    const clock = this.#clock;
    if (clock instanceof TestClock) this.#unlistenClock = clock.onSet((nowMs) => this.#shards.forEach((s) => this.#post(s, { type: 'clock.set', nowMs })));
    for (let index = 0; index < this.#options.shards; index++) {
      this.#shards.push({ worker: undefined as unknown as Worker, index, threadId: -1, pendingResults: [], flushScheduled: false, statsWaiters: [], alive: false, outbox: [], ready: Promise.resolve(), onExit: [], deaths: [] });
    }
    await Promise.all(this.#shards.map((s) => this.#spawn(s, crashed)));
  }

  /** Starts (or restarts) a shard's thread; resolves once it has recovered its executions. */
  #spawn(handle: ShardHandle, crashed: boolean): Promise<void> {
    const o = this.#options;
    const init: ShardInit = {
      shardIndex: handle.index,
      shardCount: o.shards,
      maxLiveActors: o.maxLiveActors,
      dataDir: o.dataDir,
      noSync: o.noSync,
      storageDir: o.storageDir,
      envs: o.envs,
      globals: o.globals,
      limits: { maxAttemptCrashes: o.maxAttemptCrashes, maxSubflowDepth: o.maxSubflowDepth, maxActiveRuns: o.maxActiveRuns, maxLoopRuns: o.maxLoopRuns },
      crashed,
      ...(this.#interest.length ? { listeners: this.#interest } : {}),
      ...(this.#clock instanceof TestClock ? { testClockMs: this.#clock.now() } : {}),
    };
    const poolPorts = this.#pool.connect(handle.index);
    const data: ShardThreadData = { init, poolPorts, poolDemand: this.#pool.demandOf(handle.index) };
    const worker = new Worker(threadEntry(import.meta.url, './shard-thread.js'), { workerData: data, transferList: poolPorts.filter((p): p is MessagePort => p !== undefined), name: `troupe-shard-${handle.index}` });
    handle.worker = worker;
    handle.threadId = worker.threadId;
    handle.alive = true;
    let error: Error | undefined;
    let failStart: (e: Error) => void = () => {};
    handle.ready = new Promise<void>((resolve, reject) => {
      handle.onReady = resolve;
      failStart = reject;
    });
    handle.ready.catch(() => {}); // a restart's failure is handled by the exit below
    worker.on('message', (msg: FromShard) => this.#onShardMessage(handle, msg));
    worker.on('error', (err) => {
      error = err;
    });
    worker.on('exit', (code) => {
      if (handle.worker !== worker) return;
      handle.alive = false;
      const reason = error ?? new TroupeError('TROUPE_SHARD_FAILED', `shard ${handle.index} thread exited with code ${code}`, { shard: handle.index, exitCode: code });
      failStart(reason);
      for (const f of handle.onExit.splice(0)) f();
      // A request the dead thread had not answered is lost with it: its caller may ask again.
      for (const [id, r] of this.#requests) {
        if (r.shard !== handle.index) continue;
        this.#requests.delete(id);
        r.reject(new TroupeError('TROUPE_SHARD_FAILED', `shard ${handle.index} stopped before answering; ask again`, { shard: handle.index }));
      }
      this.#onShardExit(handle, reason);
    });
    return handle.ready;
  }

  /** A shard thread died outside close(): start a new one, which recovers its executions. */
  #onShardExit(handle: ShardHandle, reason: Error): void {
    if (this.#opening || this.#closing || this.#closed || this.#failure) return;
    const now = this.#clock.now();
    handle.deaths = handle.deaths.filter((t) => now - t < RESTART_WINDOW_MS);
    handle.deaths.push(now);
    if (handle.deaths.length > MAX_RESTARTS) {
      const err = new TroupeError('TROUPE_SHARD_FAILED', `Shard ${handle.index} died ${handle.deaths.length} times within ${RESTART_WINDOW_MS / 1000} s and is not restarted again; last cause: ${reason.message}`, { shard: handle.index }, { cause: reason });
      this.#fail(err);
      return;
    }
    this.shardRestarts += 1;
    handle.backlog ??= [];
    void this.#spawn(handle, true).then(() => this.#restarted(handle), () => {});
  }

  /** A restarted shard has recovered: what it missed while down is sent again. */
  #restarted(handle: ShardHandle): void {
    const backlog = handle.backlog ?? [];
    handle.backlog = undefined;
    this.#store.refresh();
    for (const [id, msg] of this.#creations) {
      if (shardOf(id, this.#shards.length) !== handle.index) continue;
      // Committed before the thread died: recovered by the new thread (acknowledged now);
      // otherwise it never reached the store and is created again.
      if (this.#store.readHeader(id)) this.#acknowledge(id);
      else this.#post(handle, msg);
    }
    for (const msg of backlog) this.#post(handle, msg);
    for (let i = 0; i < handle.statsWaiters.length; i++) this.#post(handle, { type: 'shard.stats' });
    // Outbox records the dead thread committed but never reported.
    this.#triggers?.replayOutbox();
  }

  #acknowledge(id: string): void {
    this.#creations.delete(id);
    this.#created.get(id)?.resolve();
    this.#created.delete(id);
  }

  /** Sends a creation request to its shard, kept until acknowledged (a restarted shard gets it again). */
  #create(executionId: string, msg: ToShard & { type: 'execution.create' }): void {
    this.#creations.set(executionId, msg);
    this.#sendTo(executionId, msg);
  }

  /** How many times a shard thread died and was restarted. */
  shardRestarts = 0;

  /**
   * Terminates a shard thread abruptly, as a crash would (a fault-injection drill): the engine
   * restarts it, and the new thread recovers its executions. Resolves once it has.
   */
  async terminateShard(index: number): Promise<void> {
    this.#assertOpen();
    const handle = this.#shards[index];
    if (!handle) throw new TroupeError('TROUPE_OPTION_INVALID', `There is no shard ${index}: the engine runs ${this.#shards.length}`, { option: 'index' });
    const old = handle.worker;
    await old.terminate();
    // The exit handler has run by now (it starts the replacement, or gives up).
    for (let i = 0; handle.worker === old && !this.#failure && i < 100; i++) await new Promise((r) => setImmediate(r));
    if (handle.worker === old) throw this.#failure ?? new TroupeError('TROUPE_SHARD_FAILED', `Shard ${index} was not restarted`, { shard: index });
    await handle.ready;
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#creations.clear();
    for (const [, c] of this.#created) c.reject(err);
    this.#created.clear();
    for (const [, ws] of this.#waiters) for (const w of ws) w.reject(err);
    this.#waiters.clear();
    for (const [, r] of this.#requests) r.reject(err);
    this.#requests.clear();
  }

  /** A pool thread was replaced (or started on demand): the shard gets its port to the new one, and what happened. */
  #poolThreadReplaced(shardIndex: number, slot: number, port: MessagePort, death?: ThreadDeath): void {
    const shard = this.#shards[shardIndex];
    if (shard && !this.#closed) shard.worker.postMessage(poolThreadMessage(slot, port, death), [port]);
    else port.close();
  }

  #onShardMessage(shard: ShardHandle, msg: FromShard): void {
    this.#messagesIn += 1;
    switch (msg.type) {
      case 'drain.output':
        this.#onDrain(shard, msg);
        break;
      case 'pool.want':
        this.#pool.want();
        break;
      case 'pool.retired':
        this.#pool.retired(shard.index, msg.slot, msg.ok);
        break;
      case 'execution.rejected': {
        const error = fromErrorRecord(msg.error);
        this.#creations.delete(msg.executionId);
        this.#created.get(msg.executionId)?.reject(error);
        this.#created.delete(msg.executionId);
        for (const w of this.#waiters.get(msg.executionId) ?? []) w.reject(error);
        this.#waiters.delete(msg.executionId);
        this.#subflows.childFailed(msg.executionId, msg.error);
        break;
      }
      case 'execution.reply': {
        const r = this.#requests.get(msg.requestId);
        this.#requests.delete(msg.requestId);
        r?.reject(fromErrorRecord(msg.error));
        break;
      }
      case 'shard.ready':
        shard.onReady?.();
        break;
      case 'timer.armed':
        if (this.#clock instanceof TestClock) this.#clock.noteArmed(msg.atMs);
        break;
      case 'shard.failed':
        this.#fail(fromErrorRecord(msg.error));
        break;
      case 'shard.stats': {
        const { type: _, ...figures } = msg;
        shard.statsWaiters.shift()?.(figures);
        break;
      }
      case 'shard.closed':
        shard.closed?.();
        break;
    }
  }

  /**
   * Effects first (children, replays, engine tasks), acknowledgements and ends last: callers
   * resume after. An end carries the header: a waiter gets the whole execution from the store.
   */
  #onDrain(shard: ShardHandle, msg: DrainOutput): void {
    for (const { parentExecutionId, start } of msg.subflows) this.#subflows.start(parentExecutionId, start);
    for (const r of msg.replays) this.#replay(r.parent, r.replay);
    for (const job of msg.jobs) void runEngineTask(job, this).then((result) => this.#relay(shard, job.executionId, result));
    for (const id of msg.created) this.#acknowledge(id);
    if (msg.ended.length || msg.outbox.length) this.#store.refresh();
    for (const end of msg.ended) {
      const waiters = this.#waiters.get(end.executionId);
      if (waiters) {
        // The end is durable: a caller that wants the task runs reads them from the store.
        const full = waiters.some((w) => w.taskRuns) ? this.#readEnded(end.header) : undefined;
        const header = waiters.some((w) => !w.taskRuns) ? executionToJson(end.header, this.#clock.now()) : undefined;
        for (const w of waiters) w.resolve(w.taskRuns ? full! : header!);
        this.#waiters.delete(end.executionId);
      }
      this.lastEndedOnThread = msg.shardThreadId;
      this.#subflows.childEnded(end.header);
      this.#releaseSlot(end.header);
    }
    if (this.#changeListeners.size) for (const id of msg.changed) for (const l of this.#changeListeners) l(id);
    for (const id of msg.replies) {
      const r = this.#requests.get(id);
      this.#requests.delete(id);
      r?.resolve();
    }
    if (this.#triggers) this.#triggers.drained(msg.ended.map((e) => e.header), msg.outbox);
    else if (this.#opening) this.#outboxWhileOpening.push(...msg.outbox);
  }

  /** Asks an execution's owning shard to change it; resolves once the change is durable. */
  #request(executionId: string, request: ShardRequest): Promise<void> {
    this.#assertOpen();
    const requestId = this.#nextRequest++;
    const shard = shardOf(executionId, this.#shards.length);
    return new Promise<void>((resolve, reject) => {
      this.#requests.set(requestId, { shard, resolve, reject });
      this.#sendTo(executionId, executionRequestMessage(requestId, executionId, request));
    });
  }

  /**
   * Calls `listener` with an execution's id each time a commit that changed it (its state, task
   * runs or log lines) is durable; read the execution to see what changed.
   * @returns a function that removes the listener
   */
  onExecutionChange(listener: (executionId: string) => void): () => void {
    this.#changeListeners.add(listener);
    return () => void this.#changeListeners.delete(listener);
  }

  /**
   * An ended execution, whole, from the store (its end is durable when the shard reports it);
   * its header alone when its task runs cannot be read (an execution failed as corrupt).
   */
  #readEnded(header: ExecutionHeader): ExecutionJson {
    let execution: Execution = header;
    try {
      execution = this.#store.readExecution(header.id) ?? header;
    } catch {
      // TROUPE_EXECUTION_CORRUPT: the shard failed it alone; its header says so.
    }
    return executionToJson(execution, this.#clock.now());
  }

  /** Queues a result of an engine task for its shard; one postMessage carries every result of a turn. */
  #relay(shard: ShardHandle, executionId: string, result: TaskResultMessage): void {
    shard.pendingResults.push({ executionId, result });
    if (shard.flushScheduled) return;
    shard.flushScheduled = true;
    setImmediate(() => {
      shard.flushScheduled = false;
      const results = shard.pendingResults;
      shard.pendingResults = [];
      this.#post(shard, mainResultsMessage(results));
    });
  }

  /** Posts to the shard that owns `executionId`. */
  #sendTo(executionId: string, msg: ToShard): void {
    this.#post(this.#shards[shardOf(executionId, this.#shards.length)]!, msg);
  }

  /**
   * Queues a message for a shard; every message of this turn leaves at its end in one postMessage
   * (a `shard.batch` when there are several), in order: one wake-up of the shard thread for
   * the creations of many requests (each postMessage costs a wake-up of the other thread).
   */
  #post(shard: ShardHandle, msg: ToShard): void {
    if (this.#closed) return;
    if (shard.backlog) {
      shard.backlog.push(msg);
      return;
    }
    shard.outbox.push(msg);
    if (shard.outbox.length === 1) setImmediate(() => this.#flush(shard));
  }

  /** Posts what {@link #post} queued for `shard`. */
  #flush(shard: ShardHandle): void {
    const messages = shard.outbox;
    if (messages.length === 0 || this.#closed) return;
    shard.outbox = [];
    if (shard.backlog) shard.backlog.push(...messages);
    else shard.worker.postMessage(messages.length === 1 ? messages[0]! : shardBatchMessage(messages));
  }

  #assertOpen(): void {
    if (this.#closed) throw new TroupeError('TROUPE_ENGINE_CLOSED', 'The engine is closed: open a new one with Engine.open()');
    if (this.#failure) throw this.#failure;
  }

  /** Executions that were unfinished when the engine opened: the shards resume them. */
  recovering: string[] = [];

  /** The thread id of the shard that last reported an ended execution (for tests and figures). */
  lastEndedOnThread: number | undefined;

  /**
   * Messages the main thread received from shard and pool threads since the engine opened (a
   * task run costs it none: jobs and results go between shards and the pool directly).
   */
  get messagesReceived(): number {
    return this.#messagesIn + this.#pool.messagesReceived;
  }

  /** Pool threads running now, started on demand since the engine opened, and retired for being idle. */
  get poolThreads(): { running: number; started: number; retired: number } {
    return { running: this.#pool.threads, started: this.#pool.startedThreads, retired: this.#pool.retiredThreads };
  }

  /** Pool threads started in place of one that died (heap limit) or was stopped (timeout). */
  get poolThreadsReplaced(): number {
    return this.#pool.replaced;
  }

  /** Thread ids of the shard threads. */
  get shardThreadIds(): number[] {
    return this.#shards.map((s) => s.threadId);
  }

  /**
   * Deploys a flow from its YAML source. A changed source gets the next revision; the same source
   * keeps its revision. A task of a type this build cannot run refuses the flow
   * (TROUPE_FLOW_UNSUPPORTED_TYPE, with line:column), unless `lenient`: then that task fails when it runs.
   * @throws FlowError (TROUPE_FLOW_*) when the flow is invalid
   */
  async deploy(source: string, options: { file?: string; lenient?: boolean } = {}): Promise<FlowRecord> {
    this.#assertOpen();
    const flow = parseFlow(source, { ...(options.file !== undefined ? { file: options.file } : {}), requireRunnable: options.lenient !== true });
    const latest = this.#flowRecord(flow.namespace, flow.id);
    if (latest && !latest.deleted && latest.source === source) return latest;
    const record: FlowRecord = { namespace: flow.namespace, id: flow.id, revision: (latest?.revision ?? 0) + 1, source, updated: new Date(this.#clock.now()).toISOString() };
    await this.#putFlow(record);
    await this.#triggers?.flowChanged(record);
    if (this.#triggers) this.#setInterest(this.#triggers.listenerInterest());
    return record;
  }

  /** Every stored flow revision (deletions included), by namespace, id and revision. */
  listFlows(): FlowRecord[] {
    return this.#store.listFlows();
  }

  /** A flow revision (the latest when `revision` is absent), deletion marks included; undefined when none. */
  flow(namespace: string, id: string, revision?: number): FlowRecord | undefined {
    this.#assertOpen();
    return this.#flowRecord(namespace, id, revision);
  }

  /**
   * A flow record as {@link flow} gives it, read once: every flow is written by this engine
   * ({@link #putFlow}), which keeps the cache true. Creating an execution reads its flow twice
   * (the API, then execute), and a store range read costs more than the rest of the creation.
   */
  #flowRecord(namespace: string, id: string, revision?: number): FlowRecord | undefined {
    const key = `${namespace}\u0000${id}\u0000${revision ?? ''}`;
    const cached = this.#flowRecords.get(key);
    if (cached !== undefined || this.#flowRecords.has(key)) return cached;
    const record = this.#store.getFlow(namespace, id, revision);
    if (this.#flowRecords.size >= FLOW_RECORDS_CACHED) this.#flowRecords.clear();
    this.#flowRecords.set(key, record && Object.freeze(record));
    return record;
  }

  /** Stores a new flow revision (durably) and makes it the latest one of the cache. */
  async #putFlow(record: FlowRecord): Promise<void> {
    await this.#store.putFlow(record);
    Object.freeze(record);
    this.#flowRecords.set(`${record.namespace}\u0000${record.id}\u0000`, record);
    this.#flowRecords.set(`${record.namespace}\u0000${record.id}\u0000${record.revision}`, record);
  }

  /**
   * Deletes a flow: stores a new revision marked `deleted` (Kestra's soft delete). Executions
   * already running keep their revision; a later deploy of the same id continues the numbering.
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND when no live flow has that id
   */
  async deleteFlow(namespace: string, id: string): Promise<FlowRecord> {
    this.#assertOpen();
    const latest = this.#flowRecord(namespace, id);
    if (!latest || latest.deleted) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `No flow '${namespace}.${id}' is deployed`, { namespace, flowId: id });
    const record: FlowRecord = { ...latest, revision: latest.revision + 1, updated: new Date(this.#clock.now()).toISOString(), deleted: true };
    await this.#putFlow(record);
    await this.#triggers?.flowChanged(record);
    if (this.#triggers) this.#setInterest(this.#triggers.listenerInterest());
    return record;
  }

  /**
   * Starts an execution of the latest revision of a flow.
   * @returns the execution id, once its creation is durable
   */
  async execute(namespace: string, flowId: string, inputs?: Record<string, unknown>, options: ExecuteOptions = {}): Promise<string> {
    this.#assertOpen();
    const flow = this.#flowRecord(namespace, flowId, options.revision);
    if (!flow || flow.deleted) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `No flow '${namespace}.${flowId}'${options.revision !== undefined ? ` revision ${options.revision}` : ''} is deployed`, { namespace, flowId });
    const executionId = newId();
    if (!options.rawInputs) {
      // FILE inputs: checked and staged while typing, copied into the execution's storage before it exists.
      const files = stageInputFiles(this.storage, { namespace: flow.namespace, flowId: flow.id, executionId }, { journal: this.fileJournal });
      inputs = this.#typeInputs(flow, inputs ?? {}, files.storeFile);
      if (files.pending) await files.commit();
    }
    const created = new Promise<void>((resolve, reject) => this.#created.set(executionId, { resolve, reject }));
    this.#create(
      executionId,
      this.#admit(flow, {
        type: 'execution.create',
        executionId,
        flow: { namespace: flow.namespace, id: flow.id, revision: flow.revision, source: flow.source },
        ...(inputs ? { inputs } : {}),
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.scheduleDate ? { scheduleDate: options.scheduleDate } : {}),
        nowMs: this.#clock.now(),
      }),
    );
    await created;
    return executionId;
  }

  /**
   * Waits until an execution has ended, and returns it in Kestra's JSON shape (with its task
   * runs unless `options.taskRuns` is false).
   */
  waitFor(executionId: string, options: WaitForOptions = {}): Promise<ExecutionJson> {
    this.#assertOpen();
    this.#store.refresh();
    const taskRuns = options.taskRuns ?? true;
    const stored = this.#store.readHeader(executionId);
    if (stored && isTerminated(stored.state.current)) return Promise.resolve(taskRuns ? this.#readEnded(stored) : executionToJson(stored, this.#clock.now()));
    if (!stored && !this.#created.has(executionId)) {
      return Promise.reject(new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `No execution has the id '${executionId}'`, { executionId }));
    }
    return new Promise((resolve, reject) => {
      const list = this.#waiters.get(executionId) ?? [];
      list.push({ resolve, reject, taskRuns });
      this.#waiters.set(executionId, list);
    });
  }

  /** An execution as stored, in Kestra's JSON shape; undefined when unknown. */
  get(executionId: string): ExecutionJson | undefined {
    this.#assertOpen();
    this.#store.refresh();
    return this.#readJson(executionId);
  }

  #readJson(executionId: string): ExecutionJson | undefined {
    const execution: Execution | undefined = this.#store.readExecution(executionId);
    return execution ? executionToJson(execution, this.#clock.now()) : undefined;
  }

  /**
   * A page of an execution's task runs in Kestra's JSON shape, and how many it has: reads only
   * that page, for executions too large to send whole. Undefined when the execution is unknown.
   */
  taskRunPage(executionId: string, offset: number, limit: number): TaskRunPage | undefined {
    this.#assertOpen();
    this.#store.refresh();
    if (!this.#store.readHeader(executionId)) return undefined;
    const { records, total } = this.#store.readTaskRunPage(executionId, offset, limit);
    const now = Date.now();
    return { results: records.map((r) => taskRunToJson(r.taskRun, now)), total };
  }

  /**
   * Execution headers (without task runs) matching a filter, in creation order.
   * Scans every stored header: an index by flow comes with the daemon's search API.
   */
  list(filter: { namespace?: string; flowId?: string; originalId?: string } = {}): ExecutionJson[] {
    this.#assertOpen();
    this.#store.refresh();
    const out: ExecutionJson[] = [];
    for (const id of this.#store.listExecutionIds()) {
      const h = this.#store.readHeader(id);
      if (!h) continue;
      if (filter.namespace !== undefined && h.namespace !== filter.namespace) continue;
      if (filter.flowId !== undefined && h.flowId !== filter.flowId) continue;
      if (filter.originalId !== undefined && h.originalId !== filter.originalId) continue;
      out.push(executionToJson(h, this.#clock.now()));
    }
    return out.sort((a, b) => a.state.histories[0]!.date.localeCompare(b.state.histories[0]!.date) || a.metadata.attemptNumber - b.metadata.attemptNumber);
  }

  /**
   * Deletes an ended execution with its task runs and logs; resolves once durable. Its owning
   * shard writes it, as every change of an execution.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs (kill it first)
   */
  async deleteExecution(executionId: string): Promise<void> {
    await this.#request(executionId, { op: 'delete' });
  }

  /**
   * Replaces the labels of an ended execution (Kestra's `POST /executions/{id}/labels`); returns it.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs
   */
  async setLabels(executionId: string, labels: Label[]): Promise<ExecutionJson> {
    await this.#request(executionId, { op: 'setLabels', labels });
    return this.get(executionId)!;
  }

  /**
   * Changes the state of an ended execution to another terminal state (Kestra's change-status);
   * its task runs are left as they are. Returns it.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT for a non-terminal `state`, TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED
   */
  async changeStatus(executionId: string, state: StateType): Promise<ExecutionJson> {
    if (!isTerminated(state)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'You can only change the status of an execution to a terminal state.', { state });
    await this.#request(executionId, { op: 'setState', state });
    return this.get(executionId)!;
  }

  /**
   * Sets the state of one task run of an ended or paused execution (Kestra's `markAs`, `POST
   * /executions/{id}/state`): its ancestors go RUNNING and the execution goes on from there
   * (a run marked RESTARTED runs again). Resolves once durable, with the execution.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs, TROUPE_ILLEGAL_ARGUMENT for an unknown task run
   */
  async setTaskRunState(executionId: string, taskRunId: string, state: StateType): Promise<ExecutionJson> {
    await this.#request(executionId, { op: 'markTaskRun', taskRunId, state });
    return this.get(executionId)!;
  }

  /** The log lines of an execution, in order. */
  logs(executionId: string): LogEntry[] {
    this.#assertOpen();
    this.#store.refresh();
    return this.#store.readLogs(executionId);
  }

  /**
   * Deletes the log lines of an execution that `match` (Kestra's `DELETE /logs/{executionId}`),
   * as the PurgeLogs task does; resolves with how many once durable (0 for an unknown id).
   */
  async deleteLogs(executionId: string, match: (entry: LogEntry) => boolean = () => true): Promise<number> {
    this.#assertOpen();
    return this.#store.deleteLogs(executionId, match);
  }

  /** Kills an execution: KILLING, then KILLED; running attempts are aborted. Throws at once when closed. */
  kill(executionId: string): Promise<void> {
    this.#assertOpen();
    this.#sendTo(executionId, mailboxMessage(executionId, killMessage()));
    return Promise.resolve();
  }

  /** Checks a flow source without deploying it. */
  async validate(source: string, options: { file?: string } = {}): Promise<FlowValidationReport> {
    const r = validateFlow(source, options.file !== undefined ? { file: options.file } : {});
    if (r.ok) return { valid: true, namespace: r.flow.namespace, id: r.flow.id };
    return { valid: false, errors: r.errors.map((e) => ({ line: e.line, column: e.column, ...(e.path !== undefined ? { path: e.path } : {}), message: e.message })), error: toErrorRecord(r.error) };
  }

  /** The latest revision of every deployed flow. */
  async getFlows(): Promise<FlowRecord[]> {
    const latest = new Map<string, FlowRecord>();
    for (const f of this.listFlows()) {
      const key = `${f.namespace}\u0000${f.id}`;
      if ((latest.get(key)?.revision ?? 0) < f.revision) latest.set(key, f);
    }
    return [...latest.values()];
  }

  /** {@link Engine.flow}, asynchronous (the shared interface). */
  async getFlow(namespace: string, id: string, revision?: number): Promise<FlowRecord | undefined> {
    return this.flow(namespace, id, revision);
  }

  /** {@link Engine.taskRunPage}, asynchronous (the shared interface). */
  async taskRuns(executionId: string, offset: number, limit: number): Promise<TaskRunPage | undefined> {
    return this.taskRunPage(executionId, offset, limit);
  }

  /** {@link Engine.get}, asynchronous (the shared interface). */
  async getExecution(executionId: string): Promise<ExecutionJson | undefined> {
    return this.get(executionId);
  }

  /** {@link Engine.list}, asynchronous, with a filter on the current state too. */
  async listExecutions(filter: ExecutionFilter = {}): Promise<ExecutionJson[]> {
    const { state, ...rest } = filter;
    const all = this.list(rest);
    return state === undefined ? all : all.filter((e) => e.state.current === state);
  }

  /** An execution's log lines read one at a time from the store (log.Fetch, on the main thread). */
  logEntries(executionId: string): Iterable<LogEntry> {
    this.#assertOpen();
    return this.#store.iterateLogs(executionId);
  }

  /** {@link Engine.logs}, asynchronous (the shared interface). */
  async getLogs(executionId: string): Promise<LogEntry[]> {
    return this.logs(executionId);
  }

  /** The KV store of the data dir (engine tasks use it). */
  kvStore(): KvStore {
    this.#assertOpen();
    this.#kv.refresh();
    return this.#kv;
  }

  async kvList(namespace: string): Promise<KvEntry[]> {
    return this.kvStore().list(namespace);
  }

  async kvGet(namespace: string, key: string): Promise<KvTypedValue | undefined> {
    try {
      return this.kvStore().get(namespace, key);
    } finally {
      // An expired entry reads as expired once: its deletion is durable before the answer.
      await this.#kv.settled();
    }
  }

  async kvPut(namespace: string, key: string, value: unknown, options?: KvPutOptions): Promise<void> {
    await this.kvStore().put(namespace, key, apiPut(value, options));
  }

  /** Purges ended executions (the PurgeExecutions task), in bounded batches. */
  async purgeExecutions(purge: ExecutionPurge): Promise<ExecutionPurgeResult> {
    this.#assertOpen();
    return purgeExecutions(this.#purgeHost(), purge);
  }

  /** Purges log lines (the PurgeLogs task); resolves with how many. */
  async purgeLogs(purge: LogPurge): Promise<number> {
    this.#assertOpen();
    return purgeLogs(this.#purgeHost(), purge);
  }

  /**
   * Removes the file journals of attempts (and FILE inputs) whose records are committed; the
   * engine does it every minute. Journals of attempts still running are left.
   */
  async sweepFileJournal(): Promise<JournalReport> {
    this.#assertOpen();
    this.#store.refresh();
    return this.fileJournal.reconcile(this.storage, committedIn(this.#store), { committedOnly: true });
  }

  /** Runs one retention sweep now (the `retention` option's, and a batch of expired KV entries). */
  runRetention(): Promise<RetentionReport> {
    this.#assertOpen();
    return this.#retention.run();
  }

  #purgeHost(): PurgeHost {
    return {
      store: this.#store,
      deleteExecution: (id) => this.deleteExecution(id),
      deleteFiles: (h) => this.storage.deletePrefix(executionPrefix(h.namespace, h.flowId, h.id)),
    };
  }

  async kvDelete(namespace: string, keys: string[]): Promise<string[]> {
    return this.kvStore().delete(namespace, keys);
  }

  /**
   * Kestra's restart, in place: the failed (and paused) task runs of an ended or paused execution
   * run again with their ancestors, runs of `errors` branches are dropped, the execution goes
   * RESTARTED then RUNNING with `metadata.attemptNumber` + 1. With `revision`, the restart is a
   * new execution of that flow revision instead (`parentId` = this one, task runs copied with new
   * ids), as Kestra does. Resolves with the id once durable.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_EXECUTION_NOT_TERMINATED while it runs, TROUPE_ILLEGAL_ARGUMENT when no task run failed, TROUPE_FLOW_NOT_FOUND for an unknown revision
   */
  async restart(executionId: string, options: { revision?: number } = {}): Promise<string> {
    if (options.revision === undefined) {
      await this.#request(executionId, { op: 'restart' });
      return executionId;
    }
    const { header, record } = this.#replayed(executionId, options.revision);
    const own = this.#store.getFlow(header.namespace, header.flowId, header.flowRevision) ?? record;
    const records = () => this.#store.iterateTaskRuns(executionId);
    const plan = planRestart(this.#flows.get(own), header, records, this.#clock.now());
    if ('refused' in plan) throw refusalError(executionId, plan);
    const id = newId();
    const copy = asNewExecution(plan.header, applyPlan(records(), plan), id, newId);
    copy.header.flowRevision = record.revision;
    return this.#createCopy(id, record, copy);
  }

  /**
   * Kestra's replay: a new execution (`parentId` = this one, `originalId` kept, attempt number + 1,
   * inputs, labels and trigger copied). Without `taskRunId` it starts afresh; with one, the runs
   * before that task run are copied and it runs again from there. `revision` runs that revision
   * of the flow.
   * @returns the new execution's id, once its creation is durable
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_ILLEGAL_ARGUMENT for an unknown task run, TROUPE_FLOW_NOT_FOUND for an unknown revision
   */
  async replay(executionId: string, options: { taskRunId?: string; revision?: number } = {}): Promise<string> {
    const { header, record } = this.#replayed(executionId, options.revision);
    const id = newId();
    if (options.taskRunId !== undefined) {
      const own = this.#store.getFlow(header.namespace, header.flowId, header.flowRevision) ?? record;
      const plan = planReplay(this.#flows.get(own), header, () => this.#store.iterateTaskRuns(executionId), options.taskRunId, id, newId, this.#clock.now());
      if ('refused' in plan) throw refusalError(executionId, plan);
      plan.header.flowRevision = record.revision;
      return this.#createCopy(id, record, plan);
    }
    const created = new Promise<void>((resolve, reject) => this.#created.set(id, { resolve, reject }));
    this.#create(id, this.#admit(record, {
      type: 'execution.create',
      executionId: id,
      flow: { namespace: record.namespace, id: record.id, revision: record.revision, source: record.source },
      nowMs: this.#clock.now(),
      ...(header.inputs ? { inputs: header.inputs } : {}),
      labels: header.labels,
      ...(header.trigger ? { trigger: header.trigger } : {}),
      parentId: header.id,
      replay: { originalId: header.originalId, attemptNumber: header.metadata.attemptNumber + 1, originalCreatedDate: header.metadata.originalCreatedDate },
    }));
    await created;
    return id;
  }

  /** The header of an execution to replay or restart as a new one, and the flow revision to run. */
  #replayed(executionId: string, revision: number | undefined): { header: ExecutionHeader; record: FlowRecord } {
    this.#assertOpen();
    this.#store.refresh();
    const header = this.#store.readHeader(executionId);
    if (!header) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `Execution '${executionId}' not found.`, { executionId });
    const record = this.#store.getFlow(header.namespace, header.flowId, revision ?? header.flowRevision);
    if (!record) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `Unable to find revision ${revision ?? header.flowRevision} on flow ${header.namespace}.${header.flowId}`, { namespace: header.namespace, flowId: header.flowId, revision: revision ?? header.flowRevision });
    return { header, record };
  }

  /** Creates an execution from planned records (a replay from a task run, a restart on another revision); resolves with its id once durable. */
  async #createCopy(id: string, record: FlowRecord, plan: RestartPlan): Promise<string> {
    const created = new Promise<void>((resolve, reject) => this.#created.set(id, { resolve, reject }));
    this.#create(id, {
      type: 'execution.create',
      executionId: id,
      flow: { namespace: record.namespace, id: record.id, revision: record.revision, source: record.source },
      nowMs: this.#clock.now(),
      copy: { header: plan.header, records: plan.records },
    });
    await created;
    return id;
  }

  /** The events of one execution up to its end (see {@link TroupeApi.follow}). */
  follow(executionId: string): AsyncIterableIterator<ExecutionEvent> {
    this.#assertOpen();
    return followExecution(this.#feedSource(), executionId);
  }

  /** Every execution's events from now on (see {@link TroupeApi.subscribe}). */
  subscribe(): AsyncIterableIterator<ExecutionEvent> {
    this.#assertOpen();
    return subscribeExecutions(this.#feedSource());
  }

  #feedSource(): FeedSource {
    return {
      header: (id) => {
        if (this.#closed) return undefined;
        this.#store.refresh();
        const h = this.#store.readHeader(id);
        return h ? { namespace: h.namespace, flowId: h.flowId, state: h.state.current } : undefined;
      },
      logs: (id, fromSeq) => (this.#closed ? [] : this.#store.readLogs(id, fromSeq)),
      execution: (id) => this.get(id),
      onChange: (listener, onClose) => {
        const offChange = this.onExecutionChange(listener);
        this.#feedClosers.add(onClose);
        return () => {
          offChange();
          this.#feedClosers.delete(onClose);
        };
      },
    };
  }

  /**
   * A webhook call (`/executions/webhook/{namespace}/{flowId}/{key}`): creates an execution of the
   * flow's Webhook trigger whose key matches, unless its conditions say no (no execution id then).
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND, TROUPE_TRIGGER_NOT_FOUND, TROUPE_ILLEGAL_STATE (disabled flow)
   */
  webhook(namespace: string, flowId: string, key: string, request: WebhookRequest): Promise<WebhookResult> {
    this.#assertOpen();
    return this.#triggers!.webhook(namespace, flowId, key, request);
  }

  /** Enables or disables a trigger (io.kestra.plugin.core.trigger.Toggle): Kestra's messages when the flow or its row is missing. */
  async setTriggerDisabled(namespace: string, flowId: string, triggerId: string, disabled: boolean): Promise<void> {
    this.#assertOpen();
    const flow = this.#store.getFlow(namespace, flowId);
    if (!flow || flow.deleted) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `Unable to find flow ${namespace}.${flowId}. Make sure the flow exists and the current execution is authorized to access it.`, { namespace, flowId });
    if (!this.#triggers!.list().some((v) => v.row.namespace === namespace && v.row.flowId === flowId && v.row.triggerId === triggerId)) {
      throw new TroupeError('TROUPE_TRIGGER_NOT_FOUND', `Unable to find trigger ${triggerId} for the flow ${namespace}.${flowId}`, { namespace, flowId, triggerId });
    }
    await this.#triggers!.setDisabled(namespace, flowId, triggerId, disabled);
  }

  /** The trigger service: Schedule state rows, enable/disable, unlock, backfill (src/triggers). */
  get triggers(): TriggerService {
    this.#assertOpen();
    return this.#triggers!;
  }

  async listTriggers(filter?: TriggerFilter): Promise<TriggerSearchItem[]> {
    return searchTriggers(this.triggers, filter);
  }

  async getTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson | undefined> {
    return findTrigger(this.triggers, namespace, flowId, triggerId);
  }

  async enableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.setDisabled(namespace, flowId, triggerId, false, { recover: true }));
  }

  async disableTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.setDisabled(namespace, flowId, triggerId, true, { recover: true }));
  }

  async unlockTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.unlock(namespace, flowId, triggerId));
  }

  async restartTrigger(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.restart(namespace, flowId, triggerId));
  }

  async backfillTrigger(namespace: string, flowId: string, triggerId: string, backfill: TriggerBackfill): Promise<TriggerJson> {
    const service = this.triggers;
    const request = backfillRequestOf(service.view(namespace, flowId, triggerId), backfill);
    return triggerToJson(await service.backfill(namespace, flowId, triggerId, request));
  }

  async pauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.setBackfillPaused(namespace, flowId, triggerId, true));
  }

  async unpauseBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.setBackfillPaused(namespace, flowId, triggerId, false));
  }

  async deleteBackfill(namespace: string, flowId: string, triggerId: string): Promise<TriggerJson> {
    return triggerToJson(await this.triggers.deleteBackfill(namespace, flowId, triggerId));
  }

  /** What the trigger service needs of the engine. */
  #triggerHost(): TriggerHost {
    const renderOptions = { now: () => this.#clock.now(), functions: { secret: secretFunction(envSecrets(), new Set<string>()) } };
    return {
      store: this.#store,
      clock: this.#clock,
      zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      newId,
      flow: (record) => this.#flows.get(record),
      canonical: (type) => resolveTaskType(type)?.name ?? type,
      render: (template, vars) => renderString(template, vars, renderOptions),
      renderObject: (value, vars) => renderObject(value, vars, renderOptions),
      hostVars: () => ({ envs: this.#options.envs, globals: this.#options.globals }),
      typeInputs: (record, inputs) => this.#typeInputs(record, inputs),
      header: (id) => this.#store.readHeader(id),
      warn: (message) => process.emitWarning(message, 'TroupeTriggerWarning'),
      pollHttp: async (trigger, flow, vars) => {
        const { pollHttp } = await import('../tasks/http/poll.main.js');
        return pollHttp(trigger, {
          flow,
          render: (t) => renderString(t, vars, renderOptions),
          renderObject: (v) => renderObject(v, vars, renderOptions),
          log: (level, message) => {
            if (level === 'WARN' || level === 'ERROR') process.emitWarning(`Trigger ${flow.namespace}.${flow.id}.${trigger.id}: ${message}`, 'TroupeTriggerWarning');
          },
          nowMs: () => this.#clock.now(),
          signal: this.#triggerPolls.signal,
        });
      },
      create: (record, t) => {
        const created = new Promise<void>((resolve, reject) => this.#created.set(t.id, { resolve, reject }));
        const msg = { type: 'execution.create', executionId: t.id, flow: { namespace: record.namespace, id: record.id, revision: record.revision, source: record.source }, inputs: t.inputs, labels: t.labels, trigger: t.trigger, nowMs: this.#clock.now() } as ToShard & { type: 'execution.create' };
        if (t.variables) msg.variables = t.variables;
        if (t.noCorrelationId) msg.noCorrelationId = true;
        this.#create(t.id, this.#admit(record, msg));
        return created;
      },
      createFailed: async (record, f) => {
        const date = isoDate(this.#clock.now());
        const flow = this.#flows.get(record);
        const state = createState(date);
        state.histories.push({ state: 'FAILED', date });
        state.current = 'FAILED';
        const labels = [...flow.labels.filter((l) => !l.key.startsWith('system.')), ...f.labels, { key: 'system.correlationId', value: f.id }];
        const header: ExecutionHeader = { id: f.id, namespace: record.namespace, flowId: record.id, flowRevision: record.revision, labels, state, originalId: f.id, deleted: false, metadata: { attemptNumber: 1, originalCreatedDate: date }, ...(f.trigger ? { trigger: f.trigger } : {}) };
        const entry: LogEntry = { namespace: record.namespace, flowId: record.id, executionId: f.id, timestamp: date, level: 'ERROR', message: f.message };
        // Its FAILED may fire Flow triggers: the outbox record goes with it.
        const states = state.histories.map((h) => h.state);
        const outbox = this.#interestTest?.(header.namespace, header.flowId, states) ? [{ executionId: f.id, entry: { seq: 0, effect: listenersEffect(0, states.length) } }] : [];
        await this.#store.writeBatch({ headers: [header], taskRuns: [], logs: [{ executionId: f.id, seq: 0, entry }], ...(outbox.length ? { outboxPut: outbox } : {}) });
        this.#store.refresh();
        for (const l of this.#changeListeners) l(f.id);
        this.#triggers?.drained([header], outbox.length ? [[f.id, 0]] : []);
      },
    };
  }

  /** Creates the replay of an execution (retry with CREATE_NEW_EXECUTION); it starts at its scheduleDate. */
  #replay(parent: { id: string; namespace: string; flowId: string; flowRevision: number }, r: ReplayRequest): void {
    const record = this.#store.getFlow(parent.namespace, parent.flowId, parent.flowRevision);
    if (!record) return;
    this.#created.set(r.executionId, { resolve: () => {}, reject: () => {} });
    this.#create(r.executionId, {
      type: 'execution.create',
      executionId: r.executionId,
      flow: { namespace: record.namespace, id: record.id, revision: record.revision, source: record.source },
      ...(r.inputs ? { inputs: r.inputs } : {}),
      labels: r.labels,
      ...(r.trigger ? { trigger: r.trigger } : {}),
      parentId: parent.id,
      replay: { originalId: r.originalId, attemptNumber: r.attemptNumber, originalCreatedDate: r.originalCreatedDate },
      scheduleDate: r.scheduleDate,
      nowMs: this.#clock.now(),
    });
  }

  /** Applies the flow's concurrency limit to a creation request. */
  #admit(record: FlowRecord, msg: ToShard & { type: 'execution.create' }): ToShard & { type: 'execution.create' } {
    const flow = this.#flows.get(record);
    if (!flow.concurrency) return msg;
    const a = this.#limiter.admit(flow, msg.executionId);
    return a.admit === 'RUN' ? msg : { ...msg, admission: a };
  }

  /** An execution ended: free its concurrency slot and start the oldest queued one. */
  #releaseSlot(e: ExecutionHeader): void {
    if (!this.#limiter.tracks(e.id)) return;
    const record = this.#store.getFlow(e.namespace, e.flowId, e.flowRevision);
    const next = this.#limiter.release(e.id, record ? this.#flows.get(record).concurrency?.limit : undefined);
    if (next !== undefined) this.#sendTo(next, mailboxMessage(next, dequeueMessage()));
  }

  /** Figures of every shard: actors in memory and passivated, batches, steps, heap. */
  async stats(): Promise<ShardStats[]> {
    this.#assertOpen();
    return Promise.all(
      this.#shards.map(
        (s) =>
          new Promise<ShardStats>((resolve) => {
            s.statsWaiters.push(resolve);
            this.#post(s, { type: 'shard.stats' });
          }),
      ),
    );
  }

  /** Running and queued executions of a flow under its concurrency limit. */
  concurrency(namespace: string, flowId: string): { running: number; queued: number } {
    return this.#limiter.counts(namespace, flowId);
  }

  /** Types and validates inputs against a flow's declarations (all errors together). */
  #typeInputs(record: FlowRecord, inputs: Record<string, unknown>, storeFile?: (inputId: string, value: string) => string): Record<string, unknown> {
    const flow = this.#flows.get(record);
    return assertInputs(flow.inputs, inputs, { context: { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision } }, renderOptions: { now: () => this.#clock.now() }, ...(storeFile ? { storeFile } : {}) });
  }

  /**
   * Pauses a RUNNING execution by hand (Kestra's manual pause): only the execution goes PAUSED;
   * attempts in flight finish and are recorded, nothing new starts until {@link resume}. Its
   * owning shard does it; resolves once durable.
   * @throws TroupeError TROUPE_EXECUTION_NOT_FOUND, TROUPE_ILLEGAL_ARGUMENT when it is not RUNNING
   */
  async pause(executionId: string): Promise<void> {
    await this.#request(executionId, { op: 'pause' });
  }

  /**
   * Resumes a paused execution; `inputs` are typed against the Pause task's `onResume` and
   * become its outputs.
   * @throws TroupeError TROUPE_INPUT_INVALID when they do not fit, TROUPE_EXECUTION_NOT_FOUND
   */
  async resume(executionId: string, inputs?: Record<string, unknown>): Promise<void> {
    this.#assertOpen();
    this.#store.refresh();
    const execution = this.#store.readExecution(executionId);
    if (!execution) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `No execution has the id '${executionId}'`, { executionId });
    if (execution.state.current !== 'PAUSED') {
      throw new TroupeError('TROUPE_EXECUTION_NOT_PAUSED', `Execution '${executionId}' is ${execution.state.current}, not PAUSED: only a paused execution can be resumed`, { executionId, state: execution.state.current });
    }
    // FILE inputs (a path staged by the API, or a kestra:// URI) go to the execution's `inputs/` before it resumes.
    const files = stageInputFiles(this.storage, { namespace: execution.namespace, flowId: execution.flowId, executionId }, { journal: this.fileJournal });
    for (const declared of this.#pausedInputs(execution)) {
      if (declared.length) inputs = assertInputs(declared, inputs ?? {}, { renderOptions: { now: () => this.#clock.now() }, storeFile: files.storeFile });
    }
    if (files.pending) await files.commit();
    this.#sendTo(executionId, mailboxMessage(executionId, resumeMessage(inputs)));
  }

  /**
   * The `onResume` inputs a resume of this execution is typed against (those of its PAUSED task
   * runs' Pause tasks); empty when unknown or none.
   */
  resumeInputs(executionId: string): FlowInput[] {
    this.#assertOpen();
    this.#store.refresh();
    const execution = this.#store.readExecution(executionId);
    return execution ? this.#pausedInputs(execution).flat() : [];
  }

  #pausedInputs(execution: Execution): FlowInput[][] {
    const record = this.#store.getFlow(execution.namespace, execution.flowId, execution.flowRevision);
    if (!record) return [];
    const index = indexFlow(this.#flows.get(record));
    return (execution.taskRunList ?? []).filter((run) => run.state.current === 'PAUSED').map((run) => onResumeInputs(index.get(run.taskId)?.task.props.onResume));
  }

  /**
   * Stops the shards (each finishes its writes) and the pool, closes the store and releases the
   * data dir — also when a shard thread has died or does not answer.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing ??= (async () => {
      await this.#retention.stop();
      this.#triggerPolls.abort();
      await this.#triggers?.close().catch(() => {});
      const clean = await Promise.all(this.#shards.map((s) => this.#stopShard(s)));
      await this.#release(clean.every(Boolean));
    })();
    return this.#closing;
  }

  /** Asks a shard to finish its writes and close; false when it is dead or does not answer in time. */
  #stopShard(s: ShardHandle): Promise<boolean> {
    if (!s.alive) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
      timer.unref();
      s.closed = () => {
        clearTimeout(timer);
        resolve(true);
      };
      s.onExit.push(() => {
        clearTimeout(timer);
        resolve(false);
      });
      this.#flush(s);
      s.worker.postMessage({ type: 'shard.close' } satisfies ToShard);
    });
  }

  /** Terminates the threads, closes the pool and the store, releases the lock: each step runs even if another fails. */
  async #release(cleanClose: boolean): Promise<void> {
    this.#closed = true;
    this.#unlistenClock?.();
    clearInterval(this.#journalTimer);
    await Promise.allSettled(this.#shards.filter((s) => s.worker).map((s) => s.worker.terminate()));
    await this.#pool.close().catch(() => {});
    // The mark tells the next open that attempts left in flight were not interrupted by a crash.
    if (cleanClose) await this.#store.markCleanClose().catch(() => {});
    await this.#store.close().catch(() => {});
    this.#lock.release();
    this.#fail(new TroupeError('TROUPE_ENGINE_CLOSED', 'The engine was closed while waiting'));
    for (const c of [...this.#feedClosers]) c();
  }
}


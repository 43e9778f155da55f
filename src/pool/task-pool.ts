/**
 * The task pool: threads that run runnable tasks, owned by the main thread. Shards talk to every
 * thread directly, each over its own MessagePort (jobs in, results out): the main thread starts
 * and connects threads, stops one whose attempt ran past its `timeout`, and replaces one that
 * died (of its heap limit, or stopped), telling each shard which of its attempts was the culprit.
 *
 * Threads on demand: the pool starts `minThreads` threads (all of them by default); a shard whose
 * jobs wait on busy threads asks for another ({@link TaskPool.want}) up to `threads`. A thread
 * beyond `minThreads` that no shard used for `idleMs` (the shards' loads, in shared memory) is
 * retired: every shard is asked to leave it (`askRetire`), and it stops once all did — a shard
 * with an attempt on it refuses, and the shards that had left it get their port again.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { TroupeError, toErrorRecord, type ErrorRecord } from '../errors.js';
import { formatHms } from '../model/duration.js';
import { connectMessage, type TaskThreadInit, type ThreadDeath, type WatchMessage } from '../protocol/pool-messages.js';
import { threadEntry } from '../thread-entry.js';
import { reapSurvivors } from './process-markers.js';
import { processesRunning, processSlotsBuffer, takeThreadSlots } from './process-slots.js';
import { removeStartedLogs } from './started-marks.js';

/** Options of the task pool. */
export interface TaskPoolOptions {
  /** Threads running tasks. */
  threads: number;
  /** V8 limits of each thread: an attempt that goes past them fails alone (its thread is replaced). */
  resourceLimits: ResourceLimits;
  /** Where attempts make their scratch working directories (script tasks): `<dataDir>/work` (default: under the OS temp dir). */
  workDir?: string;
  /** The internal storage root the threads open (`<dataDir>/storage`; default: under the OS temp dir). */
  storage?: TaskThreadInit['storage'];
  /** The data dir: threads open its store on first use (the KV store). Absent: no KV in tasks. */
  dataDir?: string;
  /** Skip fsync on the threads' store writes (tests). */
  noSync?: boolean;
  /** Child processes (script tasks) running at once, over every thread; more attempts wait. Default: cores × 4. */
  maxProcesses?: number;
  /**
   * A thread of the pool was started in `slot`: `port` is its new port to shard `shardIndex`;
   * `death` says why the old one went, for that shard (none: started on demand, or the shard's
   * port to it again after a retirement was called off).
   */
  onReplaced: (shardIndex: number, slot: number, port: MessagePort, death?: ThreadDeath) => void;
  /** The thread entry (tests start threads that also know test-only task types). */
  entry?: URL;
  /** Threads started with the pool and never retired. @default threads */
  minThreads?: number;
  /** How long a thread beyond `minThreads` stays unused before it is retired, in ms. @default 30000 */
  idleMs?: number;
  /** Asks each of `shards` to leave thread `slot` (answered through {@link TaskPool.retired}). */
  askRetire?: (slot: number, shards: number[]) => void;
  /** Where threads mark the attempts they begin (started-marks.ts: `<dataDir>/started`); absent: no marks. */
  startedDir?: string;
}

/** A retirement under way: the shards that have not answered yet, those that left the thread. */
interface Retirement {
  awaiting: Set<number>;
  left: Set<number>;
  failed: boolean;
  /** The thread died meanwhile and was replaced: answers only close the retirement. */
  replaced?: boolean;
}

/** How long past an attempt's timeout its thread may stay silent before it is stopped. */
const TIMEOUT_GRACE_MS = 200;

interface Slot {
  worker: Worker;
  /** [shard index + 1, ticket] of the attempt running synchronously (see TaskThreadInit). */
  running: Int32Array;
  /** Watchdog timers of attempts under a timeout, by `shardIndex:ticket`. */
  watched: Map<string, NodeJS.Timeout>;
  /** Set when the pool stops the thread itself: why, and whose attempt. */
  stopped?: { shardIndex: number; ticket: number; error: ErrorRecord };
  /** Retired for being idle: no attempt was on it, so no process slot or child to free. */
  retired?: boolean;
}

/** A pool of task threads. */
export class TaskPool {
  readonly #options: TaskPoolOptions;
  readonly #entry: URL;
  readonly #slots: Array<Slot | undefined> = [];
  readonly #shards = new Set<number>();
  /** Each shard's loads (see PoolDemand): in flight per slot, then batches sent per slot. */
  readonly #loads = new Map<number, Int32Array>();
  /** Batches sent to each slot at the last idle check, and since when its count has not moved. */
  readonly #activity = new Map<number, { batches: number; sinceMs: number }>();
  readonly #retiring = new Map<number, Retirement>();
  readonly #idleTimer: NodeJS.Timeout | undefined;
  /** Threads retired for being idle, and started on demand. */
  retiredThreads = 0;
  startedThreads = 0;
  readonly #processSlots: SharedArrayBuffer;
  readonly #workDir: string;
  /** Reaps of dead threads' children still under way (close waits for them). */
  readonly #reaping = new Set<Promise<unknown>>();
  #closed = false;
  /** Threads started in place of one that died or was stopped. */
  replaced = 0;
  /** This pool's threads' files of started marks are `<startedDir>/<life>-<n>`. */
  readonly #life = randomBytes(6).toString('hex');
  #threadsStarted = 0;
  /** Messages the main thread received from the pool's threads (`task.watch` only). */
  messagesReceived = 0;

  constructor(options: TaskPoolOptions) {
    this.#options = options;
    this.#entry = options.entry ?? threadEntry(import.meta.url, '../pool/task-thread.js');
    this.#processSlots = processSlotsBuffer(options.maxProcesses ?? availableParallelism() * 4, options.threads);
    this.#workDir = options.workDir ?? join(tmpdir(), 'troupe-work');
    const min = Math.min(options.threads, options.minThreads ?? options.threads);
    for (let slot = 0; slot < options.threads; slot++) this.#slots.push(slot < min ? this.#start(slot, []) : undefined);
    if (min < options.threads) {
      const idleMs = options.idleMs ?? 30_000;
      this.#idleTimer = setInterval(() => this.#retireIdle(min, idleMs), Math.max(10, Math.min(idleMs / 2, 5000)));
      this.#idleTimer.unref();
    }
  }

  /** The loads shard `shardIndex` keeps for the pool (a fresh buffer at each call: call it when the shard starts). */
  demandOf(shardIndex: number): { threads: number; loads: SharedArrayBuffer } {
    const threads = this.#options.threads;
    const loads = new SharedArrayBuffer(8 * threads);
    this.#loads.set(shardIndex, new Int32Array(loads));
    return { threads, loads };
  }

  /** A shard's jobs wait on busy threads: start a thread in a free slot (or call off retirements under way). */
  want(): void {
    if (this.#closed) return;
    for (const slot of [...this.#retiring.keys()]) this.#callOff(slot);
    const slot = this.#slots.findIndex((s) => s === undefined);
    if (slot < 0) return;
    const channels = [...this.#shards].map((shardIndex) => ({ shardIndex, channel: new MessageChannel() }));
    this.#slots[slot] = this.#start(
      slot,
      channels.map(({ shardIndex, channel }) => ({ shardIndex, port: channel.port2 })),
    );
    this.#activity.set(slot, { batches: this.#batches(slot), sinceMs: Date.now() });
    this.startedThreads += 1;
    for (const { shardIndex, channel } of channels) this.#options.onReplaced(shardIndex, slot, channel.port1);
  }

  /** Batches every shard sent to `slot`. */
  #batches(slot: number): number {
    let n = 0;
    for (const loads of this.#loads.values()) n += Atomics.load(loads, this.#options.threads + slot);
    return n;
  }

  /** Starts retiring each thread beyond the first `min` that no shard used for `idleMs`. */
  #retireIdle(min: number, idleMs: number): void {
    if (this.#closed) return;
    const now = Date.now();
    let live = this.#slots.filter(Boolean).length - this.#retiring.size;
    for (let slot = this.#slots.length - 1; slot >= 0 && live > min; slot--) {
      if (!this.#slots[slot] || this.#retiring.has(slot)) continue;
      const batches = this.#batches(slot);
      const seen = this.#activity.get(slot);
      let busy = false;
      for (const loads of this.#loads.values()) if (Atomics.load(loads, slot) > 0) busy = true;
      if (busy || !seen || seen.batches !== batches) {
        this.#activity.set(slot, { batches, sinceMs: now });
        continue;
      }
      if (now - seen.sinceMs < idleMs) continue;
      live -= 1;
      const shards = [...this.#shards];
      this.#retiring.set(slot, { awaiting: new Set(shards), left: new Set(), failed: false });
      if (shards.length === 0) this.#finishRetirement(slot);
      else this.#options.askRetire?.(slot, shards);
    }
  }

  /** Shard `shardIndex` answered a retirement of `slot`: it left the thread (ok) or has attempts on it. */
  retired(shardIndex: number, slot: number, ok: boolean): void {
    const r = this.#retiring.get(slot);
    if (!r) {
      if (ok) this.#reconnect(shardIndex, slot); // called off meanwhile: give it its port again
      return;
    }
    r.awaiting.delete(shardIndex);
    if (r.replaced) {
      if (r.awaiting.size === 0) this.#retiring.delete(slot);
      return;
    }
    if (ok) {
      r.left.add(shardIndex);
      if (r.failed) this.#reconnect(shardIndex, slot);
    } else if (!r.failed) {
      r.failed = true;
      for (const s of r.left) this.#reconnect(s, slot);
    }
    if (r.awaiting.size === 0) this.#finishRetirement(slot);
  }

  /**
   * A retirement is called off (a shard wants threads, or one starts): the shards that left get
   * their port again, and so will those that answer later ({@link retired} without a retirement).
   */
  #callOff(slot: number): void {
    const r = this.#retiring.get(slot);
    if (!r || r.replaced) return;
    this.#retiring.delete(slot);
    if (!r.failed) for (const s of r.left) this.#reconnect(s, slot);
    this.#activity.set(slot, { batches: this.#batches(slot), sinceMs: Date.now() });
  }

  #finishRetirement(slot: number): void {
    const r = this.#retiring.get(slot)!;
    this.#retiring.delete(slot);
    const state = this.#slots[slot];
    if (r.failed || !state) return;
    this.#slots[slot] = undefined;
    this.#activity.delete(slot);
    this.retiredThreads += 1;
    state.retired = true;
    void state.worker.terminate();
  }

  /** Gives shard `shardIndex` a port to the thread in `slot` again. */
  #reconnect(shardIndex: number, slot: number): void {
    const state = this.#slots[slot];
    if (!state || this.#closed || !this.#shards.has(shardIndex)) return;
    const { port1, port2 } = new MessageChannel();
    state.worker.postMessage(connectMessage(shardIndex, port2), [port2]);
    this.#options.onReplaced(shardIndex, slot, port1);
  }

  /** Child processes running now (script tasks), over every thread. */
  get processesRunning(): number {
    return processesRunning(this.#processSlots);
  }

  /** Threads running now. */
  get threads(): number {
    return this.#slots.filter(Boolean).length;
  }

  /** Thread ids of the pool's threads running now, by slot order. */
  get threadIds(): number[] {
    return this.#slots.flatMap((s) => (s ? [s.worker.threadId] : []));
  }

  /**
   * Connects a shard to every running thread (again, after a shard restarted: the old ports close).
   * Retirements under way are called off: the shard now holds ports to those threads.
   * @returns the shard's ports, by slot (a hole where no thread runs)
   */
  connect(shardIndex: number): Array<MessagePort | undefined> {
    this.#shards.add(shardIndex);
    for (const slot of [...this.#retiring.keys()]) this.#callOff(slot);
    return this.#slots.map((slot) => {
      if (!slot) return undefined;
      const { port1, port2 } = new MessageChannel();
      slot.worker.postMessage(connectMessage(shardIndex, port2), [port2]);
      return port1;
    });
  }

  #start(slot: number, shards: TaskThreadInit['shards']): Slot {
    const running = new SharedArrayBuffer(8);
    const { dataDir, noSync } = this.#options;
    const startedLog = this.#options.startedDir === undefined ? undefined : join(this.#options.startedDir, `${this.#life}-${++this.#threadsStarted}`);
    const init: TaskThreadInit = { slot, running, shards, workDir: this.#workDir, processSlots: this.#processSlots, storage: this.#options.storage ?? { root: join(tmpdir(), 'troupe-storage'), noSync: true }, ...(dataDir ? { dataDir, noSync: noSync === true } : {}), ...(startedLog ? { startedLog } : {}) };
    const worker = new Worker(this.#entry, { workerData: init, transferList: shards.map((s) => s.port), resourceLimits: this.#options.resourceLimits, name: `troupe-pool-${slot}` });
    const state: Slot = { worker, running: new Int32Array(running), watched: new Map() };
    let failure: Error | undefined;
    worker.on('message', (msg: WatchMessage) => {
      this.messagesReceived += 1;
      if (msg.type === 'task.watch' && this.#slots[slot] === state) this.#watch(slot, state, msg);
    });
    worker.on('error', (err) => {
      failure = err;
    });
    const threadId = worker.threadId;
    worker.on('exit', () => {
      for (const t of state.watched.values()) clearTimeout(t);
      // What it began is over: its attempts ended, or are dispatched again (marked by the thread that takes them).
      if (startedLog) removeStartedLogs([startedLog]);
      // Its slot may hold a new thread already: leave that one's process slots alone.
      if (state.retired) return;
      // Its attempts' children outlive a thread: kill them, then free their process slots.
      const free = takeThreadSlots(this.#processSlots, slot);
      const reap = reapSurvivors(this.#workDir, `t${threadId}-`)
        .catch(() => 0)
        .finally(() => {
          free();
          this.#reaping.delete(reap);
        });
      this.#reaping.add(reap);
      if (!this.#closed && this.#slots[slot] === state) this.#replace(slot, state, failure);
    });
    worker.unref();
    return state;
  }

  #watch(slot: number, state: Slot, msg: WatchMessage): void {
    for (const { shardIndex, ticket } of msg.ended) {
      const key = `${shardIndex}:${ticket}`;
      clearTimeout(state.watched.get(key));
      state.watched.delete(key);
    }
    for (const { shardIndex, ticket, timeoutMs } of msg.started) {
      const key = `${shardIndex}:${ticket}`;
      const timer = setTimeout(() => {
        state.watched.delete(key);
        if (state.stopped || this.#slots[slot] !== state) return;
        const message = `Timeout after ${formatHms(timeoutMs)}: the task kept its thread busy past its timeout, so the thread was stopped`;
        state.stopped = { shardIndex, ticket, error: toErrorRecord(new TroupeError('TROUPE_TASK_TIMEOUT', message, { timeoutMs })) };
        void state.worker.terminate();
      }, timeoutMs + TIMEOUT_GRACE_MS);
      timer.unref();
      state.watched.set(key, timer);
    }
  }

  /** Starts a thread in place of a dead one and tells every shard what happened to its attempts. */
  #replace(slot: number, dead: Slot, failure: Error | undefined): void {
    this.replaced += 1;
    // A retirement under way is void: the replacement is connected to every shard (no port to give back).
    const r = this.#retiring.get(slot);
    if (r) {
      r.failed = true;
      r.replaced = true;
    }
    let culprit: { shardIndex: number; ticket: number } | undefined;
    let error: ErrorRecord;
    if (dead.stopped) {
      culprit = dead.stopped;
      error = dead.stopped.error;
    } else {
      const shard = Atomics.load(dead.running, 0);
      if (shard > 0) culprit = { shardIndex: shard - 1, ticket: Atomics.load(dead.running, 1) };
      error = toErrorRecord(deathError(failure, this.#options.resourceLimits));
    }
    const channels = [...this.#shards].map((shardIndex) => ({ shardIndex, channel: new MessageChannel() }));
    this.#slots[slot] = this.#start(
      slot,
      channels.map(({ shardIndex, channel }) => ({ shardIndex, port: channel.port2 })),
    );
    for (const { shardIndex, channel } of channels) {
      const death: ThreadDeath = culprit?.shardIndex === shardIndex ? { error, ticket: culprit.ticket } : { error };
      this.#options.onReplaced(shardIndex, slot, channel.port1, death);
    }
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#idleTimer);
    await Promise.all(this.#slots.map((s) => s?.worker.terminate()));
    await new Promise((r) => setImmediate(r));
    // Children of attempts still running when the threads stopped are killed with them.
    while (this.#reaping.size) await Promise.all([...this.#reaping]);
  }
}

/** The error an attempt fails with when its thread died under it. */
function deathError(failure: Error | undefined, limits: ResourceLimits): TroupeError {
  const code = (failure as { code?: string } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new TroupeError('TROUPE_TASK_MEMORY_LIMIT', `The task ran out of memory: its thread reached the pool's heap limit (maxOldGenerationSizeMb: ${limits.maxOldGenerationSizeMb ?? 'default'} MiB) and was stopped`, { ...limits });
  }
  return new TroupeError('TROUPE_TASK_FAILED', `The task thread died: ${failure?.message ?? 'it exited'}`);
}

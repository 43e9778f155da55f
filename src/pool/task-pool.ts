/**
 * The task pool: threads that run runnable tasks, owned by the main thread. Shards talk to every
 * thread directly, each over its own MessagePort (jobs in, results out): the main thread starts
 * and connects threads, stops one whose attempt ran past its `timeout`, and replaces one that
 * died (of its heap limit, or stopped), telling each shard which of its attempts was the culprit.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { TroupeError, toErrorRecord, type ErrorRecord } from '../errors.js';
import { formatHms } from '../model/duration.js';
import { connectMessage, type TaskThreadInit, type ThreadDeath, type WatchMessage } from '../protocol/pool-messages.js';
import { threadEntry } from '../thread-entry.js';
import { reapSurvivors } from './process-markers.js';
import { processesRunning, processSlotsBuffer, takeThreadSlots } from './process-slots.js';

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
   * A thread of the pool was started in place of `slot`: `port` is its new port to shard
   * `shardIndex`; `death` says why the old one went, for that shard.
   */
  onReplaced: (shardIndex: number, slot: number, port: MessagePort, death: ThreadDeath) => void;
  /** The thread entry (tests start threads that also know test-only task types). */
  entry?: URL;
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
}

/** A pool of task threads. */
export class TaskPool {
  readonly #options: TaskPoolOptions;
  readonly #entry: URL;
  readonly #slots: Slot[] = [];
  readonly #shards = new Set<number>();
  readonly #processSlots: SharedArrayBuffer;
  readonly #workDir: string;
  /** Reaps of dead threads' children still under way (close waits for them). */
  readonly #reaping = new Set<Promise<unknown>>();
  #closed = false;
  /** Threads started in place of one that died or was stopped. */
  replaced = 0;
  /** Messages the main thread received from the pool's threads (`task.watch` only). */
  messagesReceived = 0;

  constructor(options: TaskPoolOptions) {
    this.#options = options;
    this.#entry = options.entry ?? threadEntry(import.meta.url, '../pool/task-thread.js');
    this.#processSlots = processSlotsBuffer(options.maxProcesses ?? availableParallelism() * 4, options.threads);
    this.#workDir = options.workDir ?? join(tmpdir(), 'troupe-work');
    for (let slot = 0; slot < options.threads; slot++) this.#slots.push(this.#start(slot, []));
  }

  /** Child processes running now (script tasks), over every thread. */
  get processesRunning(): number {
    return processesRunning(this.#processSlots);
  }

  /** Threads in the pool. */
  get threads(): number {
    return this.#slots.length;
  }

  /** Thread ids of the pool's threads, by slot. */
  get threadIds(): number[] {
    return this.#slots.map((s) => s.worker.threadId);
  }

  /**
   * Connects a shard to every thread (again, after a shard restarted: the old ports close).
   * @returns the shard's ports, by slot
   */
  connect(shardIndex: number): MessagePort[] {
    this.#shards.add(shardIndex);
    return this.#slots.map((slot) => {
      const { port1, port2 } = new MessageChannel();
      slot.worker.postMessage(connectMessage(shardIndex, port2), [port2]);
      return port1;
    });
  }

  #start(slot: number, shards: TaskThreadInit['shards']): Slot {
    const running = new SharedArrayBuffer(8);
    const { dataDir, noSync } = this.#options;
    const init: TaskThreadInit = { slot, running, shards, workDir: this.#workDir, processSlots: this.#processSlots, storage: this.#options.storage ?? { root: join(tmpdir(), 'troupe-storage'), noSync: true }, ...(dataDir ? { dataDir, noSync: noSync === true } : {}) };
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
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
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

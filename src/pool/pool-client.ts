/**
 * A shard's side of the pool: it sends jobs straight to the task threads (one MessagePort per
 * thread) and gets their results back on the same ports, without the main thread. Jobs wait in
 * the shard until a thread has room (at most {@link WINDOW} attempts of this shard per thread),
 * leave in batches, and results come back batched by the thread, so one message carries many
 * jobs or results either way, and results flow back while later batches run.
 *
 * Threads come and go on demand (TaskPool's `minThreads`): a slot may have no thread. When jobs
 * are sent while every connected thread is busy (or none is connected) and the pool may run more,
 * the client asks for one (`want`, once until a thread arrives); it keeps its load per slot in
 * shared memory so the main thread can see a thread no shard uses, and leaves a thread the pool
 * retires ({@link retireThread}) only when none of its attempts is on it.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { LogEntry } from '../model/log-entry.js';
import { isoDate } from '../model/state.js';
import type { ErrorRecord } from '../errors.js';
import { taskResultMessage, type TaskResultMessage } from '../protocol/execution-messages.js';
import { cancelMessage, jobsMessage, type FromTaskThread, type TaskJob, type ThreadDeath, type Ticketed } from '../protocol/pool-messages.js';

/** Attempts of one shard in flight on one thread at most. */
const WINDOW = 256;
/** Jobs per message at most. */
const BATCH_MAX = 64;

/** A result for an execution of this shard. */
export interface ShardResult {
  executionId: string;
  result: TaskResultMessage;
}

interface Outstanding {
  job: TaskJob;
  slot: number;
  /** Threads that died while this attempt was on them, with no culprit named. */
  deaths: number;
}

/** Starting threads on demand: how many the pool may run, how to ask for one, where loads are shared. */
export interface PoolClientDemand {
  threads: number;
  want: () => void;
  /** Int32 × 2 × threads: in-flight attempts per slot, then batches sent per slot. */
  loads?: Int32Array;
}

/** The shard's connection to every thread of the pool. */
export class PoolClient {
  readonly #ports: Array<MessagePort | undefined> = [];
  readonly #demand: PoolClientDemand | undefined;
  /** A thread was asked for and has not arrived yet. */
  #wanting = false;
  readonly #load: number[] = [];
  readonly #onResults: (results: ShardResult[]) => void;
  readonly #onLogs: (entries: LogEntry[]) => void;
  /** Jobs not yet sent, oldest first, read from `#head`. */
  #pending: Array<Ticketed<TaskJob>> = [];
  #head = 0;
  readonly #outstanding = new Map<number, Outstanding>();
  readonly #ticketOfRun = new Map<string, number>();
  #nextTicket = 1;
  /** Attempts handed to threads, and result messages received. */
  readonly counts = { dispatched: 0, resultMessages: 0 };

  /** Attempts waiting in the shard for room on a thread. */
  get queued(): number {
    return this.#pending.length - this.#head;
  }

  /** Attempts on the threads now. */
  get inFlight(): number {
    return this.#outstanding.size;
  }

  /**
   * @param onResults attempts' results, as threads send them
   * @param onLogs log lines of attempts still running (streamed output), before their results
   */
  constructor(ports: ReadonlyArray<MessagePort | undefined>, onResults: (results: ShardResult[]) => void, onLogs: (entries: LogEntry[]) => void = () => {}, demand?: PoolClientDemand) {
    this.#onResults = onResults;
    this.#onLogs = onLogs;
    this.#demand = demand;
    ports.forEach((port, slot) => port && this.#attach(slot, port));
  }

  #attach(slot: number, port: MessagePort): void {
    this.#ports[slot] = port;
    this.#load[slot] ??= 0;
    port.on('message', (msg: FromTaskThread) => this.#received(msg));
  }

  /** Threads connected now. */
  get threads(): number {
    return this.#ports.filter(Boolean).length;
  }

  #setLoad(slot: number, load: number): void {
    this.#load[slot] = load;
    if (this.#demand?.loads) Atomics.store(this.#demand.loads, slot, load);
  }

  /** Asks for one more thread when every connected one is busy (or none is) and the pool may run more. */
  #maybeWant(): void {
    const d = this.#demand;
    if (!d || this.#wanting || this.#outstanding.size + this.queued === 0) return;
    let connected = 0;
    for (let s = 0; s < this.#ports.length; s++) {
      if (!this.#ports[s]) continue;
      if (this.#load[s] === 0) return; // an idle thread is there
      connected++;
    }
    if (connected >= d.threads) return;
    this.#wanting = true;
    d.want();
  }

  /**
   * The pool would stop thread `slot` (idle by the shared loads): leave it — close this shard's
   * port — when none of this shard's attempts is on it.
   * @returns whether the shard left it
   */
  retireThread(slot: number): boolean {
    const port = this.#ports[slot];
    if (!port) return true;
    if (this.#load[slot]! > 0) return false;
    // Results it sent before (there are none: no attempt is on it) and logs are taken first.
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.#received(m.message as FromTaskThread, false);
    port.close();
    this.#ports[slot] = undefined;
    this.#wanting = false; // a thread asked for meanwhile may not come: ask again when needed
    return true;
  }

  /** Queues attempts and sends what the threads have room for. */
  dispatch(jobs: TaskJob[]): void {
    for (const job of jobs) {
      const ticket = this.#nextTicket;
      this.#nextTicket = ticket >= 0x7fffffff ? 1 : ticket + 1;
      this.#pending.push({ ticket, value: job });
    }
    this.#pump();
  }

  /** Aborts attempts (kill): running ones end KILLED in their thread; queued ones never leave. */
  cancel(taskRunIds: string[]): void {
    const bySlot = new Map<number, number[]>();
    const ids = new Set(taskRunIds);
    for (const id of taskRunIds) {
      const ticket = this.#ticketOfRun.get(id);
      const o = ticket === undefined ? undefined : this.#outstanding.get(ticket);
      if (!o) continue;
      ids.delete(id);
      const list = bySlot.get(o.slot) ?? [];
      list.push(ticket!);
      bySlot.set(o.slot, list);
    }
    for (const [slot, tickets] of bySlot) this.#ports[slot]!.postMessage(cancelMessage(tickets));
    if (ids.size) {
      this.#pending = this.#pending.slice(this.#head).filter((p) => !ids.has(p.value.taskRunId));
      this.#head = 0;
    }
  }

  /**
   * A thread was replaced: results it sent before it went are taken first; then the culprit
   * fails, and this shard's other attempts on it are sent again.
   */
  replaceThread(slot: number, port: MessagePort, death?: ThreadDeath): void {
    if (!death) {
      // A thread started on demand, or this shard's port to one again: nothing of ours was on it.
      this.#ports[slot]?.close();
      this.#attach(slot, port);
      this.#setLoad(slot, 0);
      this.#wanting = false;
      this.#pump();
      return;
    }
    const old = this.#ports[slot];
    if (old) {
      for (let m = receiveMessageOnPort(old); m; m = receiveMessageOnPort(old)) this.#received(m.message as FromTaskThread, false);
      old.close();
    }
    this.#attach(slot, port);
    const failed: ShardResult[] = [];
    const again: Array<Ticketed<TaskJob>> = [];
    for (const [ticket, o] of this.#outstanding) {
      if (o.slot !== slot) continue;
      const culprit = death.ticket === ticket || (death.ticket === undefined && ++o.deaths >= 2);
      if (culprit) {
        this.#settle(ticket, o);
        failed.push({ executionId: o.job.executionId, result: failedResult(o.job, death.error) });
      } else {
        this.#outstanding.delete(ticket);
        again.push({ ticket, value: o.job });
        this.#retained.set(ticket, o.deaths);
      }
    }
    this.#setLoad(slot, 0);
    this.#pending = [...again, ...this.#pending.slice(this.#head)];
    this.#head = 0;
    if (failed.length) this.#onResults(failed);
    this.#pump();
  }

  /** Deaths already counted against attempts sent again (kept across their re-dispatch). */
  readonly #retained = new Map<number, number>();

  #received(msg: FromTaskThread, pump = true): void {
    if (msg.type === 'task.logs') {
      this.#onLogs(msg.entries);
      return;
    }
    this.counts.resultMessages += 1;
    const out: ShardResult[] = [];
    for (const { ticket, value } of msg.results) {
      const o = this.#outstanding.get(ticket);
      if (!o) continue; // sent again after its thread died: the new attempt's result counts
      this.#settle(ticket, o);
      out.push({ executionId: o.job.executionId, result: value });
    }
    if (out.length) this.#onResults(out);
    if (pump) this.#pump();
  }

  #settle(ticket: number, o: Outstanding): void {
    this.#outstanding.delete(ticket);
    if (this.#ticketOfRun.get(o.job.taskRunId) === ticket) this.#ticketOfRun.delete(o.job.taskRunId);
    this.#setLoad(o.slot, this.#load[o.slot]! - 1);
  }

  /** Sends queued jobs, in batches, to the least loaded threads with room. */
  #pump(): void {
    const slots = this.#ports.length;
    const connected = this.threads;
    while (this.#head < this.#pending.length) {
      let slot = -1;
      for (let s = 0; s < slots; s++) if (this.#ports[s] && this.#load[s]! < WINDOW && (slot < 0 || this.#load[s]! < this.#load[slot]!)) slot = s;
      if (slot < 0) {
        if (this.#head > 4096 && this.#head * 2 > this.#pending.length) {
          this.#pending = this.#pending.slice(this.#head);
          this.#head = 0;
        }
        this.#maybeWant();
        return;
      }
      const waiting = this.#pending.length - this.#head;
      const size = Math.min(BATCH_MAX, WINDOW - this.#load[slot]!, Math.max(1, Math.ceil(waiting / connected)));
      const batch = this.#pending.slice(this.#head, this.#head + size);
      this.#head += batch.length;
      for (const t of batch) {
        const deaths = this.#retained.get(t.ticket) ?? 0;
        if (deaths) this.#retained.delete(t.ticket);
        this.#outstanding.set(t.ticket, { job: t.value, slot, deaths });
        this.#ticketOfRun.set(t.value.taskRunId, t.ticket);
      }
      this.#setLoad(slot, this.#load[slot]! + batch.length);
      if (this.#demand?.loads) Atomics.add(this.#demand.loads, this.#demand.threads + slot, 1);
      this.counts.dispatched += batch.length;
      this.#ports[slot]!.postMessage(jobsMessage(batch));
    }
    this.#pending = [];
    this.#head = 0;
    this.#maybeWant();
  }

  /** Closes the ports. */
  close(): void {
    for (const port of this.#ports) port?.close();
  }
}

/** The result of an attempt whose thread died under it: FAILED, with the reason logged. */
function failedResult(job: TaskJob, error: ErrorRecord): TaskResultMessage {
  const date = isoDate(Date.now());
  return taskResultMessage({
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: 'FAILED', histories: [{ state: 'CREATED', date }, { state: 'RUNNING', date }, { state: 'FAILED', date }] } },
    outputs: null,
    logs: [{ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: date, level: 'ERROR', message: error.message }],
    error,
    ...(job.work ? { work: job.work } : {}),
  });
}

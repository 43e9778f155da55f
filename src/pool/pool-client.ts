/**
 * A shard's side of the pool: it sends jobs straight to the task threads (one MessagePort per
 * thread) and gets their results back on the same ports, without the main thread. Jobs wait in
 * the shard until a thread has room (at most {@link WINDOW} attempts of this shard per thread),
 * leave in batches, and results come back batched by the thread, so one message carries many
 * jobs or results either way, and results flow back while later batches run.
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

/** The shard's connection to every thread of the pool. */
export class PoolClient {
  readonly #ports: MessagePort[] = [];
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
  constructor(ports: MessagePort[], onResults: (results: ShardResult[]) => void, onLogs: (entries: LogEntry[]) => void = () => {}) {
    this.#onResults = onResults;
    this.#onLogs = onLogs;
    ports.forEach((port, slot) => this.#attach(slot, port));
  }

  #attach(slot: number, port: MessagePort): void {
    this.#ports[slot] = port;
    this.#load[slot] ??= 0;
    port.on('message', (msg: FromTaskThread) => this.#received(msg));
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
  replaceThread(slot: number, port: MessagePort, death: ThreadDeath): void {
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
    this.#load[slot] = 0;
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
    this.#load[o.slot]! -= 1;
  }

  /** Sends queued jobs, in batches, to the least loaded threads with room. */
  #pump(): void {
    const slots = this.#ports.length;
    while (this.#head < this.#pending.length) {
      let slot = -1;
      for (let s = 0; s < slots; s++) if (this.#load[s]! < WINDOW && (slot < 0 || this.#load[s]! < this.#load[slot]!)) slot = s;
      if (slot < 0) {
        if (this.#head > 4096 && this.#head * 2 > this.#pending.length) {
          this.#pending = this.#pending.slice(this.#head);
          this.#head = 0;
        }
        return;
      }
      const waiting = this.#pending.length - this.#head;
      const size = Math.min(BATCH_MAX, WINDOW - this.#load[slot]!, Math.max(1, Math.ceil(waiting / slots)));
      const batch = this.#pending.slice(this.#head, this.#head + size);
      this.#head += batch.length;
      for (const t of batch) {
        const deaths = this.#retained.get(t.ticket) ?? 0;
        if (deaths) this.#retained.delete(t.ticket);
        this.#outstanding.set(t.ticket, { job: t.value, slot, deaths });
        this.#ticketOfRun.set(t.value.taskRunId, t.ticket);
      }
      this.#load[slot]! += batch.length;
      this.counts.dispatched += batch.length;
      this.#ports[slot]!.postMessage(jobsMessage(batch));
    }
    this.#pending = [];
    this.#head = 0;
  }

  /** Closes the ports. */
  close(): void {
    for (const port of this.#ports) port.close();
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
  });
}

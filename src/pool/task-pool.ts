/**
 * The piscina pool that runs runnable tasks. The main thread owns it; shards send it jobs and
 * get results back through the router (batched, so a thread hop carries many messages).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TaskJob } from '../protocol/pool-messages.js';
import type { TaskResultMessage } from '../protocol/execution-messages.js';
import { toErrorRecord } from '../errors.js';
import { isoDate } from '../model/state.js';
import { threadEntry } from '../runtime/thread-entry.js';

/** Options of the task pool. */
export interface TaskPoolOptions {
  /** Threads running tasks. */
  threads: number;
}

/** Jobs per piscina task when a drain dispatches many. */
const BATCH_MAX = 32;

/** Must equal CANCEL_CHANNEL in task-thread.ts (not imported: that module is a thread entry). */
const CANCEL_CHANNEL = 'troupe:task-cancel';

/** The result of an attempt the pool could not run: FAILED, with the reason logged. */
function failedResult(job: TaskJob, e: unknown): TaskResultMessage {
  const date = isoDate(Date.now());
  const message = `The task thread failed: ${e instanceof Error ? e.message : String(e)}`;
  return {
    type: 'task.result',
    taskRunId: job.taskRunId,
    attemptNumber: job.attemptNumber,
    attempt: { state: { current: 'FAILED', histories: [{ state: 'CREATED', date }, { state: 'RUNNING', date }, { state: 'FAILED', date }] } },
    outputs: null,
    logs: [{ namespace: job.namespace, flowId: job.flowId, taskId: job.task.id, executionId: job.executionId, taskRunId: job.taskRunId, attemptNumber: job.attemptNumber, timestamp: date, level: 'ERROR', message }],
    error: toErrorRecord(e),
  };
}

/** A pool of task threads. */
export class TaskPool {
  readonly #pool: Piscina;
  readonly #threads: number;
  readonly #cancels = new BroadcastChannel(CANCEL_CHANNEL);

  constructor(options: TaskPoolOptions) {
    this.#threads = options.threads;
    this.#cancels.unref();
    this.#pool = new Piscina({
      filename: threadEntry(import.meta.url, '../pool/task-thread.js').href,
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: 60_000,
      // Tasks that wait (Sleep, I/O) must not hold a thread each.
      concurrentTasksPerWorker: 8,
    });
    // A thread that dies is replaced by piscina; its tasks' promises reject and become FAILED attempts.
    this.#pool.on('error', () => {});
  }

  /** Runs one attempt. Never rejects: a pool failure becomes a FAILED attempt with its error logged. */
  async run(job: TaskJob): Promise<TaskResultMessage> {
    try {
      return (await this.#pool.run(job)) as TaskResultMessage;
    } catch (e) {
      return failedResult(job, e);
    }
  }

  /**
   * Runs many attempts as piscina tasks of up to {@link BATCH_MAX} jobs (each run concurrently in
   * its thread), so submission costs are paid per batch. `onResults` gets each batch's results.
   */
  runMany(jobs: TaskJob[], onResults: (results: TaskResultMessage[]) => void): void {
    // Small enough that results flow back while later chunks still run (stages overlap), large
    // enough that one submission carries many jobs.
    const size = Math.min(BATCH_MAX, Math.ceil(jobs.length / this.#threads));
    for (let i = 0; i < jobs.length; i += size) {
      const batch = jobs.slice(i, i + size);
      this.#pool.run({ batch }).then(
        (results) => onResults(results as TaskResultMessage[]),
        (e: unknown) => onResults(batch.map((job) => failedResult(job, e))),
      );
    }
  }

  /** Asks the thread running an attempt to abort it (it ends KILLED). */
  cancel(taskRunId: string): void {
    this.#cancels.postMessage(taskRunId);
  }

  /** Tasks completed since the pool started. */
  get completed(): number {
    return this.#pool.completed;
  }

  /** Threads in the pool. */
  get threads(): number {
    return this.#pool.threads.length;
  }

  async close(): Promise<void> {
    this.#cancels.close();
    await this.#pool.close({ force: true });
  }
}

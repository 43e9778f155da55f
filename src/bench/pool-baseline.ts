/**
 * The machine's own limit for the engine's task pool: a bare piscina pool with the same thread
 * count and the same per-thread concurrency as the engine's TaskPool, running no-op tasks.
 */
import { Piscina } from 'piscina';
import { threadEntry } from '../thread-entry.js';

/** Tasks kept in flight: enough that no thread ever waits for the main thread to submit. */
const IN_FLIGHT = 1_000;

/** Must match `concurrentTasksPerWorker` of src/pool/task-pool.ts, so the two pools compare. */
const TASKS_PER_THREAD = 8;

/**
 * Runs `tasks` no-op tasks through a fresh pool of `threads` threads (started before timing).
 * @returns no-op tasks completed per second
 */
export async function measurePoolNoop(threads: number, tasks: number): Promise<number> {
  const pool = new Piscina({
    filename: threadEntry(import.meta.url, './noop-thread.js').href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: TASKS_PER_THREAD,
    idleTimeout: 60_000,
  });
  try {
    // Warm up: every thread online and the task path compiled.
    await Promise.all(Array.from({ length: threads * TASKS_PER_THREAD * 4 }, (_, i) => pool.run(i)));
    let submitted = 0;
    const started = performance.now();
    const lane = async (): Promise<void> => {
      while (submitted < tasks) {
        submitted++;
        await pool.run(submitted);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, tasks) }, lane));
    return tasks / ((performance.now() - started) / 1000);
  } finally {
    await pool.close({ force: true });
  }
}

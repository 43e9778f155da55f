/**
 * Preloaded (`node --import`) into a Troupe process: the moment the engine starts a pool thread,
 * the whole process dies (SIGKILL) — a life that ends before any thread begins an attempt, as a
 * daemon killed under load does while its threads start on demand. Used by unstarted-crash.test.ts.
 */
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

const BaseWorker = workerThreads.Worker;
workerThreads.Worker = class NoPoolThread extends BaseWorker {
  constructor(filename, options) {
    if (String(filename).endsWith('task-thread.js')) process.kill(process.pid, 'SIGKILL');
    super(filename, options);
  }
};
syncBuiltinESMExports();

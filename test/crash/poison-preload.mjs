/**
 * Preloaded (`node --import`) into a Troupe process: a task whose id is `poison` kills the whole
 * process with SIGKILL the moment a pool thread begins it, as a task that aborts the process
 * would (V8's "invalid size error" is one). Every thread the engine starts first loads
 * poison-thread.mjs, which wraps a pool thread's ports. Used by poison-pill.test.ts.
 */
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

const WRAPPER = new URL('./poison-thread.mjs', import.meta.url);
const BaseWorker = workerThreads.Worker;
workerThreads.Worker = class PoisonedWorker extends BaseWorker {
  constructor(filename, options = {}) {
    super(WRAPPER, { ...options, argv: [String(filename)] });
  }
};
syncBuiltinESMExports();

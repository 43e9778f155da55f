/**
 * Preloaded (`node --import`) into a Troupe process: a task whose id is `poison` kills the whole
 * process with SIGKILL the moment it is handed to the pool, as a task that aborts the process
 * would (V8's "invalid size error" is one). Used by poison-pill.test.ts.
 */
import { TaskPool } from '../../dist/pool/task-pool.js';

const die = (jobs) => {
  if (jobs.some((j) => j.task.id === 'poison')) process.kill(process.pid, 'SIGKILL');
};
const run = TaskPool.prototype.run;
TaskPool.prototype.run = function (job) {
  die([job]);
  return run.call(this, job);
};
const runMany = TaskPool.prototype.runMany;
TaskPool.prototype.runMany = function (jobs, onResults) {
  die(jobs);
  return runMany.call(this, jobs, onResults);
};

/**
 * poison-preload.mjs's thread wrapper: a shard that dispatches a task whose id is `poison` kills
 * the whole process (SIGKILL); then the thread's own entry (the last argv) runs.
 */
import { PoolClient } from '../../dist/pool/pool-client.js';

const dispatch = PoolClient.prototype.dispatch;
PoolClient.prototype.dispatch = function (jobs) {
  if (jobs.some((j) => j.task.id === 'poison')) process.kill(process.pid, 'SIGKILL');
  return dispatch.call(this, jobs);
};
await import(process.argv.at(-1));

/**
 * The crash driver's thread wrapper: wraps the shard's dispatch to the pool so that every attempt
 * handed to a task thread is reported on stdout (`{"t":"d",…}`, written synchronously: a line
 * written is never lost to the kill), then runs the thread's own entry (the last argv).
 */
import { writeSync } from 'node:fs';
import { PoolClient } from '../../dist/pool/pool-client.js';

const started = Number(process.env.CRASH_DRIVER_STARTED);
const dispatch = PoolClient.prototype.dispatch;
PoolClient.prototype.dispatch = function (jobs) {
  const ms = Date.now() - started;
  // One line per write: a write under PIPE_BUF never interleaves with the main thread's lines.
  for (const job of jobs) writeSync(1, `${JSON.stringify({ t: 'd', e: job.executionId, r: job.taskRunId, a: job.attemptNumber, ms })}\n`);
  return dispatch.call(this, jobs);
};
await import(process.argv.at(-1));

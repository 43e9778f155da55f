/**
 * poison-preload.mjs's thread wrapper: a pool thread that begins a task whose id is `poison` kills
 * the whole process (SIGKILL) — right after the thread took the batch of jobs, as a task that
 * aborts the process would; then the thread's own entry (the last argv) runs.
 */
import { MessagePort } from 'node:worker_threads';

const entry = process.argv.at(-1);
if (entry.endsWith('task-thread.js')) {
  const on = MessagePort.prototype.on;
  MessagePort.prototype.on = function (event, listener) {
    if (event !== 'message') return on.call(this, event, listener);
    return on.call(this, event, (msg) => {
      listener(msg);
      if (msg?.type === 'task.jobs' && msg.jobs.some((j) => j.value.task.id === 'poison')) process.kill(process.pid, 'SIGKILL');
    });
  };
}
await import(entry);

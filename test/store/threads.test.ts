import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/model/execution.js';
import type { TaskRun } from '../../src/model/task-run.js';
import { openStore, type ChangeBatch } from '../../src/store/index.js';
import { compileStore } from './compiled-store.js';
import { createTempDir, makeHeader, makeLog, makeTaskRun } from './fixtures.js';

/** A shard thread's part: open the store itself, write its batches, close. */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.url)
  .then(async ({ openStore }) => {
    // noSync: this test is about shared structures across threads, not fsync (a loaded machine
    // would spend minutes in fsyncs of many small batches).
    const store = openStore({ dataDir: workerData.dataDir, noSync: true });
    for (const batch of workerData.batches) await store.writeBatch(batch);
    const own = store.readExecution(workerData.executionId);
    await store.close();
    parentPort.postMessage({ ok: true, own });
  })
  .catch((err) => parentPort.postMessage({ ok: false, error: String(err && err.stack) }));
`;

let compiled: ReturnType<typeof compileStore>;
let tmp: ReturnType<typeof createTempDir>;

beforeAll(() => {
  compiled = compileStore();
  tmp = createTempDir();
});
afterAll(() => {
  compiled.remove();
  tmp.remove();
});

/** An execution of `n` task runs whose shapes differ per variant, so each thread adds new shared structures. */
function makeExecution(id: string, n: number, variant: 'a' | 'b'): Execution {
  const taskRunList = Array.from({ length: n }, (_, i): TaskRun => {
    const run = makeTaskRun(id, i);
    if (variant === 'a') return { ...run, iteration: i, outputs: { [`out${i % 7}`]: i } };
    const { parentTaskRunId: _p, value: _v, ...rest } = run;
    return { ...rest, outputs: null };
  });
  return { ...makeHeader(id), variables: { variant }, taskRunList };
}

/** The execution written as the shard would: the header, then task runs 10 per batch, with logs. */
function toBatches(execution: Execution): ChangeBatch[] {
  const { taskRunList = [], ...header } = execution;
  const batches: ChangeBatch[] = [];
  for (let start = 0; start < taskRunList.length; start += 10) {
    batches.push({
      headers: [header],
      taskRuns: taskRunList.slice(start, start + 10).map((taskRun, k) => ({ executionId: execution.id, record: { seq: start + k, taskRun } })),
      logs: [{ executionId: execution.id, seq: start / 10, entry: makeLog(execution.id, start) }],
    });
  }
  return batches;
}

async function runWriter(dataDir: string, execution: Execution): Promise<Execution> {
  const worker = new Worker(WRITER, { eval: true, workerData: { url: compiled.url, dataDir, executionId: execution.id, batches: toBatches(execution) } });
  const exit = once(worker, 'exit');
  const noReply = exit.then(([code]) => [{ ok: false, error: `the writer thread exited (code ${String(code)}) without a reply` }]);
  const [reply] = (await Promise.race([once(worker, 'message'), noReply])) as [{ ok: boolean; own?: Execution; error?: string }];
  await exit;
  if (!reply.ok) throw new Error(`writer thread failed: ${reply.error}`);
  return reply.own!;
}

describe('one data dir opened by several threads', () => {
  it('reads back from a third open everything two worker threads wrote concurrently', async () => {
    // The reader opens and writes first: its copy of the shared structures predates both writers',
    // and its next write must not reuse a structure id they took meanwhile.
    const reader = openStore({ dataDir: tmp.dir, noSync: true });
    const r = makeExecution('execR', 30, 'a');
    const [firstR, secondR] = [toBatches({ ...r, taskRunList: r.taskRunList!.slice(0, 10) }), toBatches(r).slice(1)];
    for (const batch of firstR) await reader.writeBatch(batch);
    const a = makeExecution('execA', 120, 'a');
    const b = makeExecution('execB', 120, 'b');
    const [ownA, ownB] = await Promise.all([runWriter(tmp.dir, a), runWriter(tmp.dir, b)]);
    for (const batch of secondR) {
      batch.taskRuns.forEach((t) => (t.record.taskRun = { ...t.record.taskRun, attempts: [], outputs: { late: true } }));
      await reader.writeBatch(batch);
    }
    const lateR = reader.readExecution('execR')!;
    expect(lateR.taskRunList!.slice(10).every((t) => t.outputs?.['late'] === true)).toBe(true);
    expect(ownA).toStrictEqual(a);
    expect(ownB).toStrictEqual(b);
    expect(reader.listExecutionIds()).toEqual(['execA', 'execB', 'execR']);
    expect(reader.readExecution('execA')).toStrictEqual(a);
    expect(reader.readExecution('execB')).toStrictEqual(b);
    expect(reader.readLogs('execB')).toHaveLength(12);
    await reader.close();

    const reopened = openStore({ dataDir: tmp.dir, readOnly: true });
    expect(reopened.readExecution('execA')).toStrictEqual(a);
    expect(reopened.readExecution('execB')).toStrictEqual(b);
    expect(reopened.readExecution('execR')).toStrictEqual(lateR);
    await reopened.close();
  });
});

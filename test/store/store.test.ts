import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Execution } from '../../src/model/execution.js';
import { openStore, type Store, type TaskRunRecord } from '../../src/store/index.js';
import { createTempDir, makeHeader, makeLog, makeTaskRun } from './fixtures.js';

const EXEC = '6s1egIkxu3gpzzILDnyxTn';

let tmp: ReturnType<typeof createTempDir>;
let store: Store;

beforeEach(() => {
  tmp = createTempDir();
  store = openStore({ dataDir: tmp.dir, noSync: true });
});

afterEach(async () => {
  await store.close();
  tmp.remove();
});

function records(executionId: string, seqs: number[]): Array<{ executionId: string; record: TaskRunRecord }> {
  return seqs.map((seq) => ({ executionId, record: { seq, taskRun: makeTaskRun(executionId, seq) } }));
}

describe('openStore round trip', () => {
  it('reads back after close and reopen the execution, its task runs in seq order and its logs', async () => {
    const header = makeHeader(EXEC);
    const runs = records(EXEC, [0, 1, 2, 3, 4]);
    const logs = [0, 1, 2].map((seq) => ({ executionId: EXEC, seq, entry: makeLog(EXEC, seq) }));
    await store.writeBatch({ headers: [header], taskRuns: runs, logs });
    await store.close();

    store = openStore({ dataDir: tmp.dir });
    const { id, namespace, flowId, flowRevision, ...rest } = header;
    const expected: Execution = { id, namespace, flowId, flowRevision, taskRunList: runs.map((r) => r.record.taskRun), ...rest };
    expect(store.readExecution(EXEC)).toStrictEqual(expected);
    expect(store.readHeader(EXEC)).toStrictEqual(header);
    expect(store.readLogs(EXEC)).toStrictEqual(logs.map((l) => l.entry));
    // From a seq on: only what a follower has not read yet.
    expect(store.readLogs(EXEC, 2)).toStrictEqual([logs[2]!.entry]);
    expect(store.readLogs(EXEC, 3)).toEqual([]);
    expect(Object.keys(store.readExecution(EXEC)!).slice(0, 5)).toEqual(['id', 'namespace', 'flowId', 'flowRevision', 'taskRunList']);
  });

  it('returns undefined for an unknown execution and no taskRunList for an execution without task runs', async () => {
    expect(store.readExecution('nope')).toBeUndefined();
    expect(store.readHeader('nope')).toBeUndefined();
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: [], logs: [] });
    expect(store.readExecution(EXEC)).toStrictEqual(makeHeader(EXEC));
    expect(store.readLogs(EXEC)).toEqual([]);
  });

  it('orders taskRunList by seq, numerically, whatever the write order', async () => {
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: records(EXEC, [10, 2, 100, 0]), logs: [] });
    await store.writeBatch({ headers: [], taskRuns: records(EXEC, [1, 11]), logs: [] });
    expect(store.readTaskRuns(EXEC).map((r) => r.seq)).toEqual([0, 1, 2, 10, 11, 100]);
    expect(store.readExecution(EXEC)!.taskRunList!.map((t) => t.value)).toEqual(['s0', 's1', 's2', 's10', 's11', 's100']);
  });

  it('replaces a task-run record written again under the same seq', async () => {
    const first = makeTaskRun(EXEC, 0);
    first.state = { current: 'RUNNING', histories: [{ state: 'CREATED', date: '2021-05-04T12:02:53.938Z' }, { state: 'RUNNING', date: '2021-05-04T12:02:54.116Z' }] };
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: [{ executionId: EXEC, record: { seq: 0, taskRun: first } }], logs: [] });
    const second = makeTaskRun(EXEC, 0);
    await store.writeBatch({ headers: [], taskRuns: [{ executionId: EXEC, record: { seq: 0, taskRun: second } }], logs: [] });
    expect(store.readExecution(EXEC)!.taskRunList).toStrictEqual([second]);
  });

  it('keeps executions apart: a range read never reaches a neighbour whose id extends this one', async () => {
    await store.writeBatch({
      headers: [makeHeader('abc'), makeHeader('abcd'), makeHeader('ab')],
      taskRuns: [...records('abc', [0, 1]), ...records('abcd', [0]), ...records('ab', [0, 1, 2])],
      logs: [],
    });
    expect(store.readTaskRuns('abc').map((r) => r.taskRun.executionId)).toEqual(['abc', 'abc']);
    expect(store.readTaskRuns('ab')).toHaveLength(3);
    expect(store.readTaskRuns('abcd')).toHaveLength(1);
  });

  it('stores the header without a taskRunList even when given a whole Execution', async () => {
    const execution: Execution = { ...makeHeader(EXEC), taskRunList: [makeTaskRun(EXEC, 0)] };
    await store.writeBatch({ headers: [execution], taskRuns: [], logs: [] });
    expect(store.readHeader(EXEC)).toStrictEqual(makeHeader(EXEC));
  });
});

describe('writeBatch', () => {
  it('writes concurrent batches, sharing commits, and all are readable once each resolves', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `exec${i}`);
    await Promise.all(ids.map((id) => store.writeBatch({ headers: [makeHeader(id)], taskRuns: records(id, [0, 1, 2]), logs: [] })));
    expect(store.listExecutionIds()).toEqual([...ids].sort());
    for (const id of ids) expect(store.readExecution(id)!.taskRunList).toHaveLength(3);
  });

  it('puts and deletes outbox entries in seq order', async () => {
    const entry = (seq: number) => ({ seq, effect: { type: 'task.dispatch', taskRunId: `tr${seq}` } });
    await store.writeBatch({
      headers: [makeHeader(EXEC)],
      taskRuns: [],
      logs: [],
      outboxPut: [2, 0, 1].map((seq) => ({ executionId: EXEC, entry: entry(seq) })),
    });
    expect(store.readOutbox(EXEC)).toStrictEqual([entry(0), entry(1), entry(2)]);
    await store.writeBatch({ headers: [], taskRuns: [], logs: [], outboxDelete: [{ executionId: EXEC, seq: 1 }] });
    expect(store.readOutbox(EXEC)).toStrictEqual([entry(0), entry(2)]);
  });

  it('counts transactions, records and encoded bytes in stats', async () => {
    expect(store.stats()).toEqual({ transactions: 0, records: 0, bytes: 0 });
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: records(EXEC, [0, 1]), logs: [{ executionId: EXEC, seq: 0, entry: makeLog(EXEC, 0) }] });
    await store.writeBatch({ headers: [], taskRuns: [], logs: [] });
    const stats = store.stats();
    expect(stats.transactions).toBe(1);
    expect(stats.records).toBe(4);
    // A task run is 700+ bytes as JSON; with shared structures it is well under that.
    expect(stats.bytes).toBeGreaterThan(300);
    expect(stats.bytes).toBeLessThan(2500);
  });

  it('gives the next free seq per table', async () => {
    expect(store.nextSeq('taskruns', EXEC)).toBe(0);
    await store.writeBatch({
      headers: [makeHeader(EXEC)],
      taskRuns: records(EXEC, [0, 1, 7]),
      logs: [{ executionId: EXEC, seq: 4, entry: makeLog(EXEC, 4) }],
      outboxPut: [],
    });
    await store.writeBatch({ headers: [makeHeader(`${EXEC}x`)], taskRuns: records(`${EXEC}x`, [50]), logs: [] });
    expect(store.nextSeq('taskruns', EXEC)).toBe(8);
    expect(store.nextSeq('logs', EXEC)).toBe(5);
    expect(store.nextSeq('outbox', EXEC)).toBe(0);
  });
});

describe('executions and flows', () => {
  it('lists execution ids, all or only those not terminated', async () => {
    await store.writeBatch({
      headers: [makeHeader('a', 'RUNNING'), makeHeader('b', 'SUCCESS'), makeHeader('c', 'PAUSED'), makeHeader('d', 'KILLED')],
      taskRuns: [],
      logs: [],
    });
    expect(store.listExecutionIds()).toEqual(['a', 'b', 'c', 'd']);
    expect(store.listExecutionIds({ nonTerminal: true })).toEqual(['a', 'c']);
  });

  it('gets a flow by revision, the latest without one, and lists every revision', async () => {
    const flow = (id: string, revision: number) => ({ namespace: 'company.team', id, revision, source: `id: ${id}\nrevision: ${revision}\n`, updated: '2024-01-01T00:00:00.000Z' });
    for (const rev of [1, 3, 2, 10]) await store.putFlow(flow('hello', rev));
    await store.putFlow(flow('hello2', 1));
    expect(store.getFlow('company.team', 'hello', 2)).toStrictEqual(flow('hello', 2));
    expect(store.getFlow('company.team', 'hello')).toStrictEqual(flow('hello', 10));
    expect(store.getFlow('company.team', 'hell')).toBeUndefined();
    expect(store.getFlow('company.team', 'hello', 4)).toBeUndefined();
    expect(store.listFlows().map((f) => `${f.id}@${f.revision}`)).toEqual(['hello@1', 'hello@2', 'hello@3', 'hello@10', 'hello2@1']);
  });
});

describe('options', () => {
  it('opens an existing store readOnly and refuses writes there', async () => {
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: [], logs: [] });
    const reader = openStore({ dataDir: tmp.dir, readOnly: true });
    try {
      expect(reader.readHeader(EXEC)).toStrictEqual(makeHeader(EXEC));
      await expect(reader.writeBatch({ headers: [], taskRuns: [], logs: [] })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    } finally {
      await reader.close();
    }
  });

  it('keeps a second handle of the same thread working after the first closes', async () => {
    const other = openStore({ dataDir: tmp.dir, noSync: true });
    await other.writeBatch({ headers: [makeHeader('x')], taskRuns: [], logs: [] });
    await other.close();
    await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns: records(EXEC, [0]), logs: [] });
    expect(store.listExecutionIds()).toEqual([EXEC, 'x']);
    await expect(other.writeBatch({ headers: [makeHeader('y')], taskRuns: [], logs: [] })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
  });

  it('refuses unknown options and a readOnly open of a missing store', () => {
    expect(() => openStore({ dataDir: tmp.dir, sync: true } as never)).toThrow(expect.objectContaining({ code: 'TROUPE_OPTION_INVALID' }));
    expect(() => openStore({ dataDir: `${tmp.dir}/missing`, readOnly: true })).toThrow(expect.objectContaining({ code: 'TROUPE_OPTION_INVALID' }));
  });
});

/**
 * The task pool on real threads, with the main thread of the test as the shard: an attempt that
 * blows its thread's heap or ignores its timeout fails alone with its own code; the thread is
 * replaced, and the attempts that shared it run again and succeed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TaskPool } from '../../src/pool/task-pool.js';
import { PoolClient, type ShardResult } from '../../src/pool/pool-client.js';
import type { TaskJob } from '../../src/protocol/pool-messages.js';

const RETURN = 'io.kestra.plugin.core.debug.Return';
const entry = new URL('../fixtures/pool/hostile-thread.mjs', import.meta.url);

function job(id: string, format: string, timeout?: string): TaskJob {
  return {
    executionId: 'e1',
    namespace: 't',
    flowId: 'f',
    taskRunId: `run-${id}`,
    attemptNumber: 1,
    task: { id, type: RETURN, canonicalType: RETURN, kind: 'runnable', disabled: false, allowFailure: false, allowWarning: false, props: { format }, ...(timeout ? { timeout } : {}) },
    vars: {},
  };
}

const pools: TaskPool[] = [];
afterEach(async () => {
  while (pools.length) await pools.pop()!.close();
});

/** A pool of one thread (so every job shares it) and a client that collects results. */
function start(maxOldGenerationSizeMb = 64): { pool: TaskPool; client: PoolClient; results: Map<string, ShardResult['result']>; all: (n: number) => Promise<void> } {
  const results = new Map<string, ShardResult['result']>();
  let waiting: { n: number; resolve: () => void } | undefined;
  let client!: PoolClient;
  const pool = new TaskPool({ threads: 1, resourceLimits: { maxOldGenerationSizeMb }, entry, onReplaced: (_shard, slot, port, death) => client.replaceThread(slot, port, death) });
  pools.push(pool);
  client = new PoolClient(pool.connect(0), (rs) => {
    for (const r of rs) results.set(r.result.taskRunId, r.result);
    if (waiting && results.size >= waiting.n) waiting.resolve();
  });
  const all = (n: number): Promise<void> => new Promise((resolve) => (results.size >= n ? resolve() : (waiting = { n, resolve })));
  return { pool, client, results, all };
}

const outcome = (r: ShardResult['result'] | undefined) => ({ state: r?.attempt.state.current, outputs: r?.outputs, code: r?.error?.code });

describe('task pool', () => {
  it('runs a batch on one thread and sends the results back batched', async () => {
    const { client, results, all } = start();
    client.dispatch([job('a', 'A {{ 1 + 1 }}'), job('b', 'B'), job('c', 'C')]);
    await all(3);
    expect([...results.keys()].sort()).toEqual(['run-a', 'run-b', 'run-c']);
    expect(outcome(results.get('run-a'))).toEqual({ state: 'SUCCESS', outputs: { value: 'A 2' }, code: undefined });
    expect(client.counts.dispatched).toBe(3);
    expect(client.counts.resultMessages).toBeLessThan(3);
  });

  it('fails only the attempt that blows its thread heap; the others that shared the thread run again', async () => {
    const { pool, client, results, all } = start(32);
    client.dispatch([job('before', 'one'), job('hog', 'hostile:hog'), job('after', 'two')]);
    await all(3);
    const hog = results.get('run-hog');
    expect(outcome(hog)).toEqual({ state: 'FAILED', outputs: null, code: 'TROUPE_TASK_MEMORY_LIMIT' });
    expect(hog!.logs.map((l) => [l.level, l.message])).toEqual([['ERROR', "The task ran out of memory: its thread reached the pool's heap limit (maxOldGenerationSizeMb: 32 MiB) and was stopped"]]);
    expect(outcome(results.get('run-before'))).toEqual({ state: 'SUCCESS', outputs: { value: 'one' }, code: undefined });
    expect(outcome(results.get('run-after'))).toEqual({ state: 'SUCCESS', outputs: { value: 'two' }, code: undefined });
    expect(pool.replaced).toBe(1);
    // The innocent two were sent again to the new thread: 3 + 2.
    expect(client.counts.dispatched).toBe(5);
  });

  it('stops a thread whose attempt never yields past its timeout, fails that attempt, and runs the others again', async () => {
    const { pool, client, results, all } = start();
    client.dispatch([job('spin', 'hostile:spin', 'PT0.3S'), job('other', 'fine')]);
    await all(2);
    const spin = results.get('run-spin');
    expect(outcome(spin)).toEqual({ state: 'FAILED', outputs: null, code: 'TROUPE_TASK_TIMEOUT' });
    expect(spin!.logs.map((l) => l.message)).toEqual(['Timeout after 00:00:00.300: the task kept its thread busy past its timeout, so the thread was stopped']);
    expect(outcome(results.get('run-other'))).toEqual({ state: 'SUCCESS', outputs: { value: 'fine' }, code: undefined });
    expect(pool.replaced).toBe(1);
    expect(pool.messagesReceived).toBeGreaterThan(0);
  });

  it('keeps a cooperative timeout inside the thread: no thread is stopped', async () => {
    const { pool, client, results, all } = start();
    client.dispatch([job('quick', 'ok', 'PT10S')]);
    await all(1);
    expect(outcome(results.get('run-quick'))).toEqual({ state: 'SUCCESS', outputs: { value: 'ok' }, code: undefined });
    expect(pool.replaced).toBe(0);
  });
});

/**
 * A KILLED execution's tasks are never handed to the pool (Kestra shipped this bug twice:
 * kestra-io/kestra#19678). The crash test found the case: an execution recovered with a task in
 * flight and killed before its first drain — recovery re-dispatched the task in the same batch
 * that made the execution KILLED, so the task ran for a killed execution.
 * A Shard is driven in-process on a real store (no threads): deterministic.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { Shard, newId, type TaskDispatcher } from '../../src/runtime/shard.js';
import type { FromShard, ShardInit } from '../../src/protocol/shard-messages.js';
import type { TaskJob } from '../../src/protocol/pool-messages.js';
import { tempDir } from '../helpers/engine.js';
import { DEFAULT_LIMITS } from '../../src/executor/index.js';

const source = `id: victim
namespace: crash
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: b
    type: io.kestra.plugin.core.log.Log
    message: never
`;

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A shard message, read loosely: the drain's output is one message or several, by protocol version. */
interface Loose {
  type: string;
  state?: string;
  ended?: Array<{ executionId: string; state: string }>;
}

const endedOf = (messages: FromShard[]): string[] =>
  (messages as unknown as Loose[]).flatMap((m) => (m.type === 'execution.ended' ? [m.state!] : m.type === 'drain.output' ? (m.ended ?? []).map((e) => e.state) : []));

/** A dispatcher that keeps what the shard hands to the pool. */
function capture(jobs: TaskJob[]): TaskDispatcher {
  return { dispatch: (js) => jobs.push(...js), cancel: () => {}, counts: { dispatched: 0, resultMessages: 0 } };
}

async function until<T>(read: () => T[]): Promise<T[]> {
  for (let i = 0; i < 2000; i++) {
    const found = read();
    if (found.length) return found;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the shard said nothing');
}

async function setup(flowSource = source): Promise<{ store: Store; init: ShardInit; id: string }> {
  const dataDir = tempDir('troupe-kill-recover-');
  const store = openStore({ dataDir, noSync: true });
  cleanup.push(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await store.putFlow({ namespace: 'crash', id: 'victim', revision: 1, source: flowSource, updated: new Date().toISOString() });
  const init: ShardInit = { shardIndex: 0, shardCount: 1, maxLiveActors: 10_000, dataDir, noSync: true, envs: {}, globals: {}, limits: DEFAULT_LIMITS };
  // The first life: the task is dispatched (its RUNNING record is durable), then the process "dies".
  const first: TaskJob[] = [];
  const id = newId();
  new Shard(init, store, () => {}, capture(first)).handle({ type: 'execution.create', executionId: id, flow: { namespace: 'crash', id: 'victim', revision: 1, source: flowSource }, nowMs: Date.now() });
  await until(() => first);
  return { store, init, id };
}

describe('recovery and kill', () => {
  it('does not dispatch a recovered task of an execution killed before its first drain', async () => {
    const { store, init, id } = await setup();
    const second: FromShard[] = [];
    const jobs: TaskJob[] = [];
    const shard = new Shard(init, store, (m) => second.push(m), capture(jobs));
    shard.recoverAll();
    shard.handle({ type: 'execution.message', executionId: id, message: { type: 'execution.kill' } });
    expect(await until(() => endedOf(second))).toEqual(['KILLED']);
    expect(jobs).toEqual([]);
    expect(store.readTaskRuns(id).map((r) => [r.taskRun.taskId, r.taskRun.state.current])).toEqual([['a', 'KILLED']]);
  });

  it('dispatches the in-flight task again when nothing kills it', async () => {
    const { store, init } = await setup();
    const second: TaskJob[] = [];
    new Shard(init, store, () => {}, capture(second)).recoverAll();
    const jobs = await until(() => second);
    expect(jobs.map((j) => [j.task.id, j.attemptNumber])).toEqual([['a', 1]]);
  });

  it('reopens a RUNNING flowable as a group and never sends it to the pool', async () => {
    // Found by the crash test: a RUNNING ForEach was restored into the in-flight set and
    // dispatched to the pool, which failed it ("task type ... ForEach is not supported").
    const loop = `id: victim
namespace: crash
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: '["x", "y", "z"]'
    concurrencyLimit: 2
    tasks:
      - id: work
        type: io.kestra.plugin.core.log.Log
        message: "{{ taskrun.value }}"
`;
    const { store, init } = await setup(loop);
    const second: TaskJob[] = [];
    new Shard(init, store, () => {}, capture(second)).recoverAll();
    const jobs = await until(() => second);
    expect(jobs.map((j) => [j.task.id, j.attemptNumber]).sort()).toEqual([['work', 1], ['work', 1]]);
  });
});

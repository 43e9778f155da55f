import { readFileSync, rmSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow, tempDir } from '../helpers/engine.js';
import { needsShared, sharedJson } from '../helpers/shared.js';

const seed = sharedJson<Record<string, unknown>>('taskrun-example.json');

/** The shape of a JSON value: keys (in order) and nesting, without the values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function engine(opts = {}) {
  const t = await openTestEngine(opts);
  disposers.push(t.dispose);
  return t;
}

const nestedLoop = `
id: each-sequential-nested
namespace: io.kestra.tests
tasks:
  - id: 1_each
    type: io.kestra.plugin.core.flow.EachSequential
    value: '["s1", "s2"]'
    tasks:
      - id: 1-1_return
        type: io.kestra.plugin.core.debug.Return
        format: "{{task.id}} > {{taskrun.value}} ⬅ {{taskrun.startDate}}"
`;

describe('Engine, end to end on threads and LMDB', () => {
  it('runs actors in a shard thread and tasks in the pool', async () => {
    const { engine: e } = await engine();
    const x = await runFlow(e, readFileSync(new URL('../../examples/hello.yaml', import.meta.url), 'utf8'));
    expect(x.state.current).toBe('SUCCESS');
    expect(e.shardThreadIds).toContain(e.lastEndedOnThread);
    expect(e.lastEndedOnThread).not.toBe(threadId);
    const threads = new Set(e.logs(x.id).map((l) => l.thread));
    expect([...threads].every((t) => /^troupe-pool-\d+$/.test(t ?? ''))).toBe(true);
    expect([...threads].map((t) => Number(t!.split('-').pop()))).not.toContain(e.lastEndedOnThread);
  });

  it.skipIf(!needsShared('task-run shape against ../shared/taskrun-example.json'))('writes task runs with the keys and nesting of Kestra’s TaskRun', async () => {
    const { engine: e } = await engine();
    const x = await runFlow(e, nestedLoop);
    expect(x.state.current).toBe('SUCCESS');
    const run = x.taskRunList!.find((r) => r.taskId === '1-1_return' && r.value === 's1')!;
    expect(shape(run)).toEqual(shape(seed));
    expect(run.outputs).toEqual({ value: expect.stringMatching(/^1-1_return > s1 ⬅ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(run.attempts![0]!.metrics!.map((m) => [m.name, m.type])).toEqual([['length', 'counter'], ['duration', 'timer']]);
    expect(run.id).toMatch(/^[0-9A-Za-z]{1,22}$/);
  });

  it('reads back after close and open exactly the execution it had in memory', async () => {
    const dataDir = tempDir();
    const first = await Engine.open({ dataDir, poolThreads: 1 });
    const rec = await first.deploy(nestedLoop);
    const id = await first.execute(rec.namespace, rec.id);
    const inMemory = await first.waitFor(id);
    await first.close();
    const second = await Engine.open({ dataDir, poolThreads: 1 });
    try {
      expect(second.get(id)).toEqual(inMemory);
      expect(second.logs(id).length).toBeGreaterThan(0);
    } finally {
      await second.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second engine on the same data dir', async () => {
    const { dataDir } = await engine();
    await expect(Engine.open({ dataDir })).rejects.toMatchObject({ code: 'TROUPE_STORE_LOCKED' });
  });

  it('rejects unknown options and unknown flows with their codes', async () => {
    await expect(Engine.open({ dataDir: tempDir(), poolThreds: 2 } as never)).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    const { engine: e } = await engine();
    await expect(e.execute('nope', 'missing')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
  });

  it('ends FAILED with the task error logged when a task fails', async () => {
    const { engine: e } = await engine();
    const x = await runFlow(e, `id: f\nnamespace: t\ntasks:\n  - id: boom\n    type: io.kestra.plugin.core.execution.Fail\n    errorMessage: "bad {{ flow.id }}"\nerrors:\n  - id: cleanup\n    type: io.kestra.plugin.core.log.Log\n    message: cleaning\n`);
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([['boom', 'FAILED'], ['cleanup', 'SUCCESS']]);
    expect(e.logs(x.id)).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'bad f', taskId: 'boom' }));
  });

  it('kills a running execution and aborts its attempt', async () => {
    const { engine: e } = await engine();
    const rec = await e.deploy(`id: k\nnamespace: t\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT30S\n`);
    const id = await e.execute(rec.namespace, rec.id);
    const done = e.waitFor(id);
    e.kill(id);
    const x = await done;
    expect(x.state.current).toBe('KILLED');
    expect(x.taskRunList?.map((r) => r.state.current)).toEqual(['KILLED']);
  });

  it('runs many executions at once, across two shards', async () => {
    const { engine: e } = await engine({ shards: 2 });
    const rec = await e.deploy(nestedLoop);
    const ids = await Promise.all(Array.from({ length: 50 }, () => e.execute(rec.namespace, rec.id)));
    const all = await Promise.all(ids.map((id) => e.waitFor(id)));
    expect(all.every((x) => x.state.current === 'SUCCESS' && x.taskRunList!.length === 3)).toBe(true);
  });
});

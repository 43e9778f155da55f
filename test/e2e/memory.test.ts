/**
 * An actor's memory through the real engine (shard thread, pool, LMDB): finished task runs leave
 * the actor once committed and the window bounds a fan-out, so the runs it holds stay bounded
 * while the store holds every one. Counted (shard figures, records), never timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

function eachParallel(values: number, tasks: number): string {
  const list = JSON.stringify(Array.from({ length: values }, (_, i) => `v${i}`));
  const children = Array.from({ length: tasks }, (_, i) => `      - id: r${i}\n        type: io.kestra.plugin.core.debug.Return\n        format: "{{ taskrun.value }}"\n`).join('');
  return `id: wide\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.EachParallel\n    value: '${list}'\n    tasks:\n${children}`;
}

describe('an execution of 20,001 task runs', () => {
  it('ends with every run stored while its actor held at most the window of active runs', async () => {
    const { engine, dispose } = await openTestEngine({ noSync: true, maxActiveRuns: 300 });
    disposers.push(dispose);
    const rec = await engine.deploy(eachParallel(200, 100));
    const id = await engine.execute(rec.namespace, rec.id);
    const header = await engine.waitFor(id, { taskRuns: false });
    expect(header.state.current).toBe('SUCCESS');
    expect(header.taskRunList).toBeUndefined();
    const [shard] = await engine.stats();
    // The EachParallel run and at most the window of children (plus the one a batch may hold ending).
    expect(shard!.peakRetainedRuns).toBeGreaterThan(0);
    expect(shard!.peakRetainedRuns).toBeLessThanOrEqual(302);
    expect(shard!.retainedRuns).toBe(0);
    const stored = engine.get(id)!;
    expect(stored.taskRunList).toHaveLength(20_001);
    expect(stored.taskRunList!.every((r) => r.state.current === 'SUCCESS')).toBe(true);
  }, 120_000);

  it('refuses a loop over the maxLoopRuns limit with a clear error, and the engine goes on', async () => {
    const { engine, dispose } = await openTestEngine({ noSync: true, maxLoopRuns: 1_000 });
    disposers.push(dispose);
    const rec = await engine.deploy(eachParallel(600, 2));
    const id = await engine.execute(rec.namespace, rec.id);
    const e = await engine.waitFor(id);
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList!.map((r) => r.taskId)).toEqual(['each']);
    expect(engine.logs(id).map((l) => l.message).join('\n')).toContain('600 values × 2 tasks = 1,200 task runs, more than the limit of 1,000 (engine option maxLoopRuns)');
    const small = await engine.deploy(eachParallel(10, 2).replace('id: wide', 'id: small'));
    expect((await engine.waitFor(await engine.execute(small.namespace, small.id))).state.current).toBe('SUCCESS');
  }, 60_000);
});

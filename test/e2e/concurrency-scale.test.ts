import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});
async function open(): Promise<Engine> {
  const t = await openTestEngine({ shards: 2, noSync: true });
  disposers.push(t.dispose);
  return t.engine;
}

/** The most executions whose RUNNING intervals overlap (an end at the same instant as a start frees first). */
function maxOverlap(executions: ExecutionJson[]): number {
  const events: Array<[number, number]> = [];
  for (const e of executions) {
    const h = e.state.histories;
    const start = h.find((x) => x.state === 'RUNNING')!.date;
    events.push([Date.parse(start), 1], [Date.parse(h[h.length - 1]!.date), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

const limited = (behavior: string, limit: number): string => `
id: limited-${behavior.toLowerCase()}
namespace: t
concurrency:
  limit: ${limit}
  behavior: ${behavior}
tasks:
  - id: a
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
  - id: b
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.005S
`;

describe('flow concurrency', () => {
  it('runs 1,000 executions with limit 10 (QUEUE) never more than 10 at once, all SUCCESS', async () => {
    const e = await open();
    const rec = await e.deploy(limited('QUEUE', 10));
    const ids = await Promise.all(Array.from({ length: 1000 }, () => e.execute(rec.namespace, rec.id)));
    const all = await Promise.all(ids.map((id) => e.waitFor(id)));
    expect(all.filter((x) => x.state.current === 'SUCCESS')).toHaveLength(1000);
    expect(maxOverlap(all)).toBeLessThanOrEqual(10);
    const queued = all.filter((x) => x.state.histories.some((h) => h.state === 'QUEUED'));
    expect(queued.length).toBeGreaterThan(900);
    expect(queued[0]!.state.histories.map((h) => h.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
    expect(e.concurrency(rec.namespace, rec.id)).toEqual({ running: 0, queued: 0 });
  });

  it('cancels or fails an execution over the limit, as its behavior says', async () => {
    const e = await open();
    for (const behavior of ['CANCEL', 'FAIL'] as const) {
      const rec = await e.deploy(limited(behavior, 1).replace('PT0.005S', 'PT0.3S'));
      const first = await e.execute(rec.namespace, rec.id);
      const second = await e.waitFor(await e.execute(rec.namespace, rec.id));
      expect(second.state.current).toBe(behavior === 'CANCEL' ? 'CANCELLED' : 'FAILED');
      expect(second.taskRunList).toBeUndefined();
      expect((await e.waitFor(first)).state.current).toBe('SUCCESS');
    }
  });
});

describe('subflows at scale', () => {
  it('starts 1,000 subflows from one ForEach, each child its own execution', async () => {
    const e = await open();
    await e.deploy(`id: leaf\nnamespace: t\ninputs:\n  - id: n\n    type: INT\ntasks:\n  - id: double\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.n * 2 }}"\noutputs:\n  - id: doubled\n    type: STRING\n    value: "{{ outputs.double.value }}"\n`);
    const values = JSON.stringify(Array.from({ length: 1000 }, (_, i) => i));
    const parent = await runFlow(e, `id: fan\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: '${values}'\n    concurrencyLimit: 50\n    tasks:\n      - id: call\n        type: io.kestra.plugin.core.flow.Subflow\n        namespace: t\n        flowId: leaf\n        inputs:\n          n: "{{ taskrun.value }}"\n`);
    expect(parent.state.current).toBe('SUCCESS');
    const calls = parent.taskRunList!.filter((r) => r.taskId === 'call');
    expect(calls).toHaveLength(1000);
    const children = new Set(calls.map((r) => (r.outputs as { executionId: string }).executionId));
    expect(children.size).toBe(1000);
    expect(calls.every((r) => (r.outputs as { outputs: { doubled: string } }).outputs.doubled === String(Number(r.value) * 2))).toBe(true);
    const one = e.get([...children][0]!)!;
    expect(one.trigger?.variables).toMatchObject({ executionId: parent.id });
    expect(one.labels).toContainEqual({ key: 'system.correlationId', value: parent.id });
  });
});

/**
 * Pool threads on demand (engine options `poolMinThreads`, `poolIdleMs`): an engine that keeps
 * none starts a thread when its first task waits, a second when both are busy, and retires them
 * once unused — and then starts them again. Nothing is lost on the way: every execution ends
 * SUCCESS. Waits on conditions, never on a fixed sleep.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine } from '../helpers/engine.js';

const FLOW = `id: on-demand
namespace: test.pool
tasks:
  - id: out
    type: io.kestra.plugin.core.output.OutputValues
    values:
      n: "{{ execution.id }}"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.out.values.n }}"
`;

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

/** Resolves once `check` holds (polled each 20 ms: retirement has no event of its own). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

async function runMany(engine: Engine, n: number): Promise<string[]> {
  const ids = await Promise.all(Array.from({ length: n }, () => engine.execute('test.pool', 'on-demand')));
  return Promise.all(ids.map(async (id) => (await engine.waitFor(id, { taskRuns: false })).state.current));
}

describe('pool threads on demand', () => {
  it('starts none, grows to the limit under load, retires idle threads, and starts again', async () => {
    const t = await openTestEngine({ noSync: true, poolThreads: 2, poolMinThreads: 0, poolIdleMs: 150 });
    dispose = t.dispose;
    const { engine } = t;
    await engine.deploy(FLOW);
    expect(engine.poolThreads.running).toBe(0);

    expect(new Set(await runMany(engine, 50))).toEqual(new Set(['SUCCESS']));
    expect(engine.poolThreads.started).toBeGreaterThanOrEqual(1);
    expect(engine.poolThreads.running).toBeLessThanOrEqual(2);

    await until(() => engine.poolThreads.running === 0);
    expect(engine.poolThreads.retired).toBe(engine.poolThreads.started);

    // Threads come back for the next executions.
    expect(new Set(await runMany(engine, 20))).toEqual(new Set(['SUCCESS']));
    expect(engine.poolThreads.started).toBeGreaterThan(engine.poolThreads.retired);
  }, 60_000);

  it('keeps poolMinThreads running and never retires them', async () => {
    const t = await openTestEngine({ noSync: true, poolThreads: 2, poolMinThreads: 1, poolIdleMs: 100 });
    dispose = t.dispose;
    const { engine } = t;
    await engine.deploy(FLOW);
    expect(engine.poolThreads.running).toBe(1);
    expect(new Set(await runMany(engine, 40))).toEqual(new Set(['SUCCESS']));
    await until(() => engine.poolThreads.running === 1 && engine.poolThreads.retired === engine.poolThreads.started);
    expect(engine.poolThreads.running).toBe(1);
  }, 60_000);

  it('refuses a negative poolMinThreads', async () => {
    await expect(openTestEngine({ poolMinThreads: -1 })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
  });
});

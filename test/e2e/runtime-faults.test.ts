/**
 * Faults of issue 10 found in the actor tasks: a Pause whose `delay` or `timeout` is a template
 * resumes after its actor was passivated or the engine restarted; an execution that ends FAILED
 * while siblings still run lists none of them open; mutual subflow recursion stops at the
 * configured depth. Real threads and LMDB; time from a TestClock (tests wait on timers armed,
 * never on the wall clock).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { TestClock } from '../../src/runtime/clock.js';
import { resolveEngineOptions } from '../../src/runtime/engine-options.js';
import type { EngineOptions } from '../../src/runtime/engine-options.js';
import { tempDir } from '../helpers/engine.js';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  while (engines.length) await engines.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

async function openEngine(options: Partial<EngineOptions> = {}): Promise<Engine> {
  const dataDir = options.dataDir ?? tempDir('troupe-faults-');
  if (!options.dataDir) dirs.push(dataDir);
  const engine = await Engine.open({ poolThreads: 1, noSync: true, ...options, dataDir });
  engines.push(engine);
  return engine;
}

const templatedPause = (prop: 'delay' | 'timeout'): string => `id: templated-${prop}
namespace: faults
inputs:
  - id: wait
    type: DURATION
    defaults: PT2H
tasks:
  - id: hold
    type: io.kestra.plugin.core.flow.Pause
    ${prop}: "{{ inputs.wait }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: resumed
`;

async function until(read: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !read(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(read()).toBe(true);
}

describe('a Pause with a templated delay or timeout', () => {
  it('resumes on its delay after its actor was passivated', async () => {
    const clock = new TestClock();
    const engine = await openEngine({ clock });
    const rec = await engine.deploy(templatedPause('delay'));
    const id = await engine.execute(rec.namespace, rec.id);
    const start = clock.now();
    expect(await clock.nextTimer()).toBe(start + 2 * 3_600_000);
    await until(() => engine.get(id)?.state.current === 'PAUSED');
    const [stats] = await engine.stats();
    expect(stats!.passiveActors).toBe(1); // the paused actor left memory
    clock.advance(2 * 3_600_000);
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('SUCCESS');
    expect(x.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([
      ['hold', 'SUCCESS'],
      ['after', 'SUCCESS'],
    ]);
  });

  it('fails on its timeout after the engine restarted', async () => {
    const dataDir = tempDir('troupe-faults-');
    dirs.push(dataDir);
    const first = new TestClock();
    let engine = await openEngine({ dataDir, clock: first });
    const rec = await engine.deploy(templatedPause('timeout'));
    const id = await engine.execute(rec.namespace, rec.id, { wait: 'PT30M' });
    const pausedAt = first.now();
    expect(await first.nextTimer()).toBe(pausedAt + 1_800_000);
    await until(() => engine.get(id)?.state.current === 'PAUSED');
    engines.pop();
    await engine.close();

    // Ten minutes later the engine opens again: the timer is armed from the stored pause date.
    const second = new TestClock(pausedAt + 600_000);
    engine = await openEngine({ dataDir, clock: second });
    expect(await second.nextTimer()).toBe(pausedAt + 1_800_000);
    second.set(pausedAt + 1_800_000);
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([['hold', 'FAILED']]);
  });
});

describe('an execution that ends while sibling runs are open', () => {
  it('closes them: no run of the ended execution is left without an end date', async () => {
    const engine = await openEngine({ poolThreads: 2 });
    const rec = await engine.deploy(`id: fail-fast
namespace: faults
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.EachParallel
    value: '["a", "b", "c", "d"]'
    concurrent: 2
    tasks:
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: first
            type: io.kestra.plugin.core.execution.Fail
            condition: "{{ parent.taskrun.value == 'a' }}"
          # Holds every other branch open (an actor timer), whatever order the pool answers in:
          # 'a' failing must end the execution and close them.
          - id: second
            type: io.kestra.plugin.core.flow.Sleep
            duration: PT1H
`);
    const id = await engine.execute(rec.namespace, rec.id);
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('FAILED');
    for (const run of x.taskRunList!) {
      expect(['SUCCESS', 'FAILED', 'KILLED']).toContain(run.state.current);
      expect(run.state.endDate).toEqual(expect.any(String));
    }
    expect(x.taskRunList!.filter((r) => r.state.current === 'KILLED').length).toBeGreaterThan(0);
    // What waitFor returned is what stays stored.
    expect(engine.get(id)!.taskRunList!.map((r) => r.state.current)).toEqual(x.taskRunList!.map((r) => r.state.current));
  });
});

describe('mutual subflow recursion', () => {
  const calls = (self: string, other: string): string => `id: ${self}
namespace: faults
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: faults
    flowId: ${other}
`;

  it('stops at maxSubflowDepth: the run that would go deeper fails naming the limit', async () => {
    const engine = await openEngine({ shards: 2, maxSubflowDepth: 4 });
    await engine.deploy(calls('ping', 'pong'));
    await engine.deploy(calls('pong', 'ping'));
    const top = await engine.execute('faults', 'ping');
    const x = await engine.waitFor(top);
    expect(x.state.current).toBe('FAILED');
    // ping → pong → ping → pong → ping: the top and 4 levels of subflows, then no more.
    const all = engine.list({ namespace: 'faults' });
    expect(all).toHaveLength(5);
    expect(all.every((e) => e.state.current === 'FAILED')).toBe(true);
    expect(all.some((e) => 'subflowDepth' in e)).toBe(false); // Troupe's own field stays out of Kestra's JSON
    const deepest = all.find((e) => e.id !== top && engine.logs(e.id).some((l) => l.level === 'ERROR'))!;
    expect(engine.logs(deepest.id).find((l) => l.level === 'ERROR')!.message).toBe(
      'TROUPE_SUBFLOW_DEPTH: the subflow would run 5 levels deep, over the limit of 4 (engine option maxSubflowDepth); does a flow call itself, directly or through another?',
    );
  });

  it('allows 32 levels by default', () => {
    expect(resolveEngineOptions({ dataDir: '/tmp/x' }, 2).maxSubflowDepth).toBe(32);
    expect(resolveEngineOptions({ dataDir: '/tmp/x' }, 2).maxAttemptCrashes).toBe(3);
    expect(() => resolveEngineOptions({ dataDir: '/tmp/x', maxSubflowDepth: 0 }, 2)).toThrow(expect.objectContaining({ code: 'TROUPE_OPTION_INVALID' }));
  });
});

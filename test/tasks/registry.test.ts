/**
 * The task registry: each type defined once, every name resolving to it, exactly one behaviour per
 * type this build runs, the pure registry free of pool and main-thread code, and a type this build
 * cannot run refused at deploy (line:column) or, deployed leniently, failed once and never retried.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FlowError } from '../../src/errors.js';
import { parseFlow, validateFlow } from '../../src/flow/index.js';
import { toExecution } from '../../src/executor/index.js';
import { actorHooksOf, behaviourOf, flowableOf, listTaskTypes, resolveTaskType } from '../../src/tasks/registry.js';
import { poolTaskOf } from '../../src/tasks/pool.js';
import { openTestEngine } from '../helpers/engine.js';
import { Simulation } from '../helpers/simulate.js';

const CORE = 'io.kestra.plugin.core.';

describe('task registry', () => {
  it('resolves every canonical name and alias of every category to its one entry', () => {
    const seen = new Set<string>();
    for (const info of listTaskTypes()) {
      for (const name of [info.name, ...info.aliases]) {
        expect(seen.has(name), name).toBe(false);
        seen.add(name);
        expect(resolveTaskType(name)).toBe(info);
      }
    }
    expect(seen.size).toBeGreaterThan(100);
  });

  it('maps legacy names to the canonical type', () => {
    expect(resolveTaskType('io.kestra.core.tasks.flows.Flow')?.name).toBe(`${CORE}flow.Subflow`);
    expect(resolveTaskType('io.kestra.core.tasks.flows.Worker')?.name).toBe(`${CORE}flow.WorkingDirectory`);
    expect(resolveTaskType('io.kestra.core.tasks.flows.Sleep')?.runs).toBe('actor');
  });

  it('gives every task type it runs exactly one behaviour, matching where it runs', async () => {
    const runnable = listTaskTypes('task').filter((t) => t.runs !== undefined);
    expect(runnable.length).toBeGreaterThanOrEqual(20);
    for (const t of runnable) {
      const b = behaviourOf(t.name)!;
      expect(b.runs, t.name).toBe(t.runs);
      if (b.runs === 'actor') {
        // A flowable resolves children (Pause and WaitFor add hooks, never a `start`); any other actor task starts through its hooks.
        const flowable = flowableOf(t.name) !== undefined;
        const starts = actorHooksOf(t.name)?.start !== undefined;
        expect(flowable !== starts, `${t.name}: flowable ${flowable}, start ${starts}`).toBe(true);
        if (flowable) expect(t.kind, t.name).toBe('flowable');
      } else {
        expect(t.kind, t.name).toBe('runnable');
        expect(typeof (await b.load()).run, t.name).toBe('function');
      }
    }
    for (const t of listTaskTypes().filter((x) => x.runs === undefined)) expect(behaviourOf(t.name), t.name).toBeUndefined();
  });

  it('loads pool behaviours only for types that run in the pool', async () => {
    expect(typeof (await poolTaskOf(`${CORE}debug.Return`)).run).toBe('function');
    await expect(poolTaskOf(`${CORE}flow.Sleep`)).rejects.toThrow("cannot run in this version of Troupe");
    await expect(poolTaskOf(`${CORE}execution.Counts`)).rejects.toThrow("cannot run in this version of Troupe");
  });

  it('keeps the registry pure: no pool.ts, main.ts or node:* in its static import graph', () => {
    const root = new URL('../../src/tasks/registry.ts', import.meta.url).pathname;
    const visited = new Set<string>();
    const todo = [root];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (visited.has(file)) continue;
      visited.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const spec = m[1]!;
        expect(spec.startsWith('node:'), `${file} imports ${spec}`).toBe(false);
        if (!spec.startsWith('.')) continue;
        todo.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    }
    const names = [...visited].map((f) => f.slice(f.lastIndexOf('/') + 1));
    expect(names.filter((n) => n === 'pool.ts' || n.endsWith('.pool.ts') || n === 'main.ts')).toEqual([]);
    expect(visited.size).toBeGreaterThan(20);
  });
});

const UNRUNNABLE = `
id: cannot
namespace: t
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: ok
  - id: kv
    type: io.kestra.plugin.core.execution.Counts
    expression: k
    startDate: v
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 5
`;

describe('a task type this build cannot run', () => {
  it('is refused by a strict parse with TROUPE_FLOW_UNSUPPORTED_TYPE at its type, line:column', () => {
    const r = validateFlow(UNRUNNABLE, { file: 'cannot.yaml', requireRunnable: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('TROUPE_FLOW_UNSUPPORTED_TYPE');
    expect(r.errors).toEqual([expect.objectContaining({ line: 9, column: 11, path: 'tasks[1].type' })]);
    expect(r.error.message).toMatch(/^cannot\.yaml:9:11: tasks\[1\]\.type: task 'kv' has type io\.kestra\.plugin\.core\.execution\.Counts, which this version of Troupe cannot run; the flow is refused/);
  });

  it('is advice when parsed leniently', () => {
    const r = validateFlow(UNRUNNABLE);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([{ line: 9, column: 11, path: 'tasks[1].type', message: "task 'kv' has type io.kestra.plugin.core.execution.Counts, which this version of Troupe cannot run yet: its task run will fail" }]);
  });

  it('fails its run at once, without an attempt, and is never retried despite its retry policy', () => {
    const sim = new Simulation(UNRUNNABLE);
    sim.run();
    const e = toExecution(sim.state);
    expect(e.state.current).toBe('FAILED');
    expect(sim.results.flatMap((r) => r.effects).filter((x) => x.type === 'task.dispatch')).toHaveLength(1); // `first` only
    const kv = e.taskRunList!.find((r) => r.taskId === 'kv')!;
    expect(kv.state.histories.map((h) => h.state)).toEqual(['CREATED', 'FAILED']);
    expect(kv.attempts).toBeUndefined();
    expect(sim.timers).toEqual([]);
    expect(sim.queue).toEqual([]);
    expect(sim.results.flatMap((r) => r.logs).map((l) => l.message)).toContain("The task type 'io.kestra.plugin.core.execution.Counts' cannot run in this version of Troupe");
  });
});

describe('Engine.deploy', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (disposers.length) await disposers.pop()!();
  });

  it('refuses a flow naming a type this build cannot run, with line:column; lenient deploys it and the task run fails once', async () => {
    const { engine, dispose } = await openTestEngine();
    disposers.push(dispose);
    const refused = await engine.deploy(UNRUNNABLE, { file: 'cannot.yaml' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FlowError);
    expect((refused as FlowError).code).toBe('TROUPE_FLOW_UNSUPPORTED_TYPE');
    expect((refused as FlowError).details).toMatchObject({ file: 'cannot.yaml', line: 9, column: 11, path: 'tasks[1].type' });
    expect(engine.listFlows()).toEqual([]);

    const rec = await engine.deploy(UNRUNNABLE, { lenient: true });
    const done = await engine.waitFor(await engine.execute(rec.namespace, rec.id));
    expect(done.state.current).toBe('FAILED');
    expect(done.taskRunList!.map((r) => [r.taskId, r.state.current, r.attempts?.length ?? 0])).toEqual([['first', 'SUCCESS', 1], ['kv', 'FAILED', 0]]);
    expect(parseFlow(UNRUNNABLE).tasks.map((t) => t.id)).toEqual(['first', 'kv']);
  });
});

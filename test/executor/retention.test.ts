/**
 * What an actor keeps in memory as an execution grows: finished runs leave once their records are
 * written (the Simulation releases them after each step, as the shard does after its commit), the
 * window of active runs bounds a fan-out, and the outputs tree holds only outputs a template can
 * read. Everything here is counted, never timed.
 */
import { describe, expect, it } from 'vitest';
import { parseFlow } from '../../src/flow/index.js';
import { createExecution, createExecutionState, restoreExecutionState, type ExecutorLimits } from '../../src/executor/index.js';
import { Simulation } from '../helpers/simulate.js';

const P = 'io.kestra.plugin.core.flow.';
const RETURN = 'io.kestra.plugin.core.debug.Return';

/** A simulation of `yaml` under `limits`, releasing finished runs as the shard does. */
function simulate(yaml: string, limits: Partial<ExecutorLimits>): Simulation {
  const flow = parseFlow(yaml);
  const header = createExecution(flow, { id: 'exec1', nowMs: Date.parse('2024-12-20T10:00:00.000Z') });
  const sim = new Simulation(yaml, undefined, createExecutionState(flow, header, limits));
  sim.release = true;
  return sim;
}

/** An EachParallel over `values` values × `tasks` Return tasks (no template reads an output). */
function eachParallel(values: number, tasks: number, format = '{{ task.id }} > {{ taskrun.value }}'): string {
  const list = JSON.stringify(Array.from({ length: values }, (_, i) => `v${i}`));
  const children = Array.from({ length: tasks }, (_, i) => `      - id: r${i}\n        type: ${RETURN}\n        format: "${format}"\n`).join('');
  return `id: huge\nnamespace: t\ntasks:\n  - id: each\n    type: ${P}EachParallel\n    value: '${list}'\n    tasks:\n${children}`;
}

describe('an actor releases finished task runs', () => {
  it('runs 20,001 task runs holding at most the window of active runs, all of them stored', () => {
    const sim = simulate(eachParallel(200, 100), { maxActiveRuns: 500, maxLoopRuns: 1_000_000 });
    const e = sim.run((d) => ({ state: 'SUCCESS', outputs: { value: `${d.task.id} > ${(d.vars.taskrun as { value: string }).value}` } }));
    expect(e.state.current).toBe('SUCCESS');
    expect(sim.records.size).toBe(20_001);
    expect([...sim.records.values()].every((r) => r.state.current === 'SUCCESS')).toBe(true);
    // The EachParallel run and its window of children, never the 20,000 finished ones.
    expect(sim.maxRetained).toBeLessThanOrEqual(502);
    expect(sim.maxInFlight).toBeLessThanOrEqual(500);
    expect(sim.state.runs.size).toBe(0);
    expect(sim.state.groups.size).toBe(1); // the top level
    // No template reads an output: the tree stays empty while every record keeps its outputs.
    expect(sim.state.outputs).toEqual({});
    expect(sim.records.get(20_000)!.outputs).toEqual({ value: 'r99 > v199' });
  });

  it('keeps the work per change flat while the window holds children back', () => {
    const sim = simulate(eachParallel(100, 100), { maxActiveRuns: 100, maxLoopRuns: 1_000_000 });
    expect(sim.run().state.current).toBe('SUCCESS');
    expect(Math.max(...sim.results.slice(2).map((r) => r.visited))).toBeLessThanOrEqual(3);
  });

  it('keeps in the outputs tree only what a template names', () => {
    const yaml = `id: read
namespace: t
tasks:
  - id: each
    type: ${P}EachParallel
    value: '["a", "b", "c"]'
    tasks:
      - id: named
        type: ${RETURN}
        format: "{{ taskrun.value }}"
      - id: unnamed
        type: ${RETURN}
        format: "{{ taskrun.value }}"
  - id: last
    type: ${RETURN}
    format: "{{ outputs.named.b.value }}"
`;
    const sim = simulate(yaml, { maxActiveRuns: 2, maxLoopRuns: 100 });
    let seen: unknown;
    const e = sim.run((d) => {
      if (d.task.id === 'last') seen = d.vars.outputs;
      return { state: 'SUCCESS', outputs: { value: String((d.vars.taskrun as { value?: string } | undefined)?.value) } };
    });
    expect(e.state.current).toBe('SUCCESS');
    expect(seen).toEqual({ named: { a: { value: 'a' }, b: { value: 'b' }, c: { value: 'c' } } });
    expect(Object.keys(sim.state.outputs)).toEqual(['named']);
    expect(sim.records.size).toBe(8);
  });

  it('rebuilds a half-done execution from its records holding only unfinished runs, and ends it', () => {
    const yaml = eachParallel(100, 50);
    const limits = { maxActiveRuns: 200, maxLoopRuns: 1_000_000 };
    const sim = simulate(yaml, limits);
    sim.send({ type: 'execution.start' });
    for (let i = 0; i < 2_500; i++) sim.deliver();
    const stored = [...sim.records].map(([seq, run]) => ({ seq, taskRun: structuredClone(run) }));
    expect(stored.length).toBeGreaterThan(2_500);
    // Read one at a time, in seq order, as the store iterates them.
    const restored = restoreExecutionState(sim.state.flow, structuredClone(sim.state.header), stored.values(), [], {}, () => 0.5, limits);
    const unfinished = stored.filter((r) => !['SUCCESS', 'FAILED', 'WARNING', 'KILLED', 'SKIPPED'].includes(r.taskRun.state.current)).length;
    expect(restored.runs.size).toBe(unfinished);
    expect(restored.tally.active).toBe(unfinished);
    const again = new Simulation(yaml, undefined, restored, new Map(stored.map((r) => [r.seq, r.taskRun])));
    again.release = true;
    again.send({ type: 'execution.recover' });
    const e = again.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(again.records.size).toBe(5_001);
    expect(again.maxRetained).toBeLessThanOrEqual(202);
  });
});

describe('the window of active runs', () => {
  it('never deadlocks nested fan-outs: 30 Parallels of 30 tasks under a window of 10', () => {
    const inner = Array.from({ length: 30 }, (_, i) => `          - id: t${i}\n            type: ${RETURN}\n            format: x\n`).join('');
    const outer = Array.from({ length: 30 }, (_, i) => `      - id: p${i}\n        type: ${P}Parallel\n        tasks:\n${inner.replaceAll('id: t', `id: p${i}t`)}`).join('');
    const sim = simulate(`id: nest\nnamespace: t\ntasks:\n  - id: top\n    type: ${P}Parallel\n    tasks:\n${outer}`, { maxActiveRuns: 10, maxLoopRuns: 100 });
    const e = sim.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(sim.records.size).toBe(1 + 30 + 900);
    // At most the window plus one child per open Parallel that had nothing in progress.
    expect(sim.maxRetained).toBeLessThanOrEqual(10 + 30 + 1);
  });

  it('starts new values of a concurrent ForEach only while the window has room', () => {
    const values = JSON.stringify(Array.from({ length: 300 }, (_, i) => i));
    const sim = simulate(`id: fe\nnamespace: t\ntasks:\n  - id: each\n    type: ${P}ForEach\n    values: '${values}'\n    concurrencyLimit: 0\n    tasks:\n      - id: a\n        type: ${RETURN}\n        format: x\n      - id: b\n        type: ${RETURN}\n        format: x\n`, { maxActiveRuns: 20, maxLoopRuns: 1_000 });
    const e = sim.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(sim.records.size).toBe(601);
    expect(sim.maxInFlight).toBeLessThanOrEqual(20);
    // Finished values leave the loop's progress map.
    expect(sim.maxRetained).toBeLessThanOrEqual(21);
  });
});

describe('the loop limit (maxLoopRuns)', () => {
  it('fails a loop whose values × tasks exceed it, naming the limit, before creating any child', () => {
    const sim = simulate(eachParallel(1_000, 2), { maxActiveRuns: 100, maxLoopRuns: 1_999 });
    const e = sim.run();
    expect(e.state.current).toBe('FAILED');
    expect(e.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['each:FAILED']);
    const line = sim.results.flatMap((r) => r.logs).find((l) => l.level === 'ERROR')!;
    expect(line.message).toContain("The loop 'each' would create 1,000 values × 2 tasks = 2,000 task runs, more than the limit of 1,999 (engine option maxLoopRuns)");
  });

  it('counts a YAML list before rendering its values', () => {
    const list = Array.from({ length: 50 }, (_, i) => `        - "{{ ${i} }}"`).join('\n');
    const sim = simulate(`id: y\nnamespace: t\ntasks:\n  - id: each\n    type: ${P}ForEach\n    values:\n${list}\n    tasks:\n      - id: a\n        type: ${RETURN}\n        format: x\n`, { maxActiveRuns: 100, maxLoopRuns: 49 });
    expect(sim.run().state.current).toBe('FAILED');
    expect(sim.results.flatMap((r) => r.logs).some((l) => l.message.includes('50 values × 1 tasks = 50 task runs'))).toBe(true);
  });
});

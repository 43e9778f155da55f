import { describe, expect, it } from 'vitest';
import { Simulation } from '../helpers/simulate.js';

/** The most groups any one step resolved while the execution ran. */
function maxVisitedPerStep(sim: Simulation): number {
  return Math.max(...sim.results.slice(1).map((r) => r.visited));
}

describe('executor work per change', () => {
  it('visits the same number of groups per change for 10 and 10,000 sequential tasks', () => {
    const flow = (n: number): string =>
      `id: big\nnamespace: t\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n` +
      Array.from({ length: n }, (_, i) => `      - id: t${i}\n        type: io.kestra.plugin.core.debug.Return\n        format: x\n`).join('');
    const small = new Simulation(flow(10));
    const large = new Simulation(flow(10_000));
    expect(small.run().state.current).toBe('SUCCESS');
    const e = large.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList).toHaveLength(10_001);
    expect(maxVisitedPerStep(large)).toBe(maxVisitedPerStep(small));
    // And every change writes only the run it touched (plus the next one it created).
    expect(Math.max(...large.results.slice(1, -1).map((r) => r.changedRuns.length))).toBeLessThanOrEqual(2);
  });

  it('keeps the work per change flat in an EachParallel of 100 × 100 Return tasks (10,000 runs)', () => {
    const values = JSON.stringify(Array.from({ length: 100 }, (_, i) => `v${i}`));
    const tasks = Array.from({ length: 100 }, (_, i) => `      - id: r${i}\n        type: io.kestra.plugin.core.debug.Return\n        format: "{{ taskrun.value }}"\n`).join('');
    const sim = new Simulation(`id: ep\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.EachParallel\n    value: '${values}'\n    tasks:\n${tasks}`);
    const e = sim.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList).toHaveLength(10_001);
    const perResult = sim.results.slice(2).map((r) => r.visited);
    expect(Math.max(...perResult)).toBeLessThanOrEqual(3);
  });
});

describe('Dag work per change', () => {
  const chain = (n: number): string =>
    `id: dag\nnamespace: t\ntasks:\n  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n` +
    Array.from({ length: n }, (_, i) => `      - task:\n          id: t${i}\n          type: io.kestra.plugin.core.debug.Return\n          format: x\n${i ? `        dependsOn: [t${i - 1}]\n` : ''}`).join('');

  it('starts each task of a 2,000-task chain once its dependency ends, with flat work per change', () => {
    const small = new Simulation(chain(10));
    const large = new Simulation(chain(2000));
    const order: string[] = [];
    expect(small.run().state.current).toBe('SUCCESS');
    const e = large.run((d) => {
      order.push(d.task.id);
      return { state: 'SUCCESS' };
    });
    expect(e.state.current).toBe('SUCCESS');
    expect(order).toEqual(Array.from({ length: 2000 }, (_, i) => `t${i}`));
    expect(Math.max(...large.results.slice(1).map((r) => r.visited))).toBe(Math.max(...small.results.slice(1).map((r) => r.visited)));
  });
});

import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import type { DispatchEffect } from '../../src/executor/index.js';
import type { Execution } from '../../src/model/execution.js';

const RETURN = 'io.kestra.plugin.core.debug.Return';
const P = 'io.kestra.plugin.core.flow.';

/** Each dispatch succeeds with `{value: <task id>}`. */
const succeed = (d: DispatchEffect) => ({ state: 'SUCCESS' as const, outputs: { value: d.task.id } });

/** Task id → parent task id (null at the top level), from taskRunList. */
function tree(e: Execution): Record<string, string | null> {
  const byId = new Map((e.taskRunList ?? []).map((r) => [r.id, r.taskId]));
  return Object.fromEntries((e.taskRunList ?? []).map((r) => [r.taskId, r.parentTaskRunId ? byId.get(r.parentTaskRunId)! : null]));
}

/** Ids of the tasks waiting in the pool, in dispatch order. */
const queued = (sim: Simulation): string[] => sim.queue.map((d) => d.task.id);

/** Answers the queued dispatch of `taskId` with `state`. */
function answer(sim: Simulation, taskId: string, state: 'SUCCESS' | 'FAILED' = 'SUCCESS'): void {
  const i = sim.queue.findIndex((d) => d.task.id === taskId);
  const [d] = sim.queue.splice(i, 1);
  sim.nowMs += 1;
  sim.send(sim.result(d!, { state }));
}

describe('Sequential', () => {
  const flow = `
id: nested
namespace: t
tasks:
  - id: outer
    type: ${P}Sequential
    tasks:
      - id: a
        type: ${RETURN}
        format: a
      - id: middle
        type: ${P}Sequential
        tasks:
          - id: inner
            type: ${P}Sequential
            tasks:
              - id: b
                type: ${RETURN}
                format: b
          - id: c
            type: ${RETURN}
            format: c
  - id: d
    type: ${RETURN}
    format: d
`;

  it('runs nested sequences depth first, one task at a time, each run under its parent', () => {
    const sim = new Simulation(flow);
    const order: string[] = [];
    const e = sim.run((d) => {
      order.push(d.task.id);
      return succeed(d);
    });
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(sim.maxInFlight).toBe(1);
    expect(statesOf(e)).toEqual(['outer:SUCCESS', 'a:SUCCESS', 'middle:SUCCESS', 'inner:SUCCESS', 'b:SUCCESS', 'c:SUCCESS', 'd:SUCCESS']);
    expect(tree(e)).toEqual({ outer: null, a: 'outer', middle: 'outer', inner: 'middle', b: 'inner', c: 'middle', d: null });
    expect(e.state.current).toBe('SUCCESS');
  });

  it('fails every enclosing sequence and starts nothing after a nested failure', () => {
    const sim = new Simulation(flow);
    const e = sim.run((d) => ({ state: d.task.id === 'b' ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['outer:FAILED', 'a:SUCCESS', 'middle:FAILED', 'inner:FAILED', 'b:FAILED']);
    expect(e.state.current).toBe('FAILED');
  });
});

describe('Parallel', () => {
  const flow = (errors = ''): string => `
id: par
namespace: t
tasks:
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: par
        type: ${P}Parallel
        tasks:
          - id: p1
            type: ${RETURN}
            format: x
          - id: p2
            type: ${RETURN}
            format: x
          - id: p3
            type: ${RETURN}
            format: x
${errors}
      - id: after
        type: ${RETURN}
        format: x
`;
  const localErrors = `        errors:\n          - id: e1\n            type: ${RETURN}\n            format: x\n          - id: e2\n            type: ${RETURN}\n            format: x`;

  it('starts every child at once and ends when the last one ends', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    expect(queued(sim)).toEqual(['p1', 'p2', 'p3']);
    answer(sim, 'p3');
    answer(sim, 'p1');
    expect(sim.state.runs.get('run2')!.run.state.current).toBe('RUNNING');
    expect(queued(sim)).toEqual(['p2']);
    answer(sim, 'p2');
    expect(queued(sim)).toEqual(['after']);
    const e = sim.run();
    expect(statesOf(e)).toEqual(['seq:SUCCESS', 'par:SUCCESS', 'p1:SUCCESS', 'p2:SUCCESS', 'p3:SUCCESS', 'after:SUCCESS']);
  });

  it('fails at once when a child fails and it has no errors, failing its parent sequence while siblings still run (fail-fast)', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    answer(sim, 'p2', 'FAILED');
    const mid = sim.run.bind(sim);
    expect(sim.state.header.state.current).toBe('FAILED');
    expect(queued(sim)).toEqual(['p1', 'p3']);
    // The siblings still running are joined after the end; nothing else starts.
    const e = mid();
    expect(statesOf(e)).toEqual(['seq:FAILED', 'par:FAILED', 'p1:SUCCESS', 'p2:FAILED', 'p3:SUCCESS']);
    expect(e.state.current).toBe('FAILED');
  });

  it('starts its whole errors branch at once when a child fails, and ends FAILED when the errors end, siblings still running', () => {
    const sim = new Simulation(flow(localErrors));
    sim.send({ type: 'execution.start' });
    answer(sim, 'p1', 'FAILED');
    expect(queued(sim)).toEqual(['p2', 'p3', 'e1', 'e2']);
    answer(sim, 'e2');
    answer(sim, 'e1');
    // The errors ended: the Parallel is FAILED even though p2 and p3 are still RUNNING.
    expect(sim.state.header.state.current).toBe('FAILED');
    const running = statesOf({ ...sim.run.call(Object.assign(Object.create(Object.getPrototypeOf(sim) as object) as Simulation, {})) } as Execution);
    expect(running).toEqual([]);
  });
});

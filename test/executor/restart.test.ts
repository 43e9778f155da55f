import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import { restoreExecutionState } from '../../src/executor/index.js';
import { planMarkAs, planReplay, planRestart, type RestartPlan, type RunRecord } from '../../src/executor/restart.js';
import type { TaskRun } from '../../src/model/task-run.js';

const flow = `
id: restart
namespace: t
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: one
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: ok
        type: io.kestra.plugin.core.debug.Return
        format: ok
      - id: flaky
        type: io.kestra.plugin.core.debug.Return
        format: flaky
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: last
errors:
  - id: handler
    type: io.kestra.plugin.core.debug.Return
    format: handled
`;

const failFlaky = (sim: Simulation) => sim.run((d) => ({ state: sim.state.runs.get(d.taskRunId)?.run.taskId === 'flaky' ? 'FAILED' : 'SUCCESS' }));

function records(sim: Simulation): () => RunRecord[] {
  return () => [...sim.records].sort(([a], [b]) => a - b).map(([seq, taskRun]) => ({ seq, taskRun: structuredClone(taskRun) }));
}

/** The simulation rebuilt from a plan's records, as the shard does, ready for `execution.restart`. */
function applied(sim: Simulation, plan: RestartPlan, base: () => RunRecord[], keepOthers = true): Simulation {
  const stored = new Map<number, TaskRun>();
  if (keepOthers) for (const r of base()) stored.set(r.seq, r.taskRun);
  for (const seq of plan.deletedSeqs) stored.delete(seq);
  for (const r of plan.records) stored.set(r.seq, r.taskRun);
  const list = [...stored].map(([seq, taskRun]) => ({ seq, taskRun: structuredClone(taskRun) }));
  const state = restoreExecutionState(sim.state.flow, structuredClone(plan.header), list, [], {}, () => 0.5);
  const next = new Simulation(flow, undefined, state, stored);
  next.nowMs = sim.nowMs + 1000;
  next.release = true;
  return next;
}

describe('planRestart', () => {
  it('resets the failed run and its ancestors, drops errors-branch runs, and the restart runs it again', () => {
    const sim = new Simulation(flow);
    const failed = failFlaky(sim);
    expect(statesOf(failed)).toEqual(['first:SUCCESS', 'par:FAILED', 'ok:SUCCESS', 'flaky:FAILED', 'handler:SUCCESS']);
    const plan = planRestart(sim.state.flow, sim.state.header, records(sim), sim.nowMs + 1000) as RestartPlan;
    expect(plan.header.state.current).toBe('RESTARTED');
    expect(plan.header.metadata.attemptNumber).toBe(2);
    expect(plan.records.map((r) => `${r.taskRun.taskId}:${r.taskRun.state.current}`)).toEqual(['par:RUNNING', 'flaky:RESTARTED']);
    expect(plan.deletedSeqs).toEqual([4]);
    // The stored records are not touched by planning.
    expect(sim.records.get(3)!.state.current).toBe('FAILED');

    const next = applied(sim, plan, records(sim));
    next.send({ type: 'execution.restart' });
    expect(next.queue.map((d) => [next.state.runs.get(d.taskRunId)!.run.taskId, d.attemptNumber])).toEqual([['flaky', 2]]);
    const done = next.run();
    expect(done.state.histories.map((h) => h.state).slice(-3)).toEqual(['RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(statesOf(done)).toEqual(['first:SUCCESS', 'par:SUCCESS', 'ok:SUCCESS', 'flaky:SUCCESS', 'last:SUCCESS']);
    expect(done.taskRunList![3]!.attempts).toHaveLength(2);
  });

  it('refuses an execution still running, and one with no failed or paused run', () => {
    const sim = new Simulation(flow);
    sim.send({ type: 'execution.start' });
    expect(planRestart(sim.state.flow, sim.state.header, records(sim), sim.nowMs)).toEqual({ refused: 'not-terminated', state: 'RUNNING' });
    while (sim.deliver());
    expect(planRestart(sim.state.flow, sim.state.header, records(sim), sim.nowMs)).toEqual({ refused: 'no-task' });
  });
});

describe('planMarkAs', () => {
  it('marks a failed run SUCCESS (and its last attempt), its parent RUNNING; the flow goes on', () => {
    const sim = new Simulation(flow);
    failFlaky(sim);
    const flaky = sim.records.get(3)!;
    const plan = planMarkAs(sim.state.flow, sim.state.header, records(sim), flaky.id, 'SUCCESS', sim.nowMs) as RestartPlan;
    expect(plan.records.map((r) => `${r.taskRun.taskId}:${r.taskRun.state.current}`)).toEqual(['par:RUNNING', 'flaky:SUCCESS']);
    expect(plan.records[1]!.taskRun.attempts!.at(-1)!.state.current).toBe('SUCCESS');
    const next = applied(sim, plan, records(sim));
    next.send({ type: 'execution.restart' });
    expect(statesOf(next.run())).toEqual(['first:SUCCESS', 'par:SUCCESS', 'ok:SUCCESS', 'flaky:SUCCESS', 'last:SUCCESS']);
    expect(planMarkAs(sim.state.flow, sim.state.header, records(sim), 'nope', 'SUCCESS', sim.nowMs)).toEqual({ refused: 'no-task' });
  });
});

describe('planReplay', () => {
  it('copies the runs before the chosen one with new ids, keeps parallel siblings, drops what follows', () => {
    const sim = new Simulation(flow);
    failFlaky(sim);
    const flaky = sim.records.get(3)!;
    let n = 0;
    const plan = planReplay(sim.state.flow, sim.state.header, records(sim), flaky.id, 'exec2', () => `copy${++n}`, sim.nowMs) as RestartPlan;
    expect(plan.header).toMatchObject({ id: 'exec2', parentId: 'exec1', originalId: 'exec1', metadata: { attemptNumber: 2 } });
    expect(plan.records.map((r) => `${r.seq}:${r.taskRun.taskId}:${r.taskRun.state.current}`)).toEqual(['0:first:SUCCESS', '1:par:RUNNING', '2:ok:SUCCESS', '3:flaky:RESTARTED']);
    expect(plan.records.every((r) => r.taskRun.executionId === 'exec2' && r.taskRun.id.startsWith('copy'))).toBe(true);
    expect(plan.records[2]!.taskRun.parentTaskRunId).toBe(plan.records[1]!.taskRun.id);

    // From the first run: everything after it in the sequential top level leaves.
    const first = sim.records.get(0)!;
    const fromFirst = planReplay(sim.state.flow, sim.state.header, records(sim), first.id, 'exec3', () => `c${++n}`, sim.nowMs) as RestartPlan;
    expect(fromFirst.records.map((r) => `${r.taskRun.taskId}:${r.taskRun.state.current}`)).toEqual(['first:RESTARTED']);
    const next = applied(sim, fromFirst, records(sim), false);
    next.send({ type: 'execution.restart' });
    expect(statesOf(next.run())).toEqual(['first:SUCCESS', 'par:SUCCESS', 'ok:SUCCESS', 'flaky:SUCCESS', 'last:SUCCESS']);
  });
});

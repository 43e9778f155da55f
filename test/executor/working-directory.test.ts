/**
 * The pure side of WorkingDirectory (executor/work.ts): its setup and teardown as work of its own
 * run around its children, the directory its children's dispatches carry, a failed phase, stale
 * work results, a kill, and a rebuilt actor running an open one again from its setup (a crash
 * counting against maxAttemptCrashes).
 */
import { describe, expect, it } from 'vitest';
import type { DispatchEffect } from '../../src/executor/index.js';
import { Simulation, statesOf, type Outcome } from '../helpers/simulate.js';

const flow = (wdProps = '', tail = ''): string => `
id: wd
namespace: t
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
${wdProps}    tasks:
      - id: a
        type: io.kestra.plugin.core.debug.Return
        format: a
      - id: b
        type: io.kestra.plugin.core.debug.Return
        format: b
    errors:
      - id: onError
        type: io.kestra.plugin.core.debug.Return
        format: e
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wd.outputFiles['x.txt'] ?? 'none' }}"
${tail}`;

const work = (d: DispatchEffect): string => (d.work ? `${d.task.id}.${d.work}` : d.task.id);

describe('WorkingDirectory in the executor', () => {
  it('sends its setup, then its children with its directory, then its teardown, whose outputs are its own', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    const setup = sim.queue[0]!;
    expect(sim.queue).toHaveLength(1);
    expect(setup).toMatchObject({ work: 'setup', task: { id: 'wd' }, workingDir: `wd-${setup.taskRunId}`, attemptNumber: 0 });
    const seen: string[] = [];
    const e = sim.run((d) => {
      seen.push(`${work(d)}${d.workingDir ? ` in ${d.workingDir}` : ''}`);
      return d.work === 'teardown' ? { state: 'SUCCESS', outputs: { outputFiles: { 'x.txt': 'kestra:///x' } } } : { state: 'SUCCESS', outputs: { value: d.task.id } };
    });
    const dir = `wd-${setup.taskRunId}`;
    expect(seen).toEqual([`wd.setup in ${dir}`, `a in ${dir}`, `b in ${dir}`, `wd.teardown in ${dir}`, 'after']);
    expect(statesOf(e)).toEqual(['wd:SUCCESS', 'a:SUCCESS', 'b:SUCCESS', 'after:SUCCESS']);
    expect(e.taskRunList![0]!.outputs).toEqual({ outputFiles: { 'x.txt': 'kestra:///x' } });
    expect(e.taskRunList![3]!.outputs).toEqual({ value: 'after' });
    expect(e.taskRunList![0]!.attempts).toBeUndefined();
    expect(sim.state.inFlight.size).toBe(0);
  });

  it('tears down before its errors branch, which runs outside the directory, when a child fails', () => {
    const sim = new Simulation(flow());
    const seen: string[] = [];
    const e = sim.run((d) => {
      seen.push(`${work(d)}${d.workingDir ? '*' : ''}`);
      return { state: d.task.id === 'a' ? 'FAILED' : 'SUCCESS' };
    });
    expect(seen).toEqual(['wd.setup*', 'a*', 'wd.teardown*', 'onError']);
    expect(statesOf(e)).toEqual(['wd:FAILED', 'a:FAILED', 'onError:SUCCESS']);
  });

  it('fails at once, without its children or errors branch, when its setup fails; allowFailure makes it WARNING', () => {
    const failing = (d: DispatchEffect): Outcome => ({ state: d.work === 'setup' ? 'FAILED' : 'SUCCESS', outputs: { value: 'v' } });
    expect(statesOf(new Simulation(flow()).run(failing))).toEqual(['wd:FAILED']);
    const allowed = new Simulation(flow('    allowFailure: true\n')).run(failing);
    expect(statesOf(allowed)).toEqual(['wd:WARNING', 'after:SUCCESS']);
    expect(allowed.state.current).toBe('WARNING');
  });

  it('ignores a work result that does not match where it is', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    const setup = sim.queue.shift()!;
    const r = sim.send(sim.result({ ...setup, work: 'teardown' }, { state: 'SUCCESS', outputs: { stale: true } }));
    expect(r.changedRuns).toEqual([]);
    expect(r.effects).toEqual([]);
    sim.send(sim.result(setup, { state: 'SUCCESS' }));
    expect(sim.queue.map(work)).toEqual(['a']);
  });

  it('asks the pool to remove its directory when the execution is killed', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    sim.send(sim.result(sim.queue.shift()!, { state: 'SUCCESS' }));
    const a = sim.queue.shift()!;
    const r = sim.send({ type: 'execution.kill' });
    expect(r.effects.filter((x) => x.type === 'task.cancel').map((x) => (x as { taskRunId: string }).taskRunId)).toEqual([a.taskRunId]);
    const removal = r.effects.find((x): x is DispatchEffect => x.type === 'task.dispatch')!;
    expect(removal).toMatchObject({ work: 'remove', task: { id: 'wd' }, workingDir: a.workingDir });
    expect(statesOf(sim.execution())).toEqual(['wd:KILLED', 'a:KILLED']);
  });

  it('runs again from its setup after a rebuild, its children of the first life deleted', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    sim.send(sim.result(sim.queue.shift()!, { state: 'SUCCESS' }));
    sim.send(sim.result(sim.queue.shift()!, { state: 'SUCCESS' })); // a
    expect(sim.queue.map(work)).toEqual(['b']);
    const restored = sim.crashAndRestore(flow(), { crashed: true });
    expect(restored.queue.map(work)).toEqual(['wd.setup']);
    expect(statesOf(restored.execution())).toEqual(['wd:RUNNING']);
    const recover = restored.results[0]!;
    expect(recover.deletedSeqs.sort()).toEqual([1, 2]);
    expect(recover.logs.map((l) => `${l.level} ${l.message}`)).toEqual(["WARN The working directory of task 'wd' is gone (the engine stopped or the execution was restarted while it was open): its tasks run again from the start"]);
    const e = restored.run();
    expect(statesOf(e)).toEqual(['wd:SUCCESS', 'a:SUCCESS', 'b:SUCCESS', 'after:SUCCESS']);
  });

  it('fails instead of running again once it was open during maxAttemptCrashes crashes', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    sim.send(sim.result(sim.queue.shift()!, { state: 'SUCCESS' }));
    const restored = sim.crashAndRestore(flow(), { crashed: true, crashes: new Map([[0, 2]]) });
    expect(restored.queue).toEqual([]);
    expect(statesOf(restored.execution())).toEqual(['wd:FAILED']);
    expect(restored.results[0]!.logs.map((l) => l.message)).toEqual(["TROUPE_TASK_CRASHED: working directory 'wd' was open during 3 consecutive crashes; it is failed instead of running again (engine option maxAttemptCrashes: 3)"]);
    expect(restored.run().state.current).toBe('FAILED');
  });
});

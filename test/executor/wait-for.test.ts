import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';

const waitFor = (condition: string, extra = ''): string => `
id: wf
namespace: t
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.WaitFor
    condition: "${condition}"
${extra}
    tasks:
      - id: probe
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.wait.iterationCount }} {{ taskrun.iteration }}"
      - id: second
        type: io.kestra.plugin.core.debug.Return
        format: x
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.iterationCount }}"
`;

describe('WaitFor', () => {
  it('repeats its tasks until the condition holds, keeping only the last iteration’s runs', () => {
    const sim = new Simulation(waitFor('{{ outputs.wait.iterationCount >= 3 }}', '    checkFrequency:\n      interval: PT2S'));
    const seen: unknown[] = [];
    const start = sim.nowMs;
    const e = sim.run((d) => {
      if (d.task.id === 'probe') seen.push([(d.vars.taskrun as { iteration?: number }).iteration, (d.vars.outputs as { wait: { iterationCount: number } }).wait.iterationCount]);
      return { state: 'SUCCESS', outputs: { value: d.task.id } };
    });
    expect(seen).toEqual([[1, 1], [2, 2]]);
    expect(statesOf(e)).toEqual(['wait:SUCCESS', 'probe:SUCCESS', 'second:SUCCESS', 'after:SUCCESS']);
    const wait = e.taskRunList![0]!;
    expect(wait.outputs).toEqual({ iterationCount: 3 });
    expect(wait.iteration).toBe(2);
    expect(e.taskRunList![1]!.iteration).toBe(2);
    expect(wait.state.histories.map((h) => h.state)).toEqual(['CREATED', 'CREATED', 'RUNNING', 'SUCCESS']);
    expect(sim.nowMs - start).toBeGreaterThanOrEqual(2000);
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    // The first iteration's runs were deleted from the store, as Kestra removes them from taskRunList.
    expect(sim.results.flatMap((r) => r.deletedSeqs)).toHaveLength(2);
  });

  it('fails once maxIterations is reached with failOnMaxReached', () => {
    const sim = new Simulation(waitFor('{{ false }}', '    failOnMaxReached: true\n    checkFrequency:\n      maxIterations: 3\n      interval: PT0.1S'));
    let probes = 0;
    const e = sim.run((d) => {
      if (d.task.id === 'probe') probes += 1;
      return { state: 'SUCCESS' };
    });
    expect(probes).toBe(3);
    expect(e.state.current).toBe('FAILED');
    expect(statesOf(e)).toEqual(['wait:FAILED', 'probe:SUCCESS', 'second:SUCCESS']);
  });

  it('ends SUCCESS at maxIterations without failOnMaxReached', () => {
    const sim = new Simulation(waitFor('{{ false }}', '    checkFrequency:\n      maxIterations: 2\n      interval: PT0.1S'));
    expect(sim.run().state.current).toBe('SUCCESS');
  });

  it('fails with its failing child, after one attempt', () => {
    const sim = new Simulation(waitFor('{{ false }}'));
    const e = sim.run((d) => ({ state: d.task.id === 'second' ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['wait:FAILED', 'probe:SUCCESS', 'second:FAILED']);
    expect(e.taskRunList![2]!.attempts).toHaveLength(1);
  });

  it('resumes its next iteration after a crash while it waits', () => {
    const yaml = waitFor('{{ outputs.wait.iterationCount >= 3 }}');
    const sim = new Simulation(yaml);
    sim.send({ type: 'execution.start' });
    for (let d = sim.queue.shift(); d; d = sim.queue.shift()) sim.send(sim.result(d, { state: 'SUCCESS' }));
    expect(sim.state.header.state.current).toBe('PAUSED');
    const restored = sim.crashAndRestore(yaml);
    restored.nowMs += 1000;
    expect(statesOf(restored.run())).toEqual(['wait:SUCCESS', 'probe:SUCCESS', 'second:SUCCESS', 'after:SUCCESS']);
  });
});

describe('WaitFor beside other work', () => {
  it('lets a parallel sibling that ended during the interval carry on when the next iteration starts', () => {
    const sim = new Simulation(`
id: wfp
namespace: t
tasks:
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: wait
        type: io.kestra.plugin.core.flow.WaitFor
        condition: "{{ outputs.wait.iterationCount >= 3 }}"
        checkFrequency:
          interval: PT5S
        tasks:
          - id: probe
            type: io.kestra.plugin.core.debug.Return
            format: x
      - id: slow
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: s1
            type: io.kestra.plugin.core.debug.Return
            format: x
          - id: s2
            type: io.kestra.plugin.core.debug.Return
            format: x
`);
    sim.send({ type: 'execution.start' });
    const probe = sim.queue.find((d) => d.task.id === 'probe')!;
    sim.send(sim.result(probe, { state: 'SUCCESS' }));
    expect(sim.state.header.state.current).toBe('PAUSED');
    // s1 ends while the execution is paused between iterations: s2 can only start afterwards.
    const s1 = sim.queue.find((d) => d.task.id === 's1')!;
    sim.send(sim.result(s1, { state: 'SUCCESS' }));
    const e = sim.run();
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList!.map((r) => r.taskId).sort()).toEqual(['par', 'probe', 's1', 's2', 'slow', 'wait']);
  });
});

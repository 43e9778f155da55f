import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import type { DispatchEffect } from '../../src/executor/index.js';
import type { Outcome } from '../helpers/simulate.js';

const flow = `
id: restore
namespace: t
tasks:
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: "{{ task.id }}"
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: '["a", "b", "c", "d"]'
    concurrencyLimit: 2
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value }}"
      - id: after
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.inner[taskrun.value].value }}"
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: flaky
        type: io.kestra.plugin.core.debug.Return
        format: x
        retry:
          type: constant
          interval: PT5S
          maxAttempt: 3
      - id: nap
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT10S
  - id: last
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.first.value }}"
`;

/** The same answers whatever the run: `flaky` fails on its first attempt. */
function answer(d: DispatchEffect): Outcome {
  if (d.task.id === 'flaky' && d.attemptNumber === 1) return { state: 'FAILED' };
  return { state: 'SUCCESS', outputs: { value: `${d.task.id}${d.vars.taskrun && (d.vars.taskrun as { value?: string }).value ? `-${(d.vars.taskrun as { value: string }).value}` : ''}` } };
}

function summary(sim: Simulation) {
  const e = sim.run(answer);
  return { state: e.state.current, runs: statesOf(e).sort(), attempts: (e.taskRunList ?? []).map((r) => `${r.taskId}${r.value ?? ''}:${r.attempts?.length ?? 0}`).sort(), outputs: sim.state.outputs };
}

describe('restore after a crash', () => {
  const uninterrupted = summary(new Simulation(flow));

  it.each([1, 3, 5, 8, 12, 15, 18, 20])('ends as an uninterrupted run when the shard dies after %i messages', (cut) => {
    const sim = new Simulation(flow);
    sim.send({ type: 'execution.start' });
    // Deliver `cut` messages (results and timers), then lose everything held in memory.
    for (let i = 0; i < cut && sim.deliver(answer); i++);
    const restored = sim.crashAndRestore(flow);
    expect(summary(restored)).toEqual(uninterrupted);
  });

  it('never re-runs a task run that had already ended', () => {
    const sim = new Simulation(flow);
    sim.send({ type: 'execution.start' });
    const first = sim.queue.shift()!;
    sim.send(sim.result(first, answer(first)));
    const restored = sim.crashAndRestore(flow);
    expect(restored.queue.map((d) => d.task.id)).not.toContain('first');
    expect(restored.run(answer).state.current).toBe('SUCCESS');
  });
});

import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';

const ret = (id: string, format = '{{ task.id }}'): string => `  - id: ${id}\n    type: io.kestra.plugin.core.debug.Return\n    format: "${format}"\n`;

describe('executor step', () => {
  it('runs a top-level sequence in order and ends SUCCESS', () => {
    const sim = new Simulation(`id: seq\nnamespace: t\ntasks:\n${ret('a')}${ret('b')}${ret('c')}`);
    const order: string[] = [];
    const e = sim.run((d) => {
      order.push(d.task.id);
      return { state: 'SUCCESS', outputs: { value: d.task.id } };
    });
    expect(order).toEqual(['a', 'b', 'c']);
    expect(statesOf(e)).toEqual(['a:SUCCESS', 'b:SUCCESS', 'c:SUCCESS']);
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(e.taskRunList![0]!.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(sim.ended).toBe('SUCCESS');
  });

  it('gives each dispatch the outputs of earlier tasks it references', () => {
    const sim = new Simulation(`id: o\nnamespace: t\ntasks:\n${ret('a')}${ret('b', '{{ outputs.a.value }}!')}`);
    let seen: unknown;
    sim.run((d) => {
      if (d.task.id === 'b') seen = d.vars.outputs;
      return { state: 'SUCCESS', outputs: { value: `v-${d.task.id}` } };
    });
    expect(seen).toEqual({ a: { value: 'v-a' } });
  });

  it('starts at most `concurrent` children of a Parallel at once', () => {
    const tasks = Array.from({ length: 6 }, (_, i) => ret(`p${i}`).replace(/^ {2}/gm, '      ')).join('');
    const sim = new Simulation(`id: par\nnamespace: t\ntasks:\n  - id: par\n    type: io.kestra.plugin.core.flow.Parallel\n    concurrent: 2\n    tasks:\n${tasks}`);
    const e = sim.run();
    expect(sim.maxInFlight).toBe(2);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.taskRunList).toHaveLength(7);
  });

  it('runs the flow errors branch after a failure and stays FAILED', () => {
    const sim = new Simulation(`id: err\nnamespace: t\ntasks:\n  - id: fail\n    type: io.kestra.plugin.core.execution.Fail\n${ret('never')}errors:\n${ret('e1')}${ret('e2')}`);
    const e = sim.run((d) => ({ state: d.task.id === 'fail' ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['fail:FAILED', 'e1:SUCCESS', 'e2:SUCCESS']);
    expect(e.state.current).toBe('FAILED');
  });

  it('fails a Parallel at once when a child fails and it has no errors (fail-fast)', () => {
    const sim = new Simulation(`id: ff\nnamespace: t\ntasks:\n  - id: par\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n${ret('ok1').replace(/^ {2}/gm, '      ')}${ret('bad').replace(/^ {2}/gm, '      ')}`);
    sim.send({ type: 'execution.start' });
    const bad = sim.queue.find((d) => d.task.id === 'bad')!;
    sim.send(sim.result(bad, { state: 'FAILED' }));
    expect(sim.state.header.state.current).toBe('FAILED');
    const ok = sim.queue.find((d) => d.task.id === 'ok1')!;
    // Its result comes after the end: ignored, the run was killed with the execution.
    sim.send(sim.result(ok, { state: 'SUCCESS' }));
    expect(statesOf(sim.run())).toEqual(['par:FAILED', 'ok1:KILLED', 'bad:FAILED']);
  });

  it('ignores a duplicate or stale result', () => {
    const sim = new Simulation(`id: dup\nnamespace: t\ntasks:\n${ret('a')}${ret('b')}`);
    sim.send({ type: 'execution.start' });
    const a = sim.queue.shift()!;
    sim.send(sim.result(a, { state: 'SUCCESS' }));
    const again = sim.send(sim.result(a, { state: 'FAILED' }));
    expect(again.changedRuns).toHaveLength(0);
    expect(statesOf(sim.run())).toEqual(['a:SUCCESS', 'b:SUCCESS']);
  });

  it('retries with a constant backoff as an actor timer, then succeeds', () => {
    const sim = new Simulation(`id: r\nnamespace: t\ntasks:\n  - id: flaky\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n    retry:\n      type: constant\n      interval: PT10S\n      maxAttempt: 5\n`);
    let calls = 0;
    const start = sim.nowMs;
    const e = sim.run(() => ({ state: ++calls < 3 ? 'FAILED' : 'SUCCESS' }));
    expect(e.taskRunList![0]!.attempts).toHaveLength(3);
    expect(e.taskRunList![0]!.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'SUCCESS']);
    expect(sim.nowMs - start).toBeGreaterThanOrEqual(20_000);
    expect(e.state.current).toBe('SUCCESS');
  });

  it('stops retrying at maxAttempt and then fails', () => {
    const sim = new Simulation(`id: r\nnamespace: t\ntasks:\n  - id: bad\n    type: io.kestra.plugin.core.execution.Fail\n    retry:\n      type: exponential\n      interval: PT1S\n      maxInterval: PT10S\n      maxAttempt: 3\n`);
    const e = sim.run(() => ({ state: 'FAILED' }));
    expect(e.taskRunList![0]!.attempts).toHaveLength(3);
    expect(e.state.current).toBe('FAILED');
  });

  it('kills an execution: running runs end KILLED and their attempts are cancelled', () => {
    const sim = new Simulation(`id: k\nnamespace: t\ntasks:\n${ret('a')}${ret('b')}`);
    sim.send({ type: 'execution.start' });
    const r = sim.send({ type: 'execution.kill' });
    expect(r.effects).toContainEqual({ type: 'task.cancel', taskRunId: 'run1' });
    expect(sim.state.header.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'KILLING', 'KILLED']);
    expect(statesOf(sim.run())).toEqual(['a:KILLED']);
  });
});

describe('flow outputs', () => {
  const flow = (type: string, value: string): string => `id: out\nnamespace: t\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\noutputs:\n  - id: result\n    type: ${type}\n    value: "${value}"\n`;

  it('renders and types the flow outputs at the end', () => {
    const sim = new Simulation(flow('INT', '{{ outputs.a.value | length * 21 }}'));
    const e = sim.run(() => ({ state: 'SUCCESS', outputs: { value: 'ab' } }));
    expect(e.state.current).toBe('SUCCESS');
    expect(e.outputs).toEqual({ result: 42 });
  });

  it('fails the execution when an output cannot be rendered or typed, leaving outputs unset', () => {
    for (const [type, value] of [['STRING', '{{ nope }}'], ['INT', 'not a number']]) {
      const sim = new Simulation(flow(type!, value!));
      const e = sim.run();
      expect(e.state.current).toBe('FAILED');
      expect(e.outputs).toBeUndefined();
      expect(sim.results.flatMap((r) => r.logs).map((l) => l.message)).toContainEqual(expect.stringContaining('Failed to render output values'));
    }
  });
});

describe('dispatch context', () => {
  it('ships only the root variables and outputs a task’s templates can name', () => {
    const sim = new Simulation(`id: v\nnamespace: t\ninputs:\n  - id: who\n    type: STRING\n    defaults: me\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n  - id: b\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ inputs.who }} {{ outputs.a.value }}"\n  - id: c\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ render(vars.x) }}"\n`);
    const seen: Record<string, string[]> = {};
    sim.run((d) => {
      seen[d.task.id] = Object.keys(d.vars).sort();
      return { state: 'SUCCESS', outputs: { value: d.task.id } };
    });
    expect(seen.a).toEqual([]);
    expect(seen.b).toEqual(['inputs', 'outputs']);
    expect(seen.c).toEqual(expect.arrayContaining(['flow', 'execution', 'task', 'taskrun', 'outputs', 'inputs', 'vars', 'labels']));
  });
});

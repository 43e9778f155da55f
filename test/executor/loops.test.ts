import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import type { DispatchEffect } from '../../src/executor/index.js';

const RETURN = 'io.kestra.plugin.core.debug.Return';
const P = 'io.kestra.plugin.core.flow.';

/** The loop value a dispatch renders as `taskrun.value`, if any. */
const valueOf = (d: DispatchEffect): string | undefined => (d.vars.taskrun as { value?: string }).value;

/** Each dispatch succeeds with `{value: "<task id>/<loop value>"}`. */
const succeed = (d: DispatchEffect) => ({ state: 'SUCCESS' as const, outputs: { value: `${d.task.id}/${valueOf(d) ?? '-'}` } });

/** A flow with one loop `each` of type `type` over `values` (written as given), running `t1` and `t2`. */
const loop = (type: string, values: string, extra = ''): string => `
id: loop
namespace: t
tasks:
  - id: each
    type: ${P}${type}
    ${type === 'ForEach' ? 'values' : 'value'}: ${values}
${extra}    tasks:
      - id: t1
        type: ${RETURN}
        format: "{{ taskrun.value }}"
      - id: t2
        type: ${RETURN}
        format: "{{ taskrun.value }}"
`;

describe('loop values', () => {
  it.each([
    ['a JSON string', `'["a", "b"]'`, ['a', 'b']],
    ['a YAML list', '["a", "b"]', ['a', 'b']],
    ['a rendered JSON string', `'{{ ["a", "b"] | json }}'`, ['a', 'b']],
    ['a YAML list of integers, as strings', '[1, 2]', ['1', '2']],
    ['a YAML list of maps, as compact JSON', '[{k: v, n: 1}]', ['{"k":"v","n":1}']],
    ['a JSON string of integers and maps', `'[1, {"k": "v"}]'`, ['1', '{"k":"v"}']],
    ['duplicates, once each', `'["a", "b", "a", "b", "a"]'`, ['a', 'b']],
  ])('iterates over %s', (_, values, expected) => {
    const seen: Array<string | undefined> = [];
    const e = new Simulation(loop('ForEach', values)).run((d) => {
      seen.push(valueOf(d));
      return succeed(d);
    });
    expect(seen).toEqual(expected.flatMap((v) => [v, v]));
    expect(statesOf(e)).toEqual(['each:SUCCESS', ...expected.flatMap((v) => [`t1[${v}]:SUCCESS`, `t2[${v}]:SUCCESS`])]);
  });

  it.each(['EachSequential', 'EachParallel', 'ForEach'])('ends %s in SUCCESS with no child when there are no values', (type) => {
    const e = new Simulation(`${loop(type, `'[]'`)}  - id: after\n    type: ${RETURN}\n    format: x\n`).run();
    expect(statesOf(e)).toEqual(['each:SUCCESS', 'after:SUCCESS']);
    expect(e.state.current).toBe('SUCCESS');
  });

  it.each(['EachSequential', 'EachParallel', 'ForEach'])('fails %s with Kestra’s message when a value is null', (type) => {
    const sim = new Simulation(loop(type, `'[1, null, {"key": "my-key", "value": "my-value"}]'`));
    const e = sim.run();
    expect(statesOf(e)).toEqual(['each:FAILED']);
    expect(e.state.current).toBe('FAILED');
    expect(sim.results.flatMap((r) => r.logs).filter((l) => l.level === 'ERROR').map((l) => [l.taskId, l.message])).toEqual([
      ['each', "Unable to resolve state from the Flowable task: Found '1' null values on Each, with values=[1, null, {key=my-key, value=my-value}]"],
    ]);
  });
});

describe('loop value errors', () => {
  it.each([
    ['a decimal', '[1.5]', 'Unknown value element type: class java.lang.Double'],
    ['a boolean', '[true]', 'Unknown value element type: class java.lang.Boolean'],
    ['a nested list', '[[a]]', 'Unknown value element type: class java.util.ArrayList'],
  ])('fails the loop when a YAML list holds %s', (_, values, message) => {
    const sim = new Simulation(loop('ForEach', values));
    expect(statesOf(sim.run())).toEqual(['each:FAILED']);
    expect(sim.results.flatMap((r) => r.logs).map((l) => [l.level, l.message])).toEqual([['ERROR', `Unable to resolve state from the Flowable task: ${message}`]]);
  });
});

describe('loop resolution', () => {
  it('runs EachSequential value by value, each value’s tasks in order', () => {
    const order: string[] = [];
    const sim = new Simulation(loop('EachSequential', `'["a", "b"]'`));
    sim.run((d) => {
      order.push(`${d.task.id}[${valueOf(d)}]`);
      return succeed(d);
    });
    expect(order).toEqual(['t1[a]', 't2[a]', 't1[b]', 't2[b]']);
    expect(sim.maxInFlight).toBe(1);
  });

  it('starts every value × task of an EachParallel at once', () => {
    const sim = new Simulation(loop('EachParallel', `'["a", "b"]'`));
    sim.send({ type: 'execution.start' });
    expect(sim.queue.map((d) => `${d.task.id}[${valueOf(d)}]`)).toEqual(['t1[a]', 't2[a]', 't1[b]', 't2[b]']);
    expect(statesOf(sim.run())).toEqual(['each:SUCCESS', 't1[a]:SUCCESS', 't2[a]:SUCCESS', 't1[b]:SUCCESS', 't2[b]:SUCCESS']);
  });

  it.each([
    [1, 1, ['t1[a]', 't2[a]', 't1[b]', 't2[b]', 't1[c]', 't2[c]']],
    [2, 2, ['t1[a]', 't1[b]', 't2[a]', 't2[b]', 't1[c]', 't2[c]']],
    [0, 3, ['t1[a]', 't1[b]', 't1[c]', 't2[a]', 't2[b]', 't2[c]']],
  ])('runs ForEach with concurrencyLimit %i: each value’s tasks in order, at most that many values at once (0: all)', (limit, inFlight, order) => {
    const seen: string[] = [];
    const sim = new Simulation(loop('ForEach', `'["a", "b", "c"]'`, `    concurrencyLimit: ${limit}\n`));
    const e = sim.run((d) => {
      seen.push(`${d.task.id}[${valueOf(d)}]`);
      return succeed(d);
    });
    expect(seen).toEqual(order);
    expect(sim.maxInFlight).toBe(inFlight);
    expect(e.taskRunList).toHaveLength(7);
    expect(e.state.current).toBe('SUCCESS');
  });

  it('fails a concurrent ForEach at once when a value’s task fails, starting no more values (fail-fast)', () => {
    const sim = new Simulation(loop('ForEach', `'["a", "b", "c"]'`, '    concurrencyLimit: 2\n'));
    const e = sim.run((d) => ({ state: d.task.id === 't1' && valueOf(d) === 'a' ? 'FAILED' : 'SUCCESS' }));
    // The value in progress when the loop failed ends with the execution (not joined later, as in Kestra).
    expect(statesOf(e)).toEqual(['each:FAILED', 't1[a]:FAILED', 't1[b]:KILLED']);
    expect(e.state.current).toBe('FAILED');
  });
});

describe('loop variables and outputs', () => {
  const nested = `
id: nested
namespace: t
tasks:
  - id: outer
    type: ${P}ForEach
    values: ["a", "b"]
    tasks:
      - id: inner
        type: ${P}EachSequential
        value: '["x", "y"]'
        tasks:
          - id: seq
            type: ${P}Sequential
            tasks:
              - id: r
                type: ${RETURN}
                format: "{{ parents[1].taskrun.value }}-{{ parent.taskrun.value }}"
  - id: last
    type: ${RETURN}
    format: "{{ outputs.r.b.y.value }}"
`;

  it('gives the tasks of nested loops their ancestors’ values through parent and parents', () => {
    const seen: unknown[] = [];
    new Simulation(nested).run((d) => {
      if (d.task.id === 'r') seen.push(structuredClone({ taskrun: d.vars.taskrun, parent: d.vars.parent, parents: d.vars.parents }));
      return { state: 'SUCCESS', outputs: { value: d.task.id } };
    });
    expect(seen).toHaveLength(4);
    // r carries no value; seq carries the inner value, inner the outer one; outer (no value, {} outputs) is left out.
    expect(seen[3]).toEqual({
      taskrun: { id: 'run11', startDate: '2024-12-20T10:00:00.003Z', attemptsCount: 0, parentId: 'run10' },
      parent: { taskrun: { value: 'y' } },
      parents: [{ taskrun: { value: 'y' } }, { taskrun: { value: 'b' } }],
    });
  });

  it('keys outputs by the loop values of the run and its ancestors, outermost first', () => {
    const sim = new Simulation(nested);
    // The whole tree, as a template reading outputs dynamically would see it (otherwise only the task ids templates name are kept).
    sim.state.outputsRead = 'all';
    let seen: unknown;
    const e = sim.run((d) => {
      if (d.task.id === 'last') seen = structuredClone(d.vars.outputs);
      const p = (d.vars.parents as Array<{ taskrun: { value: string } }> | undefined) ?? [];
      return { state: 'SUCCESS', outputs: { value: `${p[1]?.taskrun.value}-${p[0]?.taskrun.value}` } };
    });
    expect(e.state.current).toBe('SUCCESS');
    const r = { a: { x: { value: 'a-x' }, y: { value: 'a-y' } }, b: { x: { value: 'b-x' }, y: { value: 'b-y' } } };
    expect(seen).toEqual({ r });
    expect({ r: sim.state.outputs.r, last: sim.state.outputs.last }).toEqual({ r, last: { value: 'undefined-undefined' } });
  });

  // Kestra stores `{}` on every flowable run it creates (saveFlowableOutput, §2.2) and
  // Execution.outputs() keys them like any run (`outputs.seq.a.x` is `{}`).
  it('keys the {} outputs of flowables too, as Kestra stores them on every flowable run', () => {
    const sim = new Simulation(nested);
    sim.state.outputsRead = 'all';
    sim.run();
    const { outer, inner, seq } = sim.state.outputs;
    expect({ outer, inner, seq }).toEqual({ outer: {}, inner: { a: {}, b: {} }, seq: { a: { x: {}, y: {} }, b: { x: {}, y: {} } } });
  });

  it('lets a later task of the loop read its own value’s outputs as outputs[id][taskrun.value]', () => {
    const yaml = `
id: keyed
namespace: t
tasks:
  - id: each
    type: ${P}EachSequential
    value: [1, {k: v}]
    tasks:
      - id: first
        type: ${RETURN}
        format: "{{ taskrun.value }}"
      - id: second
        type: ${RETURN}
        format: "{{ outputs.first[taskrun.value].value }}"
`;
    const seen: unknown[] = [];
    const e = new Simulation(yaml).run((d) => {
      if (d.task.id === 'second') seen.push([valueOf(d), structuredClone(d.vars.outputs)]);
      return { state: 'SUCCESS', outputs: { value: `out-${valueOf(d)}` } };
    });
    expect(statesOf(e)).toEqual(['each:SUCCESS', 'first[1]:SUCCESS', 'second[1]:SUCCESS', 'first[{"k":"v"}]:SUCCESS', 'second[{"k":"v"}]:SUCCESS']);
    expect(seen).toEqual([
      ['1', { first: { '1': { value: 'out-1' } } }],
      ['{"k":"v"}', { first: { '1': { value: 'out-1' }, '{"k":"v"}': { value: 'out-{"k":"v"}' } } }],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import { toExecution, type DispatchEffect } from '../../src/executor/index.js';
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

  it('fails at once when a child fails and it has no errors, failing its parent sequence and killing the siblings still running (fail-fast)', () => {
    const sim = new Simulation(flow());
    sim.send({ type: 'execution.start' });
    answer(sim, 'p2', 'FAILED');
    // Kestra joins the running siblings after the end; Troupe ends them with the execution
    // (kestra-compatibility.md), so the ended execution lists no open run.
    expect(statesOf(toExecution(sim.state))).toEqual(['seq:FAILED', 'par:FAILED', 'p1:KILLED', 'p2:FAILED', 'p3:KILLED']);
    expect(sim.results.at(-1)!.effects.filter((x) => x.type === 'task.cancel')).toHaveLength(2);
    expect(sim.state.header.state.current).toBe('FAILED');
    const e = sim.run();
    expect(statesOf(e)).toEqual(['seq:FAILED', 'par:FAILED', 'p1:KILLED', 'p2:FAILED', 'p3:KILLED']);
    expect(e.state.current).toBe('FAILED');
  });

  it('starts its whole errors branch at once when a child fails, and ends FAILED when the errors end, killing the siblings still running', () => {
    const sim = new Simulation(flow(localErrors));
    sim.send({ type: 'execution.start' });
    answer(sim, 'p1', 'FAILED');
    expect(queued(sim)).toEqual(['p2', 'p3', 'e1', 'e2']);
    answer(sim, 'e2');
    expect(sim.state.header.state.current).toBe('RUNNING');
    answer(sim, 'e1');
    expect(statesOf(toExecution(sim.state))).toEqual(['seq:FAILED', 'par:FAILED', 'p1:FAILED', 'p2:KILLED', 'p3:KILLED', 'e1:SUCCESS', 'e2:SUCCESS']);
    expect(sim.state.header.state.current).toBe('FAILED');
    const e = sim.run();
    expect(statesOf(e)).toEqual(['seq:FAILED', 'par:FAILED', 'p1:FAILED', 'p2:KILLED', 'p3:KILLED', 'e1:SUCCESS', 'e2:SUCCESS']);
  });
});

describe('Dag', () => {
  const flow = `
id: dag
namespace: t
tasks:
  - id: dag
    type: ${P}Dag
    tasks:
      - task:
          id: d
          type: ${RETURN}
          format: x
        dependsOn: [b, c]
      - task:
          id: b
          type: ${RETURN}
          format: x
        dependsOn: [a]
      - task:
          id: a
          type: ${RETURN}
          format: x
      - task:
          id: c
          type: ${RETURN}
          format: x
        dependsOn: [a]
  - id: after
    type: ${RETURN}
    format: x
`;

  it('starts a task once all its dependsOn have ended, independent tasks concurrently', () => {
    const sim = new Simulation(flow);
    sim.send({ type: 'execution.start' });
    expect(queued(sim)).toEqual(['a']);
    answer(sim, 'a');
    expect(queued(sim)).toEqual(['b', 'c']);
    answer(sim, 'c');
    expect(queued(sim)).toEqual(['b']);
    answer(sim, 'b');
    expect(queued(sim)).toEqual(['d']);
    const e = sim.run();
    expect(statesOf(e)).toEqual(['dag:SUCCESS', 'a:SUCCESS', 'b:SUCCESS', 'c:SUCCESS', 'd:SUCCESS', 'after:SUCCESS']);
    expect(tree(e)).toEqual({ dag: null, a: 'dag', b: 'dag', c: 'dag', d: 'dag', after: null });
  });

  it('fails at once when a task fails, never starting its dependants, and kills the running sibling (fail-fast)', () => {
    const sim = new Simulation(flow);
    sim.send({ type: 'execution.start' });
    answer(sim, 'a');
    answer(sim, 'b', 'FAILED');
    expect(sim.state.header.state.current).toBe('FAILED');
    expect(statesOf(toExecution(sim.state))).toEqual(['dag:FAILED', 'a:SUCCESS', 'b:FAILED', 'c:KILLED']);
    expect(statesOf(sim.run())).toEqual(['dag:FAILED', 'a:SUCCESS', 'b:FAILED', 'c:KILLED']);
  });

  it('keeps at most `concurrent` tasks in progress', () => {
    const tasks = ['x', 'y', 'z'].map((id) => `      - task:\n          id: ${id}\n          type: ${RETURN}\n          format: x\n`).join('');
    const sim = new Simulation(`id: dagc\nnamespace: t\ntasks:\n  - id: dag\n    type: ${P}Dag\n    concurrent: 2\n    tasks:\n${tasks}`);
    sim.send({ type: 'execution.start' });
    expect(queued(sim)).toEqual(['x', 'y']);
    const e = sim.run();
    expect(sim.maxInFlight).toBe(2);
    expect(statesOf(e)).toEqual(['dag:SUCCESS', 'x:SUCCESS', 'y:SUCCESS', 'z:SUCCESS']);
  });
});

describe('Switch', () => {
  const flow = (value: string, defaults = true): string => `
id: sw
namespace: t
tasks:
  - id: sw
    type: ${P}Switch
    value: "${value}"
    cases:
      FIRST:
        - id: first
          type: ${RETURN}
          format: x
      1:
        - id: one
          type: ${RETURN}
          format: x
        - id: one_more
          type: ${RETURN}
          format: x
${defaults ? `    defaults:\n      - id: fallback\n        type: ${RETURN}\n        format: x\n` : ''}  - id: after
    type: ${RETURN}
    format: "{{ outputs.sw.value }}"
`;

  it.each([
    ['FIRST', ['sw:SUCCESS', 'first:SUCCESS', 'after:SUCCESS'], { value: 'FIRST', defaults: false }],
    ['{{ 2 - 1 }}', ['sw:SUCCESS', 'one:SUCCESS', 'one_more:SUCCESS', 'after:SUCCESS'], { value: '1', defaults: false }],
    ['other', ['sw:SUCCESS', 'fallback:SUCCESS', 'after:SUCCESS'], { value: 'other', defaults: true }],
  ])('runs the tasks of the case whose key equals the rendered value %j, else the defaults', (value, states, outputs) => {
    const sim = new Simulation(flow(value));
    let seen: unknown;
    const e = sim.run((d) => {
      if (d.task.id === 'after') seen = d.vars.outputs;
      return succeed(d);
    });
    expect(statesOf(e)).toEqual(states);
    expect(e.taskRunList![0]!.outputs).toEqual(outputs);
    expect(seen).toEqual({ sw: outputs });
  });

  it('fails with a warning when no case matches and there are no defaults', () => {
    const sim = new Simulation(flow('nothing', false));
    const e = sim.run();
    expect(statesOf(e)).toEqual(['sw:FAILED']);
    expect(e.taskRunList![0]!.outputs).toEqual({ value: 'nothing', defaults: true });
    expect(e.state.current).toBe('FAILED');
    expect(sim.results.flatMap((r) => r.logs).map((l) => [l.level, l.message])).toEqual([['WARN', "No task found on flow 't.sw', task 'sw'"]]);
  });
});

describe('If', () => {
  const flow = (condition: string, elseBranch = true): string => `
id: if
namespace: t
inputs:
  - id: c
    type: STRING
    defaults: ""
tasks:
  - id: if
    type: ${P}If
    condition: "${condition}"
    then:
      - id: yes
        type: ${RETURN}
        format: x
${elseBranch ? `    else:\n      - id: no\n        type: ${RETURN}\n        format: x\n` : ''}`;

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['{{ 1 < 2 }}', true],
    ['false', false],
    ['0', false],
    ['-0', false],
    ['', false],
    ['{{ 1 > 2 }}', false],
  ])('takes `then` when the rendered condition %j is truthy, else `else`', (condition, result) => {
    const sim = new Simulation(flow(condition));
    const e = sim.run();
    expect(statesOf(e)).toEqual(['if:SUCCESS', result ? 'yes:SUCCESS' : 'no:SUCCESS']);
    expect(e.taskRunList![0]!.outputs).toEqual({ evaluationResult: result });
  });

  it('renders the condition with the inputs, and ends SUCCESS with no child when the chosen branch is empty', () => {
    const sim = new Simulation(flow('{{ inputs.c }}', false), { c: 'false' });
    const e = sim.run();
    expect(statesOf(e)).toEqual(['if:SUCCESS']);
    expect(e.taskRunList![0]!.outputs).toEqual({ evaluationResult: false });
    expect(e.state.current).toBe('SUCCESS');
  });
});

describe('AllowFailure', () => {
  const flow = `
id: af
namespace: t
tasks:
  - id: allow
    type: ${P}AllowFailure
    tasks:
      - id: ko
        type: ${RETURN}
        format: x
      - id: second
        type: ${RETURN}
        format: x
    errors:
      - id: local_error
        type: ${RETURN}
        format: x
  - id: next
    type: ${RETURN}
    format: x
errors:
  - id: global_error
    type: ${RETURN}
    format: x
`;

  it('turns a child failure into WARNING after running its own errors, and the flow goes on to end WARNING', () => {
    const sim = new Simulation(flow);
    const e = sim.run((d) => ({ state: d.task.id === 'ko' ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['allow:WARNING', 'ko:FAILED', 'local_error:SUCCESS', 'next:SUCCESS']);
    expect(e.state.current).toBe('WARNING');
  });

  it('ends SUCCESS when its children succeed', () => {
    const e = new Simulation(flow).run();
    expect(statesOf(e)).toEqual(['allow:SUCCESS', 'ko:SUCCESS', 'second:SUCCESS', 'next:SUCCESS']);
    expect(e.state.current).toBe('SUCCESS');
  });
});

describe('disabled tasks', () => {
  it('never get a run, in tasks or in errors', () => {
    const sim = new Simulation(`
id: dis
namespace: t
tasks:
  - id: a
    type: ${RETURN}
    format: x
    disabled: true
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: b
        type: ${RETURN}
        format: x
        disabled: true
      - id: c
        type: ${RETURN}
        format: x
errors:
  - id: e_disabled
    type: ${RETURN}
    format: x
    disabled: true
  - id: e
    type: ${RETURN}
    format: x
`);
    const e = sim.run((d) => ({ state: d.task.id === 'c' ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['seq:FAILED', 'c:FAILED', 'e:SUCCESS']);
  });

  it('ends a flowable whose children are all disabled in SUCCESS (Troupe; Kestra hangs), and a flow whose tasks are all disabled', () => {
    const flowable = new Simulation(`
id: alldis
namespace: t
tasks:
  - id: par
    type: ${P}Parallel
    tasks:
      - id: a
        type: ${RETURN}
        format: x
        disabled: true
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: b
        type: ${RETURN}
        format: x
        disabled: true
  - id: after
    type: ${RETURN}
    format: x
`).run();
    expect(statesOf(flowable)).toEqual(['par:SUCCESS', 'seq:SUCCESS', 'after:SUCCESS']);
    const flow = new Simulation(`id: none\nnamespace: t\ntasks:\n  - id: a\n    type: ${RETURN}\n    format: x\n    disabled: true\n`).run();
    expect(flow.taskRunList ?? []).toEqual([]);
    expect(flow.state.current).toBe('SUCCESS');
  });
});

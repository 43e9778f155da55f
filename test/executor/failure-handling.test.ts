import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import { toExecution, type DispatchEffect } from '../../src/executor/index.js';
import type { Execution } from '../../src/model/execution.js';

const RETURN = 'io.kestra.plugin.core.debug.Return';
const P = 'io.kestra.plugin.core.flow.';

/** Fails the dispatches of the given task ids, succeeds the others. */
const failing =
  (...ids: string[]) =>
  (d: DispatchEffect) => ({ state: ids.includes(d.task.id) ? ('FAILED' as const) : ('SUCCESS' as const) });

/** Every log line of the simulation as [level, task id, message]. */
const logsOf = (sim: Simulation): Array<[string, string | undefined, string]> => sim.results.flatMap((r) => r.logs).map((l) => [l.level, l.taskId, l.message]);

/** The state histories of a run, by task id. */
const historyOf = (e: Execution, taskId: string): string[] => e.taskRunList!.find((r) => r.taskId === taskId)!.state.histories.map((h) => h.state);

describe('allowFailure and allowWarning', () => {
  const flow = (flags: string, type = RETURN): string => `
id: allow
namespace: t
tasks:
  - id: a
    type: ${type}
${type === RETURN ? '    format: x\n' : `    tasks:\n      - id: child\n        type: ${RETURN}\n        format: x\n`}${flags}  - id: next
    type: ${RETURN}
    format: x
`;

  it.each([
    ['allowFailure', 'FAILED', 'WARNING', 'WARNING', '    allowFailure: true\n'],
    ['allowFailure and allowWarning', 'FAILED', 'SUCCESS', 'SUCCESS', '    allowFailure: true\n    allowWarning: true\n'],
    ['allowWarning', 'WARNING', 'SUCCESS', 'SUCCESS', '    allowWarning: true\n'],
    ['no flag', 'WARNING', 'WARNING', 'WARNING', ''],
  ] as const)('with %s, a runnable attempt ending %s leaves its run %s and the execution %s; the attempt keeps its raw state', (_, raw, run, execution, flags) => {
    const sim = new Simulation(flow(flags));
    const e = sim.run((d) => ({ state: d.task.id === 'a' ? raw : 'SUCCESS' }));
    expect(statesOf(e)).toEqual([`a:${run}`, 'next:SUCCESS']);
    expect(e.taskRunList![0]!.attempts!.map((a) => a.state.current)).toEqual([raw]);
    expect(e.state.current).toBe(execution);
  });

  it.each([
    ['allowFailure', 'WARNING', '    allowFailure: true\n'],
    ['allowFailure and allowWarning', 'SUCCESS', '    allowFailure: true\n    allowWarning: true\n'],
  ])('with %s, a flowable whose child fails ends %s and the flow goes on', (_, state, flags) => {
    const sim = new Simulation(flow(flags, `${P}Sequential`));
    const e = sim.run(failing('child'));
    expect(statesOf(e)).toEqual([`a:${state}`, 'child:FAILED', 'next:SUCCESS']);
    expect(e.state.current).toBe(state);
  });

  it('propagates a child WARNING to its flowable and to the execution', () => {
    const e = new Simulation(flow('', `${P}Sequential`)).run((d) => ({ state: d.task.id === 'child' ? 'WARNING' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['a:WARNING', 'child:WARNING', 'next:SUCCESS']);
    expect(e.state.current).toBe('WARNING');
  });
});

describe('runIf', () => {
  const flow = `
id: runif
namespace: t
tasks:
  - id: executed
    type: ${RETURN}
    format: x
    runIf: "{{ 1 == 1 }}"
  - id: notexecuted
    type: ${RETURN}
    format: x
    runIf: "false"
  - id: skipped_seq
    type: ${P}Sequential
    runIf: "0"
    tasks:
      - id: never
        type: ${RETURN}
        format: x
  - id: willfail
    type: ${RETURN}
    format: x
    runIf: "{{ outputs.missing.value }}"
  - id: after
    type: ${RETURN}
    format: x
`;

  it('skips a task whose runIf renders falsy, and fails one whose runIf cannot be rendered', () => {
    const sim = new Simulation(flow);
    const dispatched: string[] = [];
    const e = sim.run((d) => {
      dispatched.push(d.task.id);
      return { state: 'SUCCESS' };
    });
    expect(dispatched).toEqual(['executed']);
    expect(statesOf(e)).toEqual(['executed:SUCCESS', 'notexecuted:SKIPPED', 'skipped_seq:SKIPPED', 'willfail:FAILED']);
    expect(historyOf(e, 'notexecuted')).toEqual(['CREATED', 'SKIPPED']);
    expect(historyOf(e, 'willfail')).toEqual(['CREATED', 'FAILED']);
    expect(e.state.current).toBe('FAILED');
    const runIfLogs = logsOf(sim).filter(([level]) => level === 'ERROR');
    expect(runIfLogs).toHaveLength(1);
    expect(runIfLogs[0]!.slice(0, 2)).toEqual(['ERROR', 'willfail']);
    expect(runIfLogs[0]![2]).toMatch(/^Unable to evaluate the runIf condition for task willfail: /);
  });

  it('counts a SKIPPED run as a success of its parent', () => {
    const e = new Simulation(`id: s\nnamespace: t\ntasks:\n  - id: seq\n    type: ${P}Sequential\n    tasks:\n      - id: a\n        type: ${RETURN}\n        format: x\n        runIf: ""\n`).run();
    expect(statesOf(e)).toEqual(['seq:SUCCESS', 'a:SKIPPED']);
    expect(e.state.current).toBe('SUCCESS');
  });
});

describe('errors branches', () => {
  it('never rescue their owner: a Sequential whose errors succeed stays FAILED and the flow stops there', () => {
    const sim = new Simulation(`
id: local
namespace: t
tasks:
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: ko
        type: ${RETURN}
        format: x
      - id: never
        type: ${RETURN}
        format: x
    errors:
      - id: e1
        type: ${RETURN}
        format: x
      - id: e2
        type: ${RETURN}
        format: x
  - id: not_reached
    type: ${RETURN}
    format: x
`);
    const order: string[] = [];
    const e = sim.run((d) => {
      order.push(d.task.id);
      return failing('ko')(d);
    });
    // A Sequential's errors run one after the other.
    expect(order).toEqual(['ko', 'e1', 'e2']);
    expect(statesOf(e)).toEqual(['seq:FAILED', 'ko:FAILED', 'e1:SUCCESS', 'e2:SUCCESS']);
    expect(e.taskRunList!.slice(2).map((r) => r.parentTaskRunId)).toEqual([e.taskRunList![0]!.id, e.taskRunList![0]!.id]);
    expect(e.state.current).toBe('FAILED');
  });

  it('bubble up: each failed flowable runs its own errors, then the flow errors run', () => {
    const sim = new Simulation(`
id: bubble
namespace: t
tasks:
  - id: outer
    type: ${P}Sequential
    tasks:
      - id: inner
        type: ${P}Sequential
        tasks:
          - id: ko
            type: ${RETURN}
            format: x
        errors:
          - id: inner_error
            type: ${RETURN}
            format: x
      - id: never
        type: ${RETURN}
        format: x
errors:
  - id: global_error
    type: ${RETURN}
    format: x
`);
    const e = sim.run(failing('ko'));
    expect(statesOf(e)).toEqual(['outer:FAILED', 'inner:FAILED', 'ko:FAILED', 'inner_error:SUCCESS', 'global_error:SUCCESS']);
    expect(e.taskRunList![4]!.parentTaskRunId).toBeUndefined();
    expect(e.state.current).toBe('FAILED');
  });

  it('go on after a failed error task (only normal children switch a branch), and the owner stays FAILED', () => {
    const e = new Simulation(`id: ef\nnamespace: t\ntasks:\n  - id: ko\n    type: ${RETURN}\n    format: x\nerrors:\n  - id: e1\n    type: ${RETURN}\n    format: x\n  - id: e2\n    type: ${RETURN}\n    format: x\n`).run(failing('ko', 'e1'));
    expect(statesOf(e)).toEqual(['ko:FAILED', 'e1:FAILED', 'e2:SUCCESS']);
    expect(e.state.current).toBe('FAILED');
  });
});

describe('flow.Sleep', () => {
  const flow = (timeout = ''): string => `id: sleep\nnamespace: t\ntasks:\n  - id: nap\n    type: ${P}Sleep\n    duration: PT30S\n${timeout}  - id: after\n    type: ${RETURN}\n    format: x\n`;

  it('waits on an actor timer, never in the pool, then succeeds', () => {
    const sim = new Simulation(flow());
    const start = sim.nowMs;
    sim.send({ type: 'execution.start' });
    expect(sim.queue).toEqual([]);
    expect(sim.timers).toEqual([{ timerId: 'sleep.1:run1', atMs: start + 30_000 }]);
    const e = sim.run();
    expect(statesOf(e)).toEqual(['nap:SUCCESS', 'after:SUCCESS']);
    expect(e.taskRunList![0]!.attempts!.map((a) => a.state.histories.map((h) => [h.state, h.date]))).toEqual([
      [
        ['CREATED', '2024-12-20T10:00:00.000Z'],
        ['RUNNING', '2024-12-20T10:00:00.000Z'],
        ['SUCCESS', '2024-12-20T10:00:30.000Z'],
      ],
    ]);
    expect(logsOf(sim)).toContainEqual(['INFO', 'nap', 'Waiting for PT30S']);
  });

  it('fails at its timeout with Kestra’s Timeout log', () => {
    const sim = new Simulation(flow('    timeout: PT5S\n'));
    const start = sim.nowMs;
    sim.send({ type: 'execution.start' });
    expect(sim.timers).toEqual([{ timerId: 'sleep.1:run1', atMs: start + 5_000 }]);
    const e = sim.run();
    expect(statesOf(e)).toEqual(['nap:FAILED']);
    expect(e.state.current).toBe('FAILED');
    expect(e.state.histories.at(-1)!.date).toBe('2024-12-20T10:00:05.000Z');
    expect(logsOf(sim).filter(([level]) => level === 'ERROR')).toEqual([['ERROR', 'nap', 'Timeout after 00:00:05.000']]);
  });
  it('retries a timed-out sleep under its retry policy, each attempt on its own timer', () => {
    const sim = new Simulation(flow('    timeout: PT5S\n    retry:\n      type: constant\n      interval: PT1S\n      maxAttempt: 2\n'));
    const start = sim.nowMs;
    const e = sim.run();
    expect(sim.results.flatMap((r) => r.effects).filter((x) => x.type === 'timer.start')).toEqual([
      { type: 'timer.start', timerId: 'sleep.1:run1', atMs: start + 5_000 },
      { type: 'timer.start', timerId: 'retry:run1:1', atMs: start + 6_000 },
      { type: 'timer.start', timerId: 'sleep.2:run1', atMs: start + 11_000 },
    ]);
    expect(e.taskRunList![0]!.attempts!.map((a) => a.state.current)).toEqual(['FAILED', 'FAILED']);
    expect(statesOf(e)).toEqual(['nap:FAILED']);
  });
});

describe('execution.Labels', () => {
  const flow = (labels: string): string => `
id: labels
namespace: t
labels:
  team: a
  env: dev
tasks:
  - id: set
    type: io.kestra.plugin.core.execution.Labels
    labels:
${labels}  - id: after
    type: ${RETURN}
    format: "{{ labels.env }}"
`;

  it('merges the rendered labels into the execution’s, replacing same keys, without a pool dispatch', () => {
    const sim = new Simulation(flow('      env: "{{ flow.id }}-prod"\n      added: "1"\n'));
    const seen: unknown[] = [];
    const e = sim.run((d) => {
      seen.push([d.task.id, d.vars.labels]);
      return { state: 'SUCCESS' };
    });
    expect(statesOf(e)).toEqual(['set:SUCCESS', 'after:SUCCESS']);
    expect(e.labels).toEqual([
      { key: 'team', value: 'a' },
      { key: 'env', value: 'labels-prod' },
      { key: 'system.correlationId', value: 'exec1' },
      { key: 'added', value: '1' },
    ]);
    expect(seen).toEqual([['after', { team: 'a', env: 'labels-prod', added: '1', system: { correlationId: 'exec1' } }]]);
    expect(e.taskRunList![0]!.attempts!.map((a) => a.state.current)).toEqual(['SUCCESS']);
  });

  it('refuses system labels: the run fails and the labels stay as they were', () => {
    const sim = new Simulation(flow('      system.correlationId: forged\n'));
    const e = sim.run();
    expect(statesOf(e)).toEqual(['set:FAILED']);
    expect(e.labels).toEqual([
      { key: 'team', value: 'a' },
      { key: 'env', value: 'dev' },
      { key: 'system.correlationId', value: 'exec1' },
    ]);
    expect(logsOf(sim).filter(([level]) => level === 'ERROR')).toEqual([['ERROR', 'set', 'System labels can only be set by Kestra itself, offending label: system.correlationId=forged']]);
  });
});

describe('kill', () => {
  it('cancels every in-flight attempt, ends their runs and parents KILLED, and ignores their late results', () => {
    const sim = new Simulation(`
id: k
namespace: t
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
  - id: after
    type: ${RETURN}
    format: x
`);
    sim.send({ type: 'execution.start' });
    const inFlight = [...sim.queue];
    const r = sim.send({ type: 'execution.kill' });
    expect(r.effects).toEqual([
      { type: 'task.cancel', taskRunId: 'run2' },
      { type: 'task.cancel', taskRunId: 'run3' },
      { type: 'execution.ended', state: 'KILLED' },
    ]);
    for (const d of inFlight) expect(sim.send(sim.result(d, { state: 'SUCCESS' })).changedRuns).toEqual([]);
    sim.queue.length = 0;
    const e = sim.run();
    expect(statesOf(e)).toEqual(['par:KILLED', 'p1:KILLED', 'p2:KILLED']);
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'KILLING', 'KILLED']);
  });

  it('kills a paused execution: the paused run and its parents end KILLED (Troupe; Kestra resumes it into KILLING)', () => {
    const sim = new Simulation(`
id: kp
namespace: t
tasks:
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: wait
        type: ${P}Pause
        delay: PT1H
      - id: never
        type: ${RETURN}
        format: x
`);
    sim.send({ type: 'execution.start' });
    expect(sim.state.header.state.current).toBe('PAUSED');
    sim.send({ type: 'execution.kill' });
    expect(sim.state.timers.size).toBe(0);
    const e = toExecution(sim.state);
    expect(statesOf(e)).toEqual(['seq:KILLED', 'wait:KILLED']);
    expect(historyOf(e, 'wait')).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'KILLED']);
    expect(e.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'KILLING', 'KILLED']);
    // The delay timer, had it been delivered, changes nothing.
    sim.nowMs += 3_600_000;
    expect(sim.send({ type: 'timer.fired', timerId: 'delay:run2' }).changedRuns).toEqual([]);
  });

  it('stops a sleeping run and its timer', () => {
    const sim = new Simulation(`id: ks\nnamespace: t\ntasks:\n  - id: nap\n    type: ${P}Sleep\n    duration: PT1M\n`);
    sim.send({ type: 'execution.start' });
    sim.send({ type: 'execution.kill' });
    sim.nowMs += 60_000;
    expect(sim.send({ type: 'timer.fired', timerId: 'sleep.1:run1' }).changedRuns).toEqual([]);
    expect(statesOf(toExecution(sim.state))).toEqual(['nap:KILLED']);
    expect(sim.ended).toBe('KILLED');
  });
});

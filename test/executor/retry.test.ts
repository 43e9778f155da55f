import { describe, expect, it } from 'vitest';
import { Simulation, statesOf } from '../helpers/simulate.js';
import type { DispatchEffect, StepEnv } from '../../src/executor/index.js';
import type { TimerEffect } from '../../src/executor/effects.js';

const RETURN = 'io.kestra.plugin.core.debug.Return';
const P = 'io.kestra.plugin.core.flow.';

/** A flow with one Return task `flaky` under `retry` (YAML lines, 4-space indented under `retry:`). */
const flaky = (retry: string): string => `id: r\nnamespace: t\ntasks:\n  - id: flaky\n    type: ${RETURN}\n    format: x\n    retry:\n${retry}`;

/**
 * Runs `sim`, failing each attempt of `flaky` until attempt `successOn` (never when undefined),
 * and returns the delay of each retry timer after the failed attempt that scheduled it.
 */
function retryDelays(sim: Simulation, successOn?: number): number[] {
  const failedAt: number[] = [];
  sim.run((d) => {
    if (d.task.id !== 'flaky' || d.attemptNumber === successOn) return { state: 'SUCCESS' };
    failedAt.push(sim.nowMs);
    return { state: 'FAILED' };
  });
  const timers = sim.results.flatMap((r) => r.effects).filter((e): e is TimerEffect => e.type === 'timer.start');
  return timers.map((t, i) => t.atMs - failedAt[i]!);
}

/** Attempt states of the first run of `taskId`. */
const attemptsOf = (sim: Simulation, taskId: string): string[] =>
  [...sim.state.runs.values()].find((e) => e.run.taskId === taskId)!.run.attempts!.map((a) => a.state.current);

describe('retry policies', () => {
  it('waits a constant interval after each failed attempt', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT10S\n      maxAttempt: 4\n'));
    expect(retryDelays(sim)).toEqual([10_000, 10_000, 10_000]);
    expect(attemptsOf(sim, 'flaky')).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    expect(sim.ended).toBe('FAILED');
  });

  it('makes "exponential" linear as Kestra does: interval × factor × (n − 1), the first retry immediate, capped at maxInterval', () => {
    const sim = new Simulation(flaky('      type: exponential\n      interval: PT10S\n      maxInterval: PT1M\n      maxAttempt: 6\n'));
    expect(retryDelays(sim)).toEqual([0, 20_000, 40_000, 60_000, 60_000]);
  });

  it('truncates delayFactor to an integer', () => {
    const sim = new Simulation(flaky('      type: exponential\n      interval: PT1S\n      maxInterval: PT1H\n      delayFactor: 3.9\n      maxAttempt: 4\n'));
    expect(retryDelays(sim)).toEqual([0, 3_000, 6_000]);
  });

  it('draws a random delay in [minInterval, maxInterval) from the step’s randomness', () => {
    const draws = [0, 0.5, 0.999999];
    class Drawn extends Simulation {
      override env(): StepEnv {
        return { ...super.env(), random: () => draws.shift() ?? 0 };
      }
    }
    const sim = new Drawn(flaky('      type: random\n      minInterval: PT1S\n      maxInterval: PT2S\n      maxAttempt: 4\n'));
    expect(retryDelays(sim)).toEqual([1_000, 1_500, 1_999]);
  });

  it('counts every attempt in maxAttempt, the first included: maxAttempt 1 never retries', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1S\n      maxAttempt: 1\n'));
    expect(retryDelays(sim)).toEqual([]);
    expect(attemptsOf(sim, 'flaky')).toEqual(['FAILED']);
  });

  it('stops once the next attempt would start after the first attempt’s start + maxDuration', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT2S\n      maxDuration: PT6S\n'));
    expect(retryDelays(sim)).toEqual([2_000, 2_000]);
    expect(attemptsOf(sim, 'flaky')).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(sim.ended).toBe('FAILED');
  });

  it('keeps the run RETRYING and the execution RUNNING while the retry timer is pending', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1M\n      maxAttempt: 2\n'));
    sim.send({ type: 'execution.start' });
    const d = sim.queue.shift()!;
    sim.send(sim.result(d, { state: 'FAILED' }));
    const run = sim.state.runs.get('run1')!.run;
    expect(run.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING']);
    expect(sim.state.header.state.current).toBe('RUNNING');
    expect(sim.ended).toBeUndefined();
    expect(sim.queue).toEqual([]);
  });
});

describe('retries and kill', () => {
  it('kills a run waiting for its retry, and the retry timer then changes nothing', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1M\n      maxAttempt: 3\n'));
    sim.send({ type: 'execution.start' });
    sim.send(sim.result(sim.queue.shift()!, { state: 'FAILED' }));
    const kill = sim.send({ type: 'execution.kill' });
    expect(kill.effects).toEqual([{ type: 'execution.ended', state: 'KILLED' }]);
    sim.nowMs += 60_000;
    expect(sim.send({ type: 'timer.fired', timerId: 'retry:run1:1' }).changedRuns).toEqual([]);
    const run = sim.state.runs.get('run1')!.run;
    expect(run.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'KILLED']);
    expect(sim.queue).toEqual([]);
  });
});

describe('retries and allowFailure', () => {
  it('turns the failure into WARNING only once no retry is left', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1S\n      maxAttempt: 2\n').replace('    retry:', '    allowFailure: true\n    retry:'));
    expect(retryDelays(sim)).toEqual([1_000]);
    const run = sim.state.runs.get('run1')!.run;
    expect(run.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RETRYING', 'CREATED', 'RUNNING', 'WARNING']);
    expect(attemptsOf(sim, 'flaky')).toEqual(['FAILED', 'FAILED']);
    expect(sim.ended).toBe('WARNING');
  });
});

describe('warningOnRetry', () => {
  it.each([
    [1, 'SUCCESS', ['SUCCESS']],
    [2, 'SUCCESS', ['FAILED', 'SUCCESS']],
    [3, 'WARNING', ['FAILED', 'FAILED', 'SUCCESS']],
    [4, 'WARNING', ['FAILED', 'FAILED', 'FAILED', 'SUCCESS']],
  ])('with success on attempt %i, the run ends %s (only from the 3rd attempt on)', (successOn, state, attempts) => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1S\n      maxAttempt: 5\n      warningOnRetry: true\n'));
    retryDelays(sim, successOn);
    expect(attemptsOf(sim, 'flaky')).toEqual(attempts);
    expect(sim.ended).toBe(state);
  });
});

describe('taskrun.attemptsCount', () => {
  it('is the number of previous attempts: 0, 1, 2…', () => {
    const sim = new Simulation(flaky('      type: constant\n      interval: PT1S\n      maxAttempt: 3\n').replace('format: x', 'format: "{{ taskrun.attemptsCount }}"'));
    const seen: unknown[] = [];
    sim.run((d) => {
      seen.push([d.attemptNumber, (d.vars.taskrun as { attemptsCount: number }).attemptsCount]);
      return { state: 'FAILED' };
    });
    expect(seen).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
  });
});

describe('inherited retry policies', () => {
  const flow = `
id: inherit
namespace: t
retry:
  type: constant
  interval: PT1S
  maxAttempt: 4
tasks:
  - id: outer
    type: ${P}Sequential
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 3
    tasks:
      - id: mid
        type: ${P}Sequential
        tasks:
          - id: deep
            type: ${RETURN}
            format: x
  - id: top
    type: ${RETURN}
    format: x
  - id: own
    type: ${RETURN}
    format: x
    retry:
      type: constant
      interval: PT1S
      maxAttempt: 2
`;

  it('uses the nearest ancestor flowable’s policy, else the flow’s, unless the task has its own; flowables are never re-run', () => {
    const sim = new Simulation(flow);
    const dispatched: string[] = [];
    const e = sim.run((d) => {
      dispatched.push(`${d.task.id}#${d.attemptNumber}`);
      // deep succeeds on its last allowed attempt, so the flow goes on to top and own.
      return { state: d.task.id === 'deep' && d.attemptNumber === 3 ? 'SUCCESS' : d.task.id === 'top' && d.attemptNumber === 4 ? 'SUCCESS' : 'FAILED' };
    });
    expect(dispatched).toEqual(['deep#1', 'deep#2', 'deep#3', 'top#1', 'top#2', 'top#3', 'top#4', 'own#1', 'own#2']);
    expect(statesOf(e)).toEqual(['outer:SUCCESS', 'mid:SUCCESS', 'deep:SUCCESS', 'top:SUCCESS', 'own:FAILED']);
    expect(e.taskRunList!.map((r) => r.attempts?.length ?? 0)).toEqual([0, 0, 3, 4, 2]);
  });
});

describe('retries and errors branches', () => {
  it('starts no errors branch while a failed run waits for its retry, then starts it once the run failed for good', () => {
    const sim = new Simulation(`
id: wait
namespace: t
tasks:
  - id: seq
    type: ${P}Sequential
    tasks:
      - id: flaky
        type: ${RETURN}
        format: x
        retry:
          type: constant
          interval: PT30S
          maxAttempt: 2
    errors:
      - id: local_error
        type: ${RETURN}
        format: x
errors:
  - id: global_error
    type: ${RETURN}
    format: x
`);
    sim.send({ type: 'execution.start' });
    sim.send(sim.result(sim.queue.shift()!, { state: 'FAILED' }));
    expect(sim.queue).toEqual([]);
    expect(sim.timers).toHaveLength(1);
    const order: string[] = [];
    const e = sim.run((d: DispatchEffect) => {
      order.push(`${d.task.id}#${d.attemptNumber}`);
      return { state: d.task.id === 'flaky' ? 'FAILED' : 'SUCCESS' };
    });
    expect(order).toEqual(['flaky#2', 'local_error#1', 'global_error#1']);
    expect(statesOf(e)).toEqual(['seq:FAILED', 'flaky:FAILED', 'local_error:SUCCESS', 'global_error:SUCCESS']);
  });

  it('lets a Parallel sibling’s retry finish before the Parallel ends', () => {
    const sim = new Simulation(`
id: par
namespace: t
tasks:
  - id: par
    type: ${P}Parallel
    tasks:
      - id: flaky
        type: ${RETURN}
        format: x
        retry:
          type: constant
          interval: PT30S
          maxAttempt: 2
      - id: ok
        type: ${RETURN}
        format: x
`);
    const e = sim.run((d) => ({ state: d.task.id === 'flaky' && d.attemptNumber === 1 ? 'FAILED' : 'SUCCESS' }));
    expect(statesOf(e)).toEqual(['par:SUCCESS', 'flaky:SUCCESS', 'ok:SUCCESS']);
    expect(e.state.current).toBe('SUCCESS');
  });
});

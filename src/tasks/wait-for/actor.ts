/**
 * WaitFor's actor hooks. When an iteration's children all succeed, the iteration count grows;
 * unless the maximum is reached or `condition` is truthy, the WaitFor run and the execution pause
 * for `interval`, then the run is reset (history back to CREATED, iteration + 1), the previous
 * iteration's runs are deleted, and its children run again.
 */
import { isTruthy } from '../../expr/index.js';
import { parseDuration } from '../../model/duration.js';
import type { Task } from '../../model/flow.js';
import type { ActorTask } from '../actor-spec.js';

interface CheckFrequency {
  maxIterations: number;
  maxDurationMs: number;
  intervalMs: number;
}

function checkFrequency(task: Task): CheckFrequency {
  const cf = (task.props.checkFrequency ?? {}) as Record<string, unknown>;
  return {
    maxIterations: typeof cf.maxIterations === 'number' ? cf.maxIterations : 100,
    maxDurationMs: parseDuration(String(cf.maxDuration ?? 'PT1H')),
    intervalMs: parseDuration(String(cf.interval ?? 'PT1S')),
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export const waitForHooks: ActorTask = {
  iterates: true,
  opened(run) {
    run.run.iteration ??= 1;
  },
  childrenEnded(run, final) {
    if (final !== 'SUCCESS' && final !== 'WARNING') return final;
    const count = (Number((run.run.outputs as { iterationCount?: number } | null)?.iterationCount) || 1) + 1;
    run.setOutputs({ ...(run.run.outputs ?? {}), iterationCount: count });
    let cf: CheckFrequency;
    try {
      cf = checkFrequency(run.task);
    } catch (e) {
      run.log('ERROR', `Invalid checkFrequency: ${messageOf(e)}`);
      return 'FAILED';
    }
    const createdMs = Date.parse(run.run.state.histories[0]!.date);
    const maxReached = count > cf.maxIterations || run.nowMs > createdMs + cf.maxDurationMs;
    if (maxReached) return run.task.props.failOnMaxReached === true ? 'FAILED' : final;
    let done: boolean;
    try {
      done = isTruthy(run.render(String(run.task.props.condition ?? '')));
    } catch (e) {
      run.log('ERROR', `Unable to evaluate the condition of '${run.task.id}': ${messageOf(e)}`);
      return 'FAILED';
    }
    if (done) return final;
    run.pause();
    run.startTimer('waitfor', run.nowMs + cf.intervalMs);
    return undefined;
  },
  /** The interval is over: reset the run and start its next iteration. */
  timerFired(run) {
    if (run.run.state.current !== 'PAUSED') return;
    run.deleteChildren();
    run.setState('CREATED');
    const { histories } = run.run.state;
    run.run.state.histories = [histories[0]!, histories[histories.length - 1]!];
    delete run.run.attempts;
    run.run.iteration = (run.run.iteration ?? 1) + 1;
    run.unpause(false);
    run.restart();
  },
  restore(run) {
    if (run.run.state.current !== 'PAUSED') return;
    const pausedMs = Date.parse(run.run.state.histories[run.run.state.histories.length - 1]!.date);
    const cf = (run.task.props.checkFrequency ?? {}) as Record<string, unknown>;
    run.startTimer('waitfor', pausedMs + parseDuration(String(cf.interval ?? 'PT1S')));
  },
};

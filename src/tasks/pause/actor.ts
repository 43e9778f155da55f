/**
 * Pause's actor hooks. A Pause run goes PAUSED when it opens and the execution with it; `delay`
 * resumes it (RUNNING) and `timeout` fails it, each through an actor timer, `delay` winning when
 * both are set. A resume (timer, API) moves the paused run on; once no run is paused any more the
 * execution goes RESTARTED then RUNNING, and every open group is resolved.
 */
import { parseDuration } from '../../model/duration.js';
import type { ActorRun, ActorTask, RestoredRun } from '../actor-spec.js';
import { taskList } from '../flowable/spec.js';

/** The timer a Pause arms: `delay` (resume) wins over `timeout` (fail). */
function timerOf(run: ActorRun | RestoredRun): { name: 'delay' | 'timeout'; raw: unknown } | undefined {
  const { delay } = run.task.props;
  if (delay !== undefined && delay !== null) return { name: 'delay', raw: delay };
  if (run.task.timeout !== undefined) return { name: 'timeout', raw: run.task.timeout };
  return undefined;
}

/** Moves a paused run to RUNNING (or SUCCESS without tasks) or FAILED, then the execution on. */
function resumeRun(run: ActorRun, target: 'RUNNING' | 'FAILED', inputs?: Record<string, unknown>): void {
  if (run.run.state.current !== 'PAUSED') return;
  run.clearTimer('delay');
  run.clearTimer('timeout');
  if (run.task.props.onResume !== undefined) run.setOutputs({ onResume: inputs ?? {} });
  run.setState(target);
  if (target === 'RUNNING' && taskList(run.task, 'tasks').length === 0) run.setState('SUCCESS');
  run.unpause(true);
}

export const pauseHooks: ActorTask = {
  opened(run) {
    if (run.run.state.histories.some((h) => h.state === 'PAUSED')) return; // resumed already: its tasks run
    run.pause();
    const timer = timerOf(run);
    if (!timer) return;
    try {
      const ms = parseDuration(run.render(String(timer.raw)));
      run.startTimer(timer.name, run.nowMs + ms);
    } catch (e) {
      run.log('ERROR', `Unable to render the pause delay: ${e instanceof Error ? e.message : String(e)}`);
    }
  },
  timerFired(run, name) {
    resumeRun(run, name === 'delay' ? 'RUNNING' : 'FAILED');
  },
  resumed(run, inputs) {
    resumeRun(run, 'RUNNING', inputs);
  },
  /** A paused run is paused again, its delay or timeout timer counted from when it paused. */
  restore(run) {
    if (run.run.state.current !== 'PAUSED') return;
    const timer = timerOf(run);
    if (!timer) return;
    let ms: number;
    try {
      // A templated delay (`{{ inputs.delay }}`) renders as it did when the run paused.
      ms = parseDuration(run.render(String(timer.raw)));
    } catch {
      return; // it could not render when the run paused either (logged then): it waits for a resume
    }
    const pausedAt = Date.parse(run.run.state.histories[run.run.state.histories.length - 1]!.date);
    run.startTimer(timer.name, pausedAt + ms);
  },
};

/** Sleep's actor hooks: one attempt, ended by its timer, or failed by the task `timeout` when that comes first. */
import { formatHms, parseDuration } from '../../model/duration.js';
import type { ActorTask } from '../actor-spec.js';

export const sleepHooks: ActorTask = {
  start(run) {
    run.startAttempt();
    try {
      const duration = String(run.task.props.duration ?? '');
      const ms = parseDuration(duration);
      const timeoutMs = run.task.timeout !== undefined ? parseDuration(run.render(run.task.timeout)) : Infinity;
      run.log('INFO', `Waiting for ${duration}`);
      const name = `sleep.${run.run.attempts!.length}`;
      if (timeoutMs < ms) run.startTimer(name, run.nowMs + timeoutMs, timeoutMs);
      else run.startTimer(name, run.nowMs + ms);
    } catch (e) {
      run.log('ERROR', e instanceof Error ? e.message : String(e));
      run.endAttempt('FAILED');
    }
  },
  /** The sleep ended, or its timeout did (`timeoutMs`). */
  timerFired(run, _name, timeoutMs) {
    if (run.run.state.current !== 'RUNNING') return;
    if (timeoutMs === undefined) {
      run.endAttempt('SUCCESS');
      return;
    }
    run.log('ERROR', `Timeout after ${formatHms(timeoutMs)}`);
    run.endAttempt('FAILED');
  },
  /** A sleeping run sleeps on, its timer counted from the start of its attempt. */
  restore(run) {
    if (run.run.state.current !== 'RUNNING') return;
    const attempt = run.run.attempts?.[run.run.attempts.length - 1];
    const started = Date.parse((attempt ?? run.run).state.histories[0]!.date);
    run.startTimer(`sleep.${run.run.attempts?.length ?? 0}`, started + parseDuration(String(run.task.props.duration ?? 'PT0S')));
  },
};

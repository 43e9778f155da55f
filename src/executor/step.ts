/**
 * The executor step: a pure function from (execution state, one message) to the changed records
 * and the effects to run. It never scans the execution's task runs: a change marks its run's
 * group dirty, and only dirty groups (the changed run's parent, then each ancestor whose state
 * changes in turn) are resolved, through the per-group counters of ./state.ts.
 */
import type { ExecutionMessage, SubflowEndedMessage, TaskResultMessage } from '../protocol/execution-messages.js';
import type { LogEntry } from '../model/log-entry.js';
import { createState, isoDate, isTerminated, transition } from '../model/state.js';
import { limitOf } from '../model/limits.js';
import type { Effect } from './effects.js';
import type { ExecutionState, Group, RunEntry } from './state.js';
import { killOpenRuns, log, noteErrorLog, setExecutionState, setState, type StepContext, type StepEnv } from './context.js';
import { endAttempt } from './attempt-end.js';
import { actorHooksOf } from '../tasks/registry.js';
import { actorRun, unpauseExecution } from './actor-run.js';
import { recordOutputs } from './outputs-tree.js';
import { dispatchRun, pushDispatch } from './dispatch.js';
import { processGroup, wakeHeld } from './resolve.js';
import { resumeRestarted } from './restart.js';
import { armSlaDeadlines, checkSlaAssertions, slaDeadlineReached } from './sla.js';
import { applyWork, reopenWork } from './work.js';

/** What one step changed and asks for. */
export interface StepResult {
  /** Runs whose record changed (each once), in the order first changed. */
  changedRuns: RunEntry[];
  /** Seqs of task-run records removed (a WaitFor's previous iteration). */
  deletedSeqs: number[];
  headerChanged: boolean;
  effects: Effect[];
  logs: LogEntry[];
  /** Groups resolved during the step: the work done, which must not grow with the execution. */
  visited: number;
}

/** Applies one message to an execution. */
export function step(state: ExecutionState, msg: ExecutionMessage, env: StepEnv): StepResult {
  const ctx: StepContext = { state, env, date: isoDate(env.nowMs), changed: new Set(), deleted: [], headerChanged: false, effects: [], logs: [], dirty: new Set(), visited: 0 };
  // Kestra evaluates a flow's SLA assertions before processing each change (not on a pass that
  // queues it; a restart's, once it runs again).
  const hasSla = state.flow.sla !== undefined;
  if (hasSla && msg.type !== 'execution.restart' && !(msg.type === 'execution.start' && msg.admission)) checkSlaAssertions(ctx);
  switch (msg.type) {
    case 'execution.start':
      if (msg.admission) admitOverLimit(ctx, msg.admission);
      else start(ctx);
      break;
    case 'execution.dequeue':
      if (ctx.state.header.state.current === 'QUEUED') {
        setExecutionState(ctx, 'RUNNING');
        ctx.dirty.add(ctx.state.groups.get('')!);
      }
      break;
    case 'task.result':
      applyResult(ctx, msg);
      break;
    case 'timer.fired':
      fireTimer(ctx, msg.timerId);
      break;
    case 'execution.kill':
      kill(ctx);
      break;
    case 'execution.pause':
      // Kestra's manual pause: the execution only; resolving stops while it is not RUNNING.
      if (ctx.state.header.state.current === 'RUNNING') setExecutionState(ctx, 'PAUSED');
      break;
    case 'execution.resume':
      if (ctx.state.header.state.current === 'PAUSED') resumeExecution(ctx, msg.inputs);
      break;
    case 'execution.recover':
      recover(ctx, msg.crashed === true, msg.begun && new Set(msg.begun));
      break;
    case 'subflow.ended':
      childEnded(ctx, msg);
      break;
    case 'execution.restart':
      resumeRestarted(ctx);
      if (hasSla) checkSlaAssertions(ctx);
      break;
  }
  drain(ctx);
  return { changedRuns: [...ctx.changed], deletedSeqs: ctx.deleted, headerChanged: ctx.headerChanged, effects: ctx.effects, logs: ctx.logs, visited: ctx.visited };
}

/** Resolves dirty groups until none is left, then the groups the window held while it has room. */
function drain(ctx: StepContext): void {
  const { tally } = ctx.state;
  do {
    while (ctx.dirty.size > 0) {
      const group = ctx.dirty.values().next().value as Group;
      ctx.dirty.delete(group);
      processGroup(ctx, group);
    }
    wakeHeld(ctx);
  } while (ctx.dirty.size > 0 || (tally.held.size > 0 && tally.active < tally.max));
}

function start(ctx: StepContext, scheduleReached = false): void {
  const { header } = ctx.state;
  if (header.state.current !== 'CREATED') return;
  if (!scheduleReached && header.scheduleDate && Date.parse(header.scheduleDate) > ctx.env.nowMs) {
    // A scheduled start (a replay's retry date): wait, still CREATED, on a timer.
    const atMs = Date.parse(header.scheduleDate);
    ctx.state.timers.set('schedule', { kind: 'schedule', taskRunId: '', atMs });
    ctx.effects.push({ type: 'timer.start', timerId: 'schedule', atMs });
    return;
  }
  setExecutionState(ctx, 'RUNNING');
  armSlaDeadlines(ctx);
  ctx.dirty.add(ctx.state.groups.get('')!);
}

/** A flow's concurrency limit is reached: QUEUED, CANCELLED or FAILED as its `behavior` says. */
function admitOverLimit(ctx: StepContext, a: { admit: 'QUEUE' | 'CANCEL' | 'FAIL'; running: number }): void {
  if (ctx.state.header.state.current !== 'CREATED') return;
  if (a.admit === 'QUEUE') {
    log(ctx, 'INFO', `Flow is queued due to concurrency limit exceeded, ${a.running} running(s)`);
    setExecutionState(ctx, 'QUEUED');
    // Kestra creates the SLA monitors before the concurrency check: a queued execution's deadline runs too.
    armSlaDeadlines(ctx);
  } else if (a.admit === 'CANCEL') setExecutionState(ctx, 'CANCELLED');
  else {
    log(ctx, 'ERROR', 'Flow is FAILED due to concurrency limit exceeded');
    setExecutionState(ctx, 'FAILED');
  }
}

function isStale(entry: RunEntry | undefined, msg: TaskResultMessage): entry is undefined {
  if (!entry || entry.run.state.current !== 'RUNNING') return true;
  return msg.attemptNumber !== (entry.run.attempts?.length ?? 0) + 1;
}

function applyResult(ctx: StepContext, msg: TaskResultMessage): void {
  if (msg.work) {
    applyWork(ctx, msg);
    return;
  }
  const entry = ctx.state.runs.get(msg.taskRunId);
  if (isStale(entry, msg)) return;
  const { run } = entry;
  const previousAttempts = run.attempts?.length ?? 0;
  run.attempts = [...(run.attempts ?? []), msg.attempt];
  delete entry.crashes; // the attempt ended: its crash count is over
  if (msg.outputs) {
    run.outputs = msg.outputs;
    recordOutputs(ctx.state, entry);
  }
  for (const line of msg.logs) {
    ctx.logs.push(line);
    noteErrorLog(ctx.state, line);
  }
  ctx.changed.add(entry);
  endAttempt(ctx, entry, msg.attempt.state.current, previousAttempts);
}

function fireTimer(ctx: StepContext, timerId: string): void {
  const timer = ctx.state.timers.get(timerId);
  if (!timer) return;
  ctx.state.timers.delete(timerId);
  if (timer.kind === 'schedule') {
    start(ctx, true);
    return;
  }
  if (timer.kind === 'sla') {
    slaDeadlineReached(ctx, timer);
    return;
  }
  const entry = ctx.state.runs.get(timer.taskRunId);
  if (!entry || isTerminated(ctx.state.header.state.current)) return;
  if (timer.kind === 'retry') {
    if (entry.run.state.current !== 'RETRYING') return;
    setState(ctx, entry, 'CREATED');
    dispatchRun(ctx, entry);
  } else {
    actorHooksOf(entry.task.canonicalType)?.timerFired?.(actorRun(ctx, entry, (e) => dispatchRun(ctx, e)), timer.name ?? '', timer.detail);
  }
}

/** Resumes every paused run whose type moves on with a resume (Pause), with `onResume` inputs. */
function resumeExecution(ctx: StepContext, inputs: Record<string, unknown> | undefined): void {
  if (ctx.state.paused.size === 0) {
    // Paused by hand (no PAUSED run): only the execution moves on, RESTARTED then RUNNING.
    setExecutionState(ctx, 'RESTARTED');
    unpauseExecution(ctx);
    return;
  }
  for (const id of [...ctx.state.paused]) {
    const entry = ctx.state.runs.get(id)!;
    // A WaitFor between iterations is paused too, but only its timer moves it on.
    actorHooksOf(entry.task.canonicalType)?.resumed?.(actorRun(ctx, entry), inputs);
  }
}

/** The child execution a run waits for ended, or could not start. */
function childEnded(ctx: StepContext, msg: SubflowEndedMessage): void {
  const entry = ctx.state.runs.get(msg.taskRunId);
  if (!entry || entry.run.state.current !== 'RUNNING' || !ctx.state.waitingSubflows.has(msg.taskRunId)) return;
  actorHooksOf(entry.task.canonicalType)?.childEnded?.(actorRun(ctx, entry), msg.child, msg.error, msg.report);
}

/**
 * After a restore: dispatch again what was in flight (unless it was in flight during too many
 * consecutive crashes), re-arm timers, resolve every open group. After a crash, an attempt in
 * flight counts it when a thread had begun it (`begun`; absent: every attempt in flight).
 */
function recover(ctx: StepContext, crashed: boolean, begun: ReadonlySet<string> | undefined): void {
  const { state } = ctx;
  if (state.header.state.current === 'CREATED') {
    start(ctx);
    return;
  }
  if (isTerminated(state.header.state.current)) return;
  // Open working directories were emptied with the work dir: they run again (their children leave inFlight).
  reopenWork(ctx, crashed);
  const limit = limitOf(ctx.env.limits, 'maxAttemptCrashes');
  for (const id of [...state.inFlight]) {
    const entry = state.runs.get(id)!;
    if (state.groups.get(id)?.work) continue; // a working directory's setup, just sent again whole
    if (crashed && (!begun || begun.has(id))) {
      // Counted in the record before the attempt is dispatched again: it survives the next crash.
      entry.crashes = (entry.crashes ?? 0) + 1;
      ctx.changed.add(entry);
    }
    if ((entry.crashes ?? 0) >= limit) failCrashedAttempt(ctx, entry, limit);
    else pushDispatch(ctx, entry);
  }
  // In date order: timers that came due while the engine was down fire in the order they would have.
  for (const [timerId, t] of [...state.timers].sort((a, b) => a[1].atMs - b[1].atMs)) ctx.effects.push({ type: 'timer.start', timerId, atMs: t.atMs });
  for (const id of state.waitingSubflows) {
    const entry = state.runs.get(id)!;
    actorHooksOf(entry.task.canonicalType)?.recover?.(actorRun(ctx, entry));
  }
  // Once per recovery: every open group is resolved again, so nothing a lost effect would have started is missed.
  for (const g of state.groups.values()) if (!g.parent || g.parent.run.state.current === 'RUNNING') ctx.dirty.add(g);
}

/** A poison pill: the attempt fails (never retried) with TROUPE_TASK_CRASHED instead of running again. */
function failCrashedAttempt(ctx: StepContext, entry: RunEntry, limit: number): void {
  const previous = entry.run.attempts?.length ?? 0;
  log(ctx, 'ERROR', `TROUPE_TASK_CRASHED: attempt ${previous + 1} of task '${entry.run.taskId}' was in flight during ${entry.crashes} consecutive crashes; it is failed instead of being dispatched again (engine option maxAttemptCrashes: ${limit})`, entry);
  const attempt = createState(ctx.date);
  transition(attempt, 'RUNNING', ctx.date);
  transition(attempt, 'FAILED', ctx.date);
  entry.run.attempts = [...(entry.run.attempts ?? []), { state: attempt }];
  delete entry.crashes;
  ctx.changed.add(entry);
  endAttempt(ctx, entry, 'FAILED', previous, { retry: false });
}

function kill(ctx: StepContext): void {
  const { state } = ctx;
  if (isTerminated(state.header.state.current)) return;
  setExecutionState(ctx, 'KILLING');
  killOpenRuns(ctx);
  setExecutionState(ctx, 'KILLED');
  ctx.dirty.clear();
}

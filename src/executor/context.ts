/** The working context of one executor step and the primitives that change an execution. */
import type { IdGenerator } from '../model/ids.js';
import type { LogEntry, LogLevel } from '../model/log-entry.js';
import { isTerminated, transition, type StateType } from '../model/state.js';
import type { Effect } from './effects.js';
import { setRunState, type ExecutionState, type Group, type RunEntry } from './state.js';
import type { HostVars } from './run-vars.js';
import type { ExecutorLimits } from '../model/limits.js';

/** What the step needs from outside: the time of the message, ids, randomness, host variables. */
export interface StepEnv extends HostVars {
  nowMs: number;
  newId: IdGenerator;
  random: () => number;
  /** Bounds on hostile flows; defaults for those left out (`DEFAULT_LIMITS`). */
  limits?: Partial<ExecutorLimits>;
}

/** The working context of one step. */
export interface StepContext {
  state: ExecutionState;
  env: StepEnv;
  date: string;
  changed: Set<RunEntry>;
  /** Seqs of task-run records to delete (a WaitFor's previous iteration). */
  deleted: number[];
  headerChanged: boolean;
  effects: Effect[];
  logs: LogEntry[];
  dirty: Set<Group>;
  visited: number;
}

/** Moves the execution to `type`. */
export function setExecutionState(ctx: StepContext, type: StateType): void {
  if (transition(ctx.state.header.state, type, ctx.date)) {
    ctx.headerChanged = true;
    if (isTerminated(type)) ctx.effects.push({ type: 'execution.ended', state: type });
  }
}

/** Moves a run to `type`, marks it changed and its group dirty. */
export function setState(ctx: StepContext, entry: RunEntry, type: StateType): void {
  if (!setRunState(entry, type, ctx.date)) return;
  if (type !== 'RUNNING' && type !== 'KILLING') ctx.state.inFlight.delete(entry.run.id);
  ctx.changed.add(entry);
  ctx.dirty.add(entry.group);
}

/** Appends a log line of the execution (on a task run when `entry` is given). */
export function log(ctx: StepContext, level: LogLevel, message: string, entry?: RunEntry): void {
  const { header } = ctx.state;
  const line: LogEntry = { namespace: header.namespace, flowId: header.flowId, executionId: header.id, timestamp: ctx.date, level, message };
  if (entry) {
    line.taskId = entry.run.taskId;
    line.taskRunId = entry.run.id;
    line.attemptNumber = entry.run.attempts?.length ?? 0;
  }
  ctx.logs.push(line);
  noteErrorLog(ctx.state, line);
}

/** Keeps the first 25 ERROR lines of an execution for `errorLogs()`. */
export function noteErrorLog(state: ExecutionState, line: LogEntry): void {
  if (line.level === 'ERROR' && state.errorLogs.length < 25) state.errorLogs.push(line);
}


/**
 * Ends what an ending execution still has open: in-flight attempts are cancelled, every run not
 * yet terminated becomes KILLED, timers are dropped. Once per execution (a kill, or an end that
 * left siblings running), so visiting every run held here keeps the hot path free of it.
 */
export function killOpenRuns(ctx: StepContext, lastState?: StateType): void {
  const { state } = ctx;
  for (const id of state.inFlight) ctx.effects.push({ type: 'task.cancel', taskRunId: id });
  // One walk over the runs (the execution ends): the open ones, and the latest of them.
  const open: RunEntry[] = [];
  let last: RunEntry | undefined;
  for (const entry of state.runs.values()) {
    if (isTerminated(entry.run.state.current)) continue;
    open.push(entry);
    if (!last || entry.seq > last.seq) last = entry;
  }
  // Kestra's `markAs`: with `lastState`, the latest open run takes it instead of KILLED.
  if (!lastState) last = undefined;
  for (const entry of open) {
    // A working directory still there is removed by the pool (work `remove`: not awaited).
    const work = state.groups.get(entry.run.id)?.work;
    if (work && work.phase !== 'done') ctx.effects.push({ type: 'task.dispatch', taskRunId: entry.run.id, attemptNumber: 0, task: entry.task, vars: {}, work: 'remove', workingDir: work.dir });
    setState(ctx, entry, entry === last ? lastState! : 'KILLED');
  }
  state.timers.clear();
}

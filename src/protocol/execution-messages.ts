/**
 * Messages an execution actor handles, one at a time. They cross the pool→shard and
 * main→shard boundaries as plain data, each a discriminated union on `type`.
 */
import type { Metric, TaskRunAttempt } from '../model/task-run.js';
import type { LogEntry } from '../model/log-entry.js';
import type { WorkPhase } from '../model/work-phase.js';
import type { ErrorRecord } from '../errors.js';
import type { ChildReport, Execution } from '../model/execution.js';

/** Start a new execution whose header was just created; `admission` when a concurrency limit held it. */
export interface StartMessage {
  type: 'execution.start';
  admission?: { admit: 'QUEUE' | 'CANCEL' | 'FAIL'; running: number };
}

/** A queued execution got a slot: it starts now. */
export interface DequeueMessage {
  type: 'execution.dequeue';
}

/** The outcome of one attempt of a runnable task, from the pool. */
export interface TaskResultMessage {
  type: 'task.result';
  taskRunId: string;
  /** The attempt number this result is for (1-based); a stale or duplicate result is ignored. */
  attemptNumber: number;
  /** The attempt as run, with its raw final state (SUCCESS, FAILED, KILLED, WARNING). */
  attempt: TaskRunAttempt;
  outputs: Record<string, unknown> | null;
  logs: LogEntry[];
  metrics?: Metric[];
  error?: ErrorRecord;
  /** Set on the result of a flowable's work (WorkingDirectory), not of an attempt: the phase it ran. */
  work?: WorkPhase;
}

/** A timer the actor asked for has fired. */
export interface TimerFiredMessage {
  type: 'timer.fired';
  timerId: string;
}

/** Kill the execution: KILLING, then KILLED; in-flight attempts are aborted. */
export interface KillMessage {
  type: 'execution.kill';
}

/**
 * Pause a RUNNING execution by hand (Kestra's `POST /executions/{id}/pause`): only the execution
 * goes PAUSED; attempts in flight finish and are recorded, nothing new starts until a resume.
 */
export interface PauseMessage {
  type: 'execution.pause';
}

/** Resume a paused execution, with optional `onResume` inputs. */
export interface ResumeMessage {
  type: 'execution.resume';
  inputs?: Record<string, unknown>;
}

/** Sent to an actor rebuilt from the store: dispatch again what was in flight, re-arm timers. */
export interface RecoverMessage {
  type: 'execution.recover';
  /**
   * The actor's previous life ended in a crash (process or shard thread), not a clean close:
   * each attempt still in flight counts one more crash (see `ExecutorLimits.maxAttemptCrashes`).
   */
  crashed?: boolean;
  /**
   * With `crashed`: the runs whose in-flight attempt a pool thread had begun before the crash (by
   * their started marks, pool/started-marks.ts); only those count it. Absent: every one does.
   */
  begun?: string[];
}

/** A Subflow run's child execution ended, or could not be started (`error`). */
export interface SubflowEndedMessage {
  type: 'subflow.ended';
  taskRunId: string;
  child?: Execution;
  error?: ErrorRecord;
  /** Which of the run's children (ForEachItem's `_items`, which has many). */
  report?: ChildReport;
}

/**
 * The actor was rebuilt from the records of a restart, a change of a task run's state or a replay
 * (executor/restart.ts): RESTARTED → RUNNING, its RESTARTED runs start again.
 */
export interface RestartMessage {
  type: 'execution.restart';
}

/** Any message an execution actor handles. */
export type ExecutionMessage = StartMessage | TaskResultMessage | TimerFiredMessage | KillMessage | PauseMessage | ResumeMessage | RecoverMessage | SubflowEndedMessage | DequeueMessage | RestartMessage;

/** Creators, one per message: the only way the runtime builds what an actor's mailbox receives. */
export function startMessage(admission?: StartMessage['admission']): StartMessage {
  return admission ? { type: 'execution.start', admission } : { type: 'execution.start' };
}

export function dequeueMessage(): DequeueMessage {
  return { type: 'execution.dequeue' };
}

export function taskResultMessage(result: Omit<TaskResultMessage, 'type'>): TaskResultMessage {
  return { type: 'task.result', ...result };
}

export function timerFiredMessage(timerId: string): TimerFiredMessage {
  return { type: 'timer.fired', timerId };
}

export function killMessage(): KillMessage {
  return { type: 'execution.kill' };
}

export function pauseMessage(): PauseMessage {
  return { type: 'execution.pause' };
}

export function resumeMessage(inputs?: Record<string, unknown>): ResumeMessage {
  return inputs ? { type: 'execution.resume', inputs } : { type: 'execution.resume' };
}

export function recoverMessage(crashed: boolean, begun?: string[]): RecoverMessage {
  if (!crashed) return { type: 'execution.recover' };
  return begun ? { type: 'execution.recover', crashed: true, begun } : { type: 'execution.recover', crashed: true };
}

/** The child ended (`child`) or could not be started (`error`). */
export function subflowEndedMessage(taskRunId: string, outcome: { child: Execution } | { error: ErrorRecord } | { created: true }, report?: ChildReport): SubflowEndedMessage {
  const { created: _, ...rest } = outcome as { created?: true };
  return { type: 'subflow.ended', taskRunId, ...rest, ...(report ? { report } : {}) };
}

export function restartMessage(): RestartMessage {
  return { type: 'execution.restart' };
}

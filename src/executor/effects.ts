/** What a step asks the runtime to do. The step itself performs no I/O. */
import type { Task } from '../model/flow.js';
import type { StateType } from '../model/state.js';
import type { LogEntry } from '../model/log-entry.js';
import type { WorkPhase } from '../model/work-phase.js';
import type { ReplayRequest, SubflowRequest } from '../protocol/shard-messages.js';

/** Run one attempt of a runnable task in the pool. */
export interface DispatchEffect {
  type: 'task.dispatch';
  taskRunId: string;
  /** The attempt number to run (1-based). */
  attemptNumber: number;
  task: Task;
  /** The render context for the task's properties (plain data). */
  vars: Record<string, unknown>;
  /** The execution's ERROR lines, when the task's templates call `errorLogs()`. */
  errorLogs?: LogEntry[];
  /** The run's loop value (`taskrun.value`), whether or not its templates name it (state tasks key by it). */
  taskRunValue?: string;
  /** Not an attempt: work of a flowable around its children (WorkingDirectory), run in its directory. */
  work?: WorkPhase;
  /** The directory (a name under the pool's work dir) the run works in: its WorkingDirectory's. */
  workingDir?: string;
}

/** Abort a running attempt (kill, timeout). */
export interface CancelEffect {
  type: 'task.cancel';
  taskRunId: string;
}

/** Deliver `timer.fired` with `timerId` at `atMs` (epoch ms); late rather than never. */
export interface TimerEffect {
  type: 'timer.start';
  timerId: string;
  atMs: number;
}

/** The execution reached a terminal state. */
export interface EndedEffect {
  type: 'execution.ended';
  state: StateType;
}

/** Start a child execution for a Subflow run (idempotent: the child id is fixed by the parent). */
export interface SubflowStartEffect extends SubflowRequest {
  type: 'subflow.start';
}

/** Create the replay of this execution (retry with CREATE_NEW_EXECUTION), to start at `scheduleDate`. */
export interface ReplayEffect extends ReplayRequest {
  type: 'execution.replay';
}

/** Any effect. */
export type Effect = DispatchEffect | CancelEffect | TimerEffect | EndedEffect | SubflowStartEffect | ReplayEffect;

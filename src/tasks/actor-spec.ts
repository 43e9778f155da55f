/**
 * How an actor-side task plugs into the executor, the way a {@link FlowableSpec} does: hooks the
 * executor calls at fixed points of a run's life, each handed an {@link ActorRun} — the small
 * interface through which the task acts on its own run and on the execution. Pure: no I/O,
 * clock or randomness (the time of the message is `nowMs`). Tasks never import the executor.
 */
import type { ChildReport, ChildRequest, Execution, ExecutionHeader, Label } from '../model/execution.js';
import type { Task } from '../model/flow.js';
import type { LogLevel } from '../model/log-entry.js';
import type { StateType } from '../model/state.js';
import type { TaskRun } from '../model/task-run.js';
import type { ExecutorLimits } from '../model/limits.js';


/** One run, as an actor-side task sees it during an executor step. */
export interface ActorRun {
  readonly task: Task;
  /** The run's record; write `outputs`, `iteration`, `state.histories` directly, then {@link touch}. */
  readonly run: TaskRun;
  /** The execution (read-only; labels change through {@link setLabels}). */
  readonly execution: ExecutionHeader;
  /** The time of the message being handled, in epoch ms. */
  readonly nowMs: number;
  /** The engine's bounds on hostile flows. */
  readonly limits: Readonly<ExecutorLimits>;
  /** String render of a template in the run's context. */
  render(template: string): string;
  /**
   * Recursive render of maps and lists in the run's context; `extra` is merged into it (its
   * `taskrun` into the run's: ForEachItem's `taskrun.items` and `taskrun.iteration`).
   */
  renderObject(value: unknown, extra?: Record<string, unknown>): unknown;
  log(level: LogLevel, message: string): void;
  /** Moves the run to `state` (its group's counters follow). */
  setState(state: StateType): void;
  /** Replaces the run's outputs, as other tasks will read them. */
  setOutputs(outputs: Record<string, unknown>): void;
  /** The run's record changed (after a direct write). */
  touch(): void;
  /** Opens a new attempt, RUNNING. */
  startAttempt(): void;
  /**
   * Ends the run's open attempt in `raw` (or adds a finished one when none is open); retry, then
   * the warningOnRetry/allowFailure/allowWarning conversions, decide the run's state.
   */
  endAttempt(raw: StateType): void;
  /** Arms the run's timer `name` (one per name): `timerFired(name, detail)` at `atMs`, late rather than never. */
  startTimer(name: string, atMs: number, detail?: number): void;
  clearTimer(name: string): void;
  newId(): string;
  /** The run and the execution go PAUSED. */
  pause(): void;
  /**
   * The run is no longer paused; once no run is, the execution runs again (through RESTARTED
   * when `restarted`) and every open group is resolved.
   */
  unpause(restarted: boolean): void;
  /** Adds or replaces execution labels. */
  setLabels(labels: Label[]): void;
  /** Asks the runtime to start a child execution (idempotent by `childId`). */
  startChild(request: ChildRequest): void;
  /** Whether the run waits for its child's end (`childEnded`). */
  setWaiting(waiting: boolean): void;
  /** The outputs tree of another execution, as `outputs` reads it in templates. */
  outputsOf(execution: Execution): Record<string, unknown>;
  /**
   * The outputs of a sibling run (same parent run, no loop value of its own), found in the outputs
   * tree; the sibling's task must be among the type's `readsOutputsOf` so the tree keeps them.
   */
  siblingOutputs(taskId: string): Record<string, unknown> | undefined;
  /** What the task keeps with the run beyond Kestra's TaskRun (stored with its record). */
  readonly aux: Readonly<Record<string, number>> | undefined;
  /** Replaces {@link aux}; the record is written with the step. */
  setAux(aux: Record<string, number>): void;
  /** Deletes the run's children and everything below them, from memory and the store. */
  deleteChildren(): void;
  /** Starts the run again from CREATED (runIf, then open); only from a timer. */
  restart(): void;
}

/** One run being rebuilt from its record (recovery, rehydration), outside a step; a PAUSED run is already counted as paused. */
export interface RestoredRun {
  readonly task: Task;
  readonly run: TaskRun;
  render(template: string): string;
  /** Arms a timer again; `execution.recover` starts it. */
  startTimer(name: string, atMs: number, detail?: number): void;
  /** The run waits for its child execution; `execution.recover` asks for the child again. */
  markWaiting(): void;
  /** What the task keeps with the run beyond Kestra's TaskRun. */
  readonly aux: Readonly<Record<string, number>> | undefined;
}


/** The hooks of an actor-side task type; every one is optional. */
export interface ActorTask {
  /** A runnable-like task starts (it is RUNNING): instead of a dispatch to the pool. */
  start?(run: ActorRun): void;
  /** A flowable run has opened its group (its children start in the same step). */
  opened?(run: ActorRun): void;
  /** Whether the run's direct children carry its `iteration` (WaitFor). */
  iterates?: boolean;
  /**
   * A flowable's children all ended (normal branch) in `final`.
   * @returns the run's own final state, or undefined to keep it open (another iteration)
   */
  childrenEnded?(run: ActorRun, final: StateType): StateType | undefined;
  /** A timer of the run fired (the execution is not terminated). */
  timerFired?(run: ActorRun, name: string, detail: number | undefined): void;
  /** The execution was resumed (API or execution.Resume) while the run is paused. */
  resumed?(run: ActorRun, inputs: Record<string, unknown> | undefined): void;
  /**
   * The child execution the run waits for ended, or could not start; `report` says which child,
   * for a run with many (only its header is given then).
   */
  childEnded?(run: ActorRun, child: Execution | undefined, error: { message: string } | undefined, report?: ChildReport): void;
  /** After a recovery, for a waiting run: repeat the requests whose effects may be lost. */
  recover?(run: ActorRun): void;
  /** Rebuilds what the actor holds in memory for a stored run (paused, timers, waiting). */
  restore?(run: RestoredRun): void;
}

/**
 * What a flowable task tells the executor: how its children are resolved and started, and how
 * its own state is derived. Flowables run inside the actor, never in the pool.
 */
import type { Task } from '../../model/flow.js';
import type { StateType } from '../../model/state.js';

/** One child to run: a task, with the loop value for the direct children of a loop. */
export interface ResolvedChild {
  task: Task;
  value?: string;
}

/** Rendering in the flowable run's own context. */
export interface ResolveContext {
  /** String render (maps and lists print as JSON, null as ''). */
  render(template: string): string;
  /** Recursive render of maps and lists. */
  renderObject(value: unknown): unknown;
  /** Children a loop run may have (values × tasks); over it, resolving fails (TROUPE_LIMIT_LOOP_RUNS). */
  maxLoopRuns?: number;
}

/** How a flowable starts its children. */
export type ResolutionMode = 'sequential' | 'parallel' | 'concurrent';

/** A flowable task type, as the executor uses it. */
export interface FlowableSpec {
  /** The resolution mode for this task (ForEach depends on `concurrencyLimit`). */
  mode(task: Task): ResolutionMode;
  /** At most this many children (parallel) or loop values (concurrent) in progress; 0 is unlimited. */
  concurrency(task: Task): number;
  /**
   * The normal children, resolved once when the flowable run opens.
   * @param outputs the outputs stored on the run when it was created
   * @returns null when no branch applies (a Switch with no matching case and no defaults)
   */
  children(task: Task, ctx: ResolveContext, outputs: Record<string, unknown> | null): ResolvedChild[] | null;
  /** Outputs computed when the run is created (Switch, If). */
  outputs?(task: Task, ctx: ResolveContext): Record<string, unknown>;
  /** Dag: each child's task id → the task ids that must have terminated before it starts. */
  dependencies?(task: Task): ReadonlyMap<string, readonly string[]>;
  /** AllowFailure: turns the derived final state into the flowable's own. */
  adjustState?(state: StateType): StateType;
  /**
   * WorkingDirectory: the flowable works in the pool around its children (model/work-phase.ts) —
   * `setup` before the first child, `teardown` once its normal branch ended (its outputs are the
   * teardown's), `remove` if it is killed — and the children of its normal branch run in the
   * directory that work makes (their jobs carry it). Its type's behaviour has `work`.
   */
  work?: boolean;
}

/** Whether a value is a parsed task. */
export function isTask(x: unknown): x is Task {
  return typeof x === 'object' && x !== null && typeof (x as Task).id === 'string' && typeof (x as Task).canonicalType === 'string' && typeof (x as Task).kind === 'string';
}

/** A task-list property of `task` (tasks, then, else, defaults…), enabled tasks only. */
export function taskList(task: Task, prop: string): Task[] {
  const v = task.props[prop];
  return Array.isArray(v) ? v.filter((t): t is Task => isTask(t) && !t.disabled) : [];
}

/** A non-negative integer property, or `fallback`. */
export function intProp(task: Task, prop: string, fallback: number): number {
  const v = task.props[prop];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

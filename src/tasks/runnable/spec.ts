/** What a runnable task sees while it runs in the pool, and what it must provide. */
import type { Task } from '../../model/flow.js';
import type { LogLevel } from '../../model/log-entry.js';
import type { Metric } from '../../model/task-run.js';

/** The task's view of its run: rendering in its context, logs, metrics, the clock, cancellation. */
export interface RunnableContext {
  /** String render of a template in the run's context. */
  render(template: string): string;
  /** Recursive render of maps and lists (strings rendered, other scalars kept). */
  renderObject(value: unknown): unknown;
  log(level: LogLevel, message: string): void;
  metric(metric: Metric): void;
  nowMs(): number;
  /** Aborted on kill or timeout. */
  signal: AbortSignal;
}

/** What a task returns: its outputs, and a final state other than SUCCESS if it says so. */
export interface RunnableOutcome {
  outputs?: Record<string, unknown>;
  state?: 'WARNING';
}

/** A runnable task type. Throwing fails the attempt with the error's message logged at ERROR. */
export interface RunnableSpec {
  run(task: Task, ctx: RunnableContext): Promise<RunnableOutcome> | RunnableOutcome;
}

/** A property as a string, or `fallback`. */
export function stringProp(task: Task, prop: string, fallback = ''): string {
  const v = task.props[prop];
  return v === undefined || v === null ? fallback : String(v);
}

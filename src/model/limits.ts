/**
 * The runtime's bounds on hostile flows that the executor enforces, with their defaults. The
 * engine passes its configured values in the step env (`StepEnv.limits`) and to the execution
 * state (`createExecutionState`, `restoreExecutionState`); defaults apply to whatever it leaves out.
 */

/** Bounds the step enforces. */
export interface ExecutorLimits {
  /**
   * An attempt found in flight after this many consecutive crashes (process or shard thread) is
   * failed with TROUPE_TASK_CRASHED instead of being dispatched again: a poison pill cannot
   * crash-loop recovery.
   */
  maxAttemptCrashes: number;
  /** A Subflow run deeper than this many nested subflows fails with TROUPE_SUBFLOW_DEPTH. */
  maxSubflowDepth: number;
  /**
   * Task runs of one execution active at once (created, not terminated) before parallel
   * flowables (Parallel, EachParallel, Dag, concurrent ForEach) wait to create more children. A
   * flowable with nothing in progress may always start one child, so nesting never deadlocks;
   * sequential children are never held. This bounds the runs, dispatches and in-flight jobs an
   * execution holds in memory, whatever its fan-out.
   */
  maxActiveRuns: number;
  /**
   * Children one loop run (EachSequential, EachParallel, ForEach) may have: values × tasks.
   * Over it the loop fails with TROUPE_LIMIT_LOOP_RUNS, before any child exists.
   */
  maxLoopRuns: number;
}

/** The defaults of {@link ExecutorLimits}. */
export const DEFAULT_LIMITS: Readonly<ExecutorLimits> = Object.freeze({ maxAttemptCrashes: 3, maxSubflowDepth: 32, maxActiveRuns: 10_000, maxLoopRuns: 1_000_000 });

/** A limit as configured in the env, or its default. */
export function limitOf(limits: Partial<ExecutorLimits> | undefined, name: keyof ExecutorLimits): number {
  return limits?.[name] ?? DEFAULT_LIMITS[name];
}

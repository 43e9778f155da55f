/**
 * The runtime's bounds on hostile flows that the executor enforces, with their defaults. The
 * engine passes its configured values in the step env (`StepEnv.limits`); defaults apply to
 * whatever it leaves out.
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
}

/** The defaults of {@link ExecutorLimits}. */
export const DEFAULT_LIMITS: Readonly<ExecutorLimits> = Object.freeze({ maxAttemptCrashes: 3, maxSubflowDepth: 32 });

/** A limit as configured in the env, or its default. */
export function limitOf(limits: Partial<ExecutorLimits> | undefined, name: keyof ExecutorLimits): number {
  return limits?.[name] ?? DEFAULT_LIMITS[name];
}

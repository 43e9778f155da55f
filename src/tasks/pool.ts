/**
 * Pool side of the registry (imported by src/pool only): the behaviour of a task type that runs in
 * a pool thread, loaded from its `pool.ts` on first use and kept.
 */
import { poolBehaviourOf } from './registry.js';
import type { PoolTask } from './run-spec.js';

const loaded = new Map<string, Promise<PoolTask>>();

/**
 * The pool behaviour of a canonical task type.
 * @throws when the type does not run in the pool in this build
 */
export function poolTaskOf(canonicalType: string): Promise<PoolTask> {
  let task = loaded.get(canonicalType);
  if (!task) {
    const behaviour = poolBehaviourOf(canonicalType);
    if (!behaviour) return Promise.reject(new Error(`The task type '${canonicalType}' cannot run in this version of Troupe`));
    task = behaviour.load();
    loaded.set(canonicalType, task);
  }
  return task;
}

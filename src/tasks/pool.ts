/**
 * Pool side of the registry (imported by src/pool only): the behaviour of a task type that runs in
 * a pool thread, loaded from its `pool.ts` on first use and kept.
 */
import { poolBehaviourOf, workBehaviourOf } from './registry.js';
import type { WorkPhase } from '../model/work-phase.js';
import type { FlowableWork, PoolTask } from './run-spec.js';

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

const loadedWork = new Map<string, Promise<FlowableWork>>();

/**
 * The pool work of a flowable (WorkingDirectory) for one phase.
 * @throws when the type has no such work
 */
export async function poolWorkOf(canonicalType: string, phase: WorkPhase): Promise<PoolTask> {
  let work = loadedWork.get(canonicalType);
  if (!work) {
    const behaviour = workBehaviourOf(canonicalType);
    if (!behaviour) throw new Error(`The task type '${canonicalType}' has no work to run in the pool`);
    work = behaviour.load();
    loadedWork.set(canonicalType, work);
  }
  return (await work)[phase];
}

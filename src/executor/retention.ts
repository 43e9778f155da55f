/**
 * What an actor keeps of its finished task runs: nothing, once their records are committed. A
 * finished run's group counters already hold what resolving needs, its outputs are in the outputs
 * tree when a template can read them, and the store holds the record; so the runtime releases it
 * from memory after the commit that wrote it. Only a WaitFor's iteration keeps its runs (its next
 * iteration deletes them by seq), and a closed flowable's group stays until its last child ends.
 * Work per released run is O(1): no scan.
 */
import { isTerminated } from '../model/state.js';
import { childKey, type ExecutionState, type Group, type RunEntry } from './state.js';

function settled(group: Group): boolean {
  return group.normal.created === group.normal.terminated && group.errors.created === group.errors.terminated;
}

/** Drops a closed group from the state's groups once none of its children is in progress. */
function dropClosedGroup(state: ExecutionState, group: Group): void {
  const owner = group.parent;
  if (!owner || !isTerminated(owner.run.state.current) || !settled(group)) return;
  if (state.groups.get(group.key) === group) state.groups.delete(group.key);
  group.tally.held.delete(group);
  if (group.work) {
    // A working directory's children were kept while it was open; it is over, they leave too.
    for (const child of group.byKey.values()) if (state.runs.get(child.run.id) === child) state.runs.delete(child.run.id);
    group.byKey.clear();
  }
}

/**
 * Releases `entry` from memory when it is finished and nothing needs it any more: from the runs
 * by id, from its group's children by key, and its own group once that one is settled too.
 * Call it only once the run's record is written (committed, or read back by a restore).
 * @returns whether the run was released
 */
export function releaseFinished(state: ExecutionState, entry: RunEntry): boolean {
  if (!forget(state, entry)) return false;
  const own = state.groups.get(entry.run.id);
  if (own) dropClosedGroup(state, own);
  dropClosedGroup(state, entry.group);
  return true;
}

/**
 * Removes a finished run (not of a WaitFor iteration) from the runs by id and its group's
 * children by key, leaving groups alone (a restore still adds children to them).
 * @returns whether it was removed
 */
export function forget(state: ExecutionState, entry: RunEntry): boolean {
  if (!isTerminated(entry.run.state.current) || entry.group.retain) return false;
  if (state.runs.get(entry.run.id) !== entry) return false;
  state.runs.delete(entry.run.id);
  const key = childKey(entry.run.taskId, entry.run.value);
  if (entry.group.byKey.get(key) === entry) entry.group.byKey.delete(key);
  return true;
}

/**
 * After a restore read every record: finished flowable runs leave memory, and so do their
 * groups once settled (a closed group with children still in progress stays until they end).
 */
export function releaseRestored(state: ExecutionState): void {
  for (const group of [...state.groups.values()]) {
    if (!group.parent) continue;
    forget(state, group.parent);
    dropClosedGroup(state, group);
  }
}

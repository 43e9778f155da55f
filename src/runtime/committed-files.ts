/**
 * Whether the owner of journalled files (storage/file-journal.ts) committed them: an attempt
 * committed once its task run's record holds that many attempts (a result appends its attempt);
 * FILE inputs once their execution exists. Records are read once per execution per check.
 */
import type { FileOwner } from '../storage/index.js';
import type { Store } from '../store/index.js';

/** A `committed` predicate over the store, for one reconciliation. */
export function committedIn(store: Store): (owner: FileOwner) => boolean {
  const attemptsByExecution = new Map<string, Map<string, number> | undefined>();
  const attemptsOf = (executionId: string): Map<string, number> | undefined => {
    if (attemptsByExecution.has(executionId)) return attemptsByExecution.get(executionId);
    let attempts: Map<string, number> | undefined;
    if (store.readHeader(executionId)) {
      attempts = new Map();
      for (const r of store.iterateTaskRuns(executionId)) attempts.set(r.taskRun.id, r.taskRun.attempts?.length ?? 0);
    }
    attemptsByExecution.set(executionId, attempts);
    return attempts;
  };
  return (owner) => {
    const attempts = attemptsOf(owner.executionId);
    if (!attempts) return false;
    if (owner.taskRunId === undefined) return true;
    const n = attempts.get(owner.taskRunId);
    return n !== undefined && n >= (owner.attempt ?? 0);
  };
}

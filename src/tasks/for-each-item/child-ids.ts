/**
 * The id of a ForEachItem batch's subflow execution, derived from the `_items` run's id and the
 * batch number: a recovered run asks for the same children again without storing a thousand ids
 * (Subflow stores its one child's id on its run). Pure.
 * @module
 */
import { derivedId } from '../../model/ids.js';

/** The subflow execution id of batch `iteration` (1-based) of the `_items` run `taskRunId`. */
export function batchExecutionId(taskRunId: string, iteration: number): string {
  return derivedId(`${taskRunId}/${iteration}`);
}

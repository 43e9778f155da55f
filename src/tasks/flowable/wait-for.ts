/**
 * io.kestra.plugin.core.flow.WaitFor: runs `tasks` in order, again and again, until `condition`
 * renders truthy (checked after each iteration), at most `checkFrequency.maxIterations` times or
 * for `checkFrequency.maxDuration`, `checkFrequency.interval` apart. The iterations are driven by
 * the executor (executor/wait-for.ts); outputs `{iterationCount}`.
 */
import { sequential } from './sequential.js';
import type { FlowableSpec } from './spec.js';

export const waitFor: FlowableSpec = {
  ...sequential,
  outputs: () => ({ iterationCount: 1 }),
};

/** The canonical type of WaitFor. */
export const WAIT_FOR_TYPE = 'io.kestra.plugin.core.flow.WaitFor';

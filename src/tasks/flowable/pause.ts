/**
 * io.kestra.plugin.core.flow.Pause: pauses the execution when it opens (the executor handles the
 * PAUSED state, `delay`, `timeout` and resume); after a resume its deprecated `tasks` run in order.
 */
import { sequential } from './sequential.js';
import type { FlowableSpec } from './spec.js';

export const pause: FlowableSpec = { ...sequential };

/** The canonical type of Pause. */
export const PAUSE_TYPE = 'io.kestra.plugin.core.flow.Pause';

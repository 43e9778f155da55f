/**
 * @module tasks/runnable
 * The runnable task types, run in the piscina pool. One file per type.
 */
import type { RunnableSpec } from './spec.js';
import { returnTask } from './return.js';
import { echoTask, logTask } from './log.js';
import { failTask } from './fail.js';
import { outputValuesTask } from './output-values.js';
import { sleepTask } from './sleep.js';

const P = 'io.kestra.plugin.core.';

/** Runnable specs by canonical type name. */
export const RUNNABLES: ReadonlyMap<string, RunnableSpec> = new Map([
  [`${P}debug.Return`, returnTask],
  [`${P}debug.Echo`, echoTask],
  [`${P}log.Log`, logTask],
  [`${P}execution.Fail`, failTask],
  [`${P}output.OutputValues`, outputValuesTask],
  [`${P}flow.Sleep`, sleepTask],
]);

export type { RunnableSpec, RunnableContext, RunnableOutcome } from './spec.js';

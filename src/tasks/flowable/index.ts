/**
 * @module tasks/flowable
 * The flowable task types, resolved by the executor inside the actor. Pure.
 */
import type { FlowableSpec } from './spec.js';
import { sequential } from './sequential.js';
import { parallel } from './parallel.js';
import { allowFailure } from './allow-failure.js';
import { eachSequential, eachParallel, forEach } from './loops.js';
import { switchTask } from './switch.js';
import { ifTask } from './if.js';
import { dag } from './dag.js';
import { pause } from './pause.js';
import { waitFor } from './wait-for.js';

const P = 'io.kestra.plugin.core.flow.';

/** Flowable specs by canonical type name. */
export const FLOWABLES: ReadonlyMap<string, FlowableSpec> = new Map([
  [`${P}Sequential`, sequential],
  [`${P}Parallel`, parallel],
  [`${P}AllowFailure`, allowFailure],
  [`${P}EachSequential`, eachSequential],
  [`${P}EachParallel`, eachParallel],
  [`${P}ForEach`, forEach],
  [`${P}Switch`, switchTask],
  [`${P}If`, ifTask],
  [`${P}Dag`, dag],
  [`${P}Pause`, pause],
  [`${P}WaitFor`, waitFor],
]);

export type { FlowableSpec, ResolvedChild, ResolveContext, ResolutionMode } from './spec.js';
export { isTask, taskList } from './spec.js';
export { resolveLoopValues, javaToString } from './loop-values.js';
export { PAUSE_TYPE } from './pause.js';
export { WAIT_FOR_TYPE } from './wait-for.js';

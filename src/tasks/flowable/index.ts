/**
 * @module tasks/flowable
 * The flowables that only resolve children, resolved by the executor inside the actor (Pause and
 * WaitFor, which also have actor hooks, have their own folders). Pure.
 */
import { coreTask, type TypeDefinition } from '../definition.js';
import type { FlowableSpec } from './spec.js';
import { sequential } from './sequential.js';
import { parallel } from './parallel.js';
import { allowFailure } from './allow-failure.js';
import { eachSequential, eachParallel, forEach } from './loops.js';
import { switchTask } from './switch.js';
import { ifTask } from './if.js';
import { dag } from './dag.js';

function flowable(name: string, props: Record<string, string>, spec: FlowableSpec, summary: string, more: Parameters<typeof coreTask>[3] = {}): TypeDefinition {
  return coreTask(`flow.${name}`, 'flowable', props, { legacy: [`flows.${name}`], summary, behaviour: { runs: 'actor', flowable: spec }, ...more });
}

/** The definitions of the pure flowables. */
export const FLOWABLE_TYPES: readonly TypeDefinition[] = [
  flowable('Sequential', { tasks: 'tasks+' }, sequential, 'run tasks in order'),
  flowable('Parallel', { tasks: 'tasks+', concurrent: 'int' }, parallel, 'run tasks at once, at most `concurrent`'),
  flowable('EachSequential', { value: 'any!', tasks: 'tasks+' }, eachSequential, 'run tasks for every value in order', { deprecated: 'io.kestra.plugin.core.flow.ForEach' }),
  flowable('EachParallel', { value: 'any!', tasks: 'tasks+', concurrent: 'int' }, eachParallel, 'run tasks for every value at once', { deprecated: 'io.kestra.plugin.core.flow.ForEach with concurrencyLimit' }),
  flowable('ForEach', { values: 'any!', tasks: 'tasks+', concurrencyLimit: 'int' }, forEach, 'run tasks for every value, `concurrencyLimit` values at once', { legacy: [] }),
  flowable('Switch', { value: 'string!', cases: 'cases', defaults: 'tasks' }, switchTask, 'run the tasks of the case matching `value`'),
  flowable('If', { condition: 'string!', then: 'tasks+', else: 'tasks' }, ifTask, 'run `then` or `else` by `condition`'),
  flowable('Dag', { tasks: 'dag+', concurrent: 'int' }, dag, 'run tasks as their `dependsOn` end'),
  flowable('AllowFailure', { tasks: 'tasks+' }, allowFailure, 'run tasks in order; a failure becomes WARNING'),
];

export type { FlowableSpec, ResolvedChild, ResolveContext } from './spec.js';
export { sequential } from './sequential.js';

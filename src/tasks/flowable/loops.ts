/** The loop flowables: EachSequential, EachParallel and ForEach. */
import { loopChildren } from './loop-values.js';
import { intProp, type FlowableSpec } from './spec.js';

/** io.kestra.plugin.core.flow.EachSequential (deprecated): value × task, one after another. */
export const eachSequential: FlowableSpec = {
  mode: () => 'sequential',
  concurrency: () => 1,
  children: (task, ctx) => loopChildren(task, 'value', ctx),
};

/** io.kestra.plugin.core.flow.EachParallel (deprecated): every value × task at once, at most `concurrent`. */
export const eachParallel: FlowableSpec = {
  mode: () => 'parallel',
  concurrency: (task) => intProp(task, 'concurrent', 0),
  children: (task, ctx) => loopChildren(task, 'value', ctx),
};

/**
 * io.kestra.plugin.core.flow.ForEach: `concurrencyLimit` 1 (the default) runs value × task in
 * order; otherwise each value's tasks run in order and at most `concurrencyLimit` values (0: all)
 * are in progress at once (Kestra's recommended semantics, same results as its racy one).
 */
export const forEach: FlowableSpec = {
  mode: (task) => (intProp(task, 'concurrencyLimit', 1) === 1 ? 'sequential' : 'concurrent'),
  concurrency: (task) => intProp(task, 'concurrencyLimit', 1),
  children: (task, ctx) => loopChildren(task, 'values', ctx),
};

/**
 * io.kestra.plugin.core.flow.ForEachItem (Kestra §3.16): one subflow execution per batch of a
 * stored file's lines. As Kestra builds it, a Sequential of three parts the parser adds as the
 * task's `tasks`: `<id>_split` (pool: the file into batch files, streamed), `<id>_items` (actor:
 * the subflow executions, counted per state in `iterations`), `<id>_merge` (pool: the subflows'
 * outputs concatenated into one file). docs/reference/for-each-item.md.
 */
import type { Task } from '../../model/flow.js';
import { CORE, coreTask, type TypeDefinition } from '../definition.js';
import { sequential } from '../flowable/sequential.js';
import { SUBFLOW_PROPS } from '../subflow/index.js';
import { itemsHooks } from './actor.js';

const OWNER = `${CORE}flow.ForEachItem`;
/** The parts' types, named as Kestra names its inner classes. */
export const SPLIT_TYPE = `${OWNER}$ForEachItemSplit`;
export const ITEMS_TYPE = `${OWNER}$ForEachItemExecutable`;
export const MERGE_TYPE = `${OWNER}$ForEachItemMergeOutputs`;

function part(owner: Task, suffix: string, type: string, kind: Task['kind'], props: Record<string, unknown>): Task {
  const task: Task = { id: `${owner.id}${suffix}`, type, canonicalType: type, kind, disabled: false, allowFailure: false, allowWarning: false, props };
  if (owner.source) task.source = owner.source;
  return task;
}

/** Kestra's `getTasks()`: the three parts, from the task's properties. */
function expand(task: Task): Task[] {
  const p = task.props;
  const pick = (names: string[]): Record<string, unknown> => Object.fromEntries(names.filter((n) => p[n] !== undefined).map((n) => [n, p[n]]));
  return [
    part(task, '_split', SPLIT_TYPE, 'runnable', { items: p.items, batch: p.batch ?? {} }),
    part(task, '_items', ITEMS_TYPE, 'flowable', { ...pick(['namespace', 'flowId', 'revision', 'inputs', 'labels', 'wait', 'transmitFailed', 'inheritLabels', 'scheduleDate']), split: `${task.id}_split` }),
    part(task, '_merge', MERGE_TYPE, 'runnable', { items: `${task.id}_items` }),
  ];
}

const siblingOf = (task: Task, prop: string): string[] => (typeof task.props[prop] === 'string' ? [task.props[prop]] : []);

export const FOR_EACH_ITEM_TYPES: readonly TypeDefinition[] = [
  coreTask('flow.ForEachItem', 'flowable', { ...SUBFLOW_PROPS, items: 'string!', batch: 'map' }, {
    legacy: ['flows.ForEachItem'],
    summary: 'a subflow execution per batch of a stored file\'s lines (`batch.rows`, `bytes` or `partitions`); parts `_split`, `_items`, `_merge`',
    behaviour: { runs: 'actor', flowable: sequential },
    expand,
  }),
  {
    type: SPLIT_TYPE, category: 'task', kind: 'runnable', props: {}, open: true, internal: true,
    summary: 'ForEachItem: split the items into batch files',
    behaviour: { runs: 'pool', load: async () => (await import('./split.pool.js')).splitItemsTask },
  },
  {
    type: ITEMS_TYPE, category: 'task', kind: 'flowable', props: {}, open: true, internal: true,
    summary: 'ForEachItem: one subflow execution per batch',
    behaviour: { runs: 'actor', actor: itemsHooks },
    readsOutputsOf: (task) => siblingOf(task, 'split'),
  },
  {
    type: MERGE_TYPE, category: 'task', kind: 'runnable', props: {}, open: true, internal: true,
    summary: 'ForEachItem: merge the subflows\' outputs',
    // The pool walks `outputs.<id>_items` down the loop values of its `parents`.
    reads: ['outputs', 'parents'],
    behaviour: { runs: 'pool', load: async () => (await import('./merge.pool.js')).mergeOutputsTask },
    readsOutputsOf: (task) => siblingOf(task, 'items'),
  },
];

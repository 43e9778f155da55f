/**
 * io.kestra.plugin.core.flow.Subflow (Kestra §3.11): starts another flow as its own execution (a
 * new actor, any shard) and, with `wait`, waits for its end without holding a thread.
 */
import { coreTask } from '../definition.js';
import { subflowHooks } from './actor.js';

/** The properties Subflow shares with ForEachItem. */
export const SUBFLOW_PROPS: Readonly<Record<string, string>> = {
  namespace: 'string!',
  flowId: 'string!',
  revision: 'int',
  inputs: 'map',
  labels: 'any',
  wait: 'bool',
  transmitFailed: 'bool',
  inheritLabels: 'bool',
  scheduleDate: 'any',
};

export const SUBFLOW = coreTask(
  'flow.Subflow',
  'flowable',
  { ...SUBFLOW_PROPS, outputs: 'map' },
  { legacy: ['flows.Subflow', 'flows.Flow'], summary: 'start another flow as its own execution and wait for it', behaviour: { runs: 'actor', actor: subflowHooks } },
);

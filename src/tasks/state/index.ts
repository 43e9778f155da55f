/**
 * io.kestra.plugin.core.state.{Set,Get,Delete} (legacy `io.kestra.core.tasks.states.*`): a task
 * state, a JSON map kept in the flow namespace's KV store as Kestra 0.20 keeps it
 * (kestra-plugins.md §3.2); run in the pool (./pool.ts).
 */
import { coreTask } from '../definition.js';

const STATE_PROPS = { name: 'string', namespace: 'bool', taskrunValue: 'bool' };

export const STATE_SET = coreTask('state.Set', 'runnable', { ...STATE_PROPS, data: 'map' }, {
  legacy: ['states.Set'],
  summary: 'deep-merge rendered `data` into a task state; outputs `count`, `key`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).stateSetTask },
});

export const STATE_GET = coreTask('state.Get', 'runnable', { ...STATE_PROPS, errorOnMissing: 'bool' }, {
  legacy: ['states.Get'],
  summary: 'read a task state; outputs `count`, `data`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).stateGetTask },
});

export const STATE_DELETE = coreTask('state.Delete', 'runnable', { ...STATE_PROPS, errorOnMissing: 'bool' }, {
  legacy: ['states.Delete'],
  summary: 'delete a task state; output `deleted`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).stateDeleteTask },
});

export const STATE_TASKS = [STATE_SET, STATE_GET, STATE_DELETE];

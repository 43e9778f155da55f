/** io.kestra.plugin.core.debug.Return: renders `format`; run in the pool (./pool.ts). */
import { coreTask } from '../definition.js';

export const RETURN = coreTask('debug.Return', 'runnable', { format: 'string' }, {
  legacy: ['debugs.Return'],
  summary: 'render `format`; outputs `value`, metrics `length` and `duration`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).returnTask },
});

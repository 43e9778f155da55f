/** io.kestra.plugin.core.execution.Fail: fails, or fails when `condition` renders truthy; run in the pool (./pool.ts). */
import { coreTask } from '../definition.js';

export const FAIL = coreTask('execution.Fail', 'runnable', { condition: 'string', errorMessage: 'string' }, {
  legacy: ['executions.Fail'],
  summary: 'fail, or fail when `condition` renders truthy',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).failTask },
});

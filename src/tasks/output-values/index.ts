/** io.kestra.plugin.core.output.OutputValues: rendered `values` as outputs; run in the pool (./pool.ts). */
import { coreTask } from '../definition.js';

export const OUTPUT_VALUES = coreTask('output.OutputValues', 'runnable', { values: 'map' }, {
  summary: 'expose rendered `values` as outputs',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).outputValuesTask },
});

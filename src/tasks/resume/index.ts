/** io.kestra.plugin.core.execution.Resume: resumes a paused execution; run on the main thread, which owns the engine (./main.ts). */
import { coreTask } from '../definition.js';

export const RESUME = coreTask('execution.Resume', 'runnable', { namespace: 'string', flowId: 'string', executionId: 'string', inputs: 'map' }, {
  legacy: ['executions.Resume'],
  summary: 'resume a paused execution (run by the engine)',
  behaviour: { runs: 'main', load: async () => (await import('./main.js')).resumeTask },
});

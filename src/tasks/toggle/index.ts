/** io.kestra.plugin.core.trigger.Toggle: enables or disables a trigger of a flow (this one by default); run on the main thread, which owns the engine (./main.ts). */
import { coreTask } from '../definition.js';

export const TOGGLE = coreTask('trigger.Toggle', 'runnable', { namespace: 'string', flowId: 'string', trigger: 'string!', enabled: 'bool' }, {
  legacy: ['trigger.Toggle'],
  summary: "enable or disable a flow's trigger (run by the engine)",
  behaviour: { runs: 'main', load: async () => (await import('./main.js')).toggleTask },
});

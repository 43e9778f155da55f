/**
 * Task types Troupe knows but cannot run yet: they parse and their properties are checked (so a
 * misspelt name gets "did you mean", and `--lenient` can accept a flow that names one), but a
 * flow naming one is refused at deploy. To make one runnable, give its row a `behaviour` (for a
 * pool task: `{ runs: 'pool', load: async () => (await import('./kv/set.pool.js')).kvSet }`), or
 * move it to a folder of its own when it needs more than one file (docs/architecture.md).
 */
import { coreTask, type TypeDefinition } from './definition.js';

export const KNOWN_TASKS: readonly TypeDefinition[] = [
  coreTask('execution.Exit', 'runnable', { state: 'enum:SUCCESS|WARNING|KILLED|FAILED|CANCELED', exitMessage: 'string', condition: 'string' }),
  coreTask('execution.Counts', 'runnable', { flows: 'list', namespaces: 'list', states: 'list', labels: 'any', expression: 'string!', startDate: 'string!', endDate: 'string' }, { legacy: ['executions.Counts'] }),
  coreTask('flow.Template', 'flowable', { namespace: 'string!', templateId: 'string!', args: 'map', tenantId: 'string' }, { legacy: ['flows.Template'] }),
];

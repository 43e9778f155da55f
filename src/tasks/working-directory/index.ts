/**
 * io.kestra.plugin.core.flow.WorkingDirectory (SEM §3.15, kestra-plugins.md §2.5): its tasks run
 * in order in one directory they share. In the actor it is a sequential flowable that works in
 * the pool around its children (`FlowableSpec.work`, executor/work.ts): `setup` (cache restored,
 * namespace files copied, input files written), the children (their jobs carry the directory),
 * `teardown` (output files uploaded, the cache saved, the directory removed), `remove` on a kill.
 * The pool side is ./pool.ts.
 */
import { coreTask } from '../definition.js';
import { taskList, type FlowableSpec } from '../flowable/spec.js';

const spec: FlowableSpec = {
  mode: () => 'sequential',
  concurrency: () => 1,
  children: (task) => taskList(task, 'tasks').map((t) => ({ task: t })),
  work: true,
};

export const WORKING_DIRECTORY = coreTask('flow.WorkingDirectory', 'flowable', { tasks: 'runnables+', cache: 'map', namespaceFiles: 'map', inputFiles: 'any', outputFiles: 'list' }, {
  legacy: ['flows.WorkingDirectory', 'flows.Worker'],
  summary: 'run runnable tasks in order in one shared directory (`inputFiles`, `namespaceFiles`, `cache`); outputs `outputFiles`',
  behaviour: { runs: 'actor', flowable: spec, work: { load: async () => (await import('./pool.js')).workingDirectoryWork } },
});

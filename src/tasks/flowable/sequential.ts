/** io.kestra.plugin.core.flow.Sequential: runs `tasks` one after another. */
import { taskList, type FlowableSpec } from './spec.js';

export const sequential: FlowableSpec = {
  mode: () => 'sequential',
  concurrency: () => 1,
  children: (task) => taskList(task, 'tasks').map((t) => ({ task: t })),
};

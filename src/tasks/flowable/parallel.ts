/** io.kestra.plugin.core.flow.Parallel: runs `tasks` at once, at most `concurrent` (0: all). */
import { intProp, taskList, type FlowableSpec } from './spec.js';

export const parallel: FlowableSpec = {
  mode: () => 'parallel',
  concurrency: (task) => intProp(task, 'concurrent', 0),
  children: (task) => taskList(task, 'tasks').map((t) => ({ task: t })),
};

/** io.kestra.plugin.core.flow.Dag: parallel children, each started once its `dependsOn` have terminated. */
import type { Task } from '../../model/flow.js';
import { intProp, isTask, type FlowableSpec } from './spec.js';

interface DagEntry {
  task: Task;
  dependsOn?: string[];
}

function entries(task: Task): DagEntry[] {
  const list = Array.isArray(task.props.tasks) ? (task.props.tasks as unknown[]) : [];
  return list.filter((e): e is DagEntry => !!e && typeof e === 'object' && isTask((e as DagEntry).task) && !(e as DagEntry).task.disabled);
}

export const dag: FlowableSpec = {
  mode: () => 'parallel',
  concurrency: (task) => intProp(task, 'concurrent', 0),
  children: (task) => entries(task).map((e) => ({ task: e.task })),
  dependencies: (task) => new Map(entries(task).map((e) => [e.task.id, e.dependsOn ?? []])),
};

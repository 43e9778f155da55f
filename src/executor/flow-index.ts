/** Lookups over a flow's task tree: each task by id, with its enclosing task. */
import type { Flow, Task } from '../model/flow.js';
import { isTask } from '../tasks/flowable/spec.js';

/** A task and the flowable that contains it (null at top level). */
export interface IndexedTask {
  task: Task;
  parent: Task | null;
}

/** Tasks of a flow by id. */
export type FlowIndex = ReadonlyMap<string, IndexedTask>;

/** Every task held directly by `task`'s properties (children, branches, cases, Dag entries, errors). */
export function directChildren(task: Task): Task[] {
  const out: Task[] = [...(task.errors ?? [])];
  const visit = (v: unknown, depth: number): void => {
    if (isTask(v)) out.push(v);
    else if (depth < 3 && Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (depth < 3 && v && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1);
  };
  for (const v of Object.values(task.props)) visit(v, 0);
  return out;
}

/** Indexes every task of `flow` by id. */
export function indexFlow(flow: Flow): FlowIndex {
  const map = new Map<string, IndexedTask>();
  const add = (task: Task, parent: Task | null): void => {
    map.set(task.id, { task, parent });
    for (const child of directChildren(task)) add(child, task);
  };
  for (const t of [...flow.tasks, ...(flow.errors ?? [])]) add(t, null);
  return map;
}

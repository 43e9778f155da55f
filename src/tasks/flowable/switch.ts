/** io.kestra.plugin.core.flow.Switch: the tasks of the case whose key equals the rendered `value`. */
import { isTask, type FlowableSpec, type ResolvedChild } from './spec.js';
import type { Task } from '../../model/flow.js';

function enabled(list: unknown): Task[] | null {
  return Array.isArray(list) ? list.filter((t): t is Task => isTask(t) && !t.disabled) : null;
}

export const switchTask: FlowableSpec = {
  mode: () => 'sequential',
  concurrency: () => 1,
  outputs(task, ctx) {
    const value = ctx.render(String(task.props.value ?? ''));
    const cases = (task.props.cases ?? {}) as Record<string, unknown>;
    return { value, defaults: !Object.hasOwn(cases, value) };
  },
  children(task, ctx, outputs): ResolvedChild[] | null {
    const value = typeof outputs?.value === 'string' ? outputs.value : ctx.render(String(task.props.value ?? ''));
    const cases = (task.props.cases ?? {}) as Record<string, unknown>;
    const list = Object.hasOwn(cases, value) ? enabled(cases[value]) : enabled(task.props.defaults);
    return list ? list.map((t) => ({ task: t })) : null;
  },
};

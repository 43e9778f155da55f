/** io.kestra.plugin.core.flow.If: `then` when the rendered `condition` is truthy, else `else`. */
import { isTruthy } from '../../expr/index.js';
import { taskList, type FlowableSpec } from './spec.js';

export const ifTask: FlowableSpec = {
  mode: () => 'sequential',
  concurrency: () => 1,
  outputs: (task, ctx) => ({ evaluationResult: isTruthy(ctx.render(String(task.props.condition ?? ''))) }),
  children(task, ctx, outputs) {
    const result = typeof outputs?.evaluationResult === 'boolean' ? outputs.evaluationResult : isTruthy(ctx.render(String(task.props.condition ?? '')));
    return taskList(task, result ? 'then' : 'else').map((t) => ({ task: t }));
  },
};

/** io.kestra.plugin.core.output.OutputValues: `values` rendered recursively, non-strings kept typed. */
import type { RunnableSpec } from './spec.js';

export const outputValuesTask: RunnableSpec = {
  run(task, ctx) {
    return { outputs: { values: ctx.renderObject(task.props.values ?? {}) as Record<string, unknown> } };
  },
};

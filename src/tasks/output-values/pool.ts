/** io.kestra.plugin.core.output.OutputValues: `values` rendered recursively, non-strings kept typed. */
import type { PoolTask } from '../run-spec.js';

export const outputValuesTask: PoolTask = {
  run(task, ctx) {
    return { outputs: { values: ctx.renderObject(task.props.values ?? {}) as Record<string, unknown> } };
  },
};

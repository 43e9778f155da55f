/** io.kestra.plugin.core.execution.Fail: fails, or fails when `condition` renders truthy. */
import { isTruthy } from '../../expr/index.js';
import { stringProp, type PoolTask } from '../run-spec.js';

export const failTask: PoolTask = {
  run(task, ctx) {
    const message = ctx.render(stringProp(task, 'errorMessage', 'Task failure'));
    if (task.props.condition === undefined) throw new Error(message);
    if (isTruthy(ctx.render(stringProp(task, 'condition')))) {
      ctx.log('ERROR', message);
      throw new Error('Fail on a condition');
    }
    return { outputs: {} };
  },
};

/** io.kestra.plugin.core.debug.Return: renders `format`; metrics `length` and `duration` as Kestra's. */
import { formatIsoDuration } from '../../model/state.js';
import { stringProp, type PoolTask } from '../run-spec.js';

export const returnTask: PoolTask = {
  run(task, ctx) {
    const started = performance.now();
    const value = ctx.render(stringProp(task, 'format'));
    const elapsedMs = performance.now() - started;
    ctx.log('DEBUG', value);
    const tags = { format: value };
    ctx.metric({ name: 'length', tags, value: value.length, type: 'counter' });
    ctx.metric({ name: 'duration', tags, type: 'timer', value: formatIsoDuration(elapsedMs) });
    return { outputs: { value } };
  },
};

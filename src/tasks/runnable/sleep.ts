/** io.kestra.plugin.core.flow.Sleep: waits `duration`, aborted by kill or timeout. */
import { parseDuration } from '../../model/duration.js';
import { stringProp, type RunnableSpec } from './spec.js';

export const sleepTask: RunnableSpec = {
  async run(task, ctx) {
    const duration = stringProp(task, 'duration');
    const ms = parseDuration(duration);
    ctx.log('INFO', `Waiting for ${duration}`);
    await new Promise<void>((resolve, reject) => {
      if (ctx.signal.aborted) return reject(ctx.signal.reason as Error);
      const t = setTimeout(resolve, ms);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(ctx.signal.reason as Error);
      }, { once: true });
    });
    return { outputs: {} };
  },
};

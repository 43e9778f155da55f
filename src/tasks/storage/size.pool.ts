/** io.kestra.plugin.core.storage.Size: the size in bytes of a stored file. Output `size`. */
import type { PoolTask } from '../run-spec.js';
import { requiredProp } from './lines.pool.js';

export const sizeTask: PoolTask = {
  async run(task, ctx) {
    return { outputs: { size: (await ctx.files.stat(requiredProp(task, ctx, 'uri'))).size } };
  },
};

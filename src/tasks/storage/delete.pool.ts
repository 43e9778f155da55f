/**
 * io.kestra.plugin.core.storage.Delete: deletes a stored file of the execution. Outputs `uri` and
 * `deleted`; a missing file with `errorOnMissing: true` fails (`Unable to find file '<uri>'`).
 */
import type { PoolTask } from '../run-spec.js';
import { boolProp, requiredProp } from './lines.pool.js';

export const deleteTask: PoolTask = {
  async run(task, ctx) {
    const uri = requiredProp(task, ctx, 'uri');
    const deleted = await ctx.files.storage.delete(ctx.files.check(uri));
    if (!deleted && boolProp(task, ctx, 'errorOnMissing', false)) throw new Error(`Unable to find file '${uri}'`);
    return { outputs: { uri, deleted } };
  },
};

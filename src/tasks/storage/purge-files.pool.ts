/**
 * io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles: deletes every file of the current
 * execution (`…/executions/<id>/`). Output `uris`, the files deleted.
 */
import type { PoolTask } from '../run-spec.js';

export const purgeFilesTask: PoolTask = {
  async run(_task, ctx) {
    const files = await ctx.files.storage.list(ctx.files.executionDir);
    await ctx.files.storage.deletePrefix(ctx.files.executionDir);
    return { outputs: { uris: files.map((f) => f.uri) } };
  },
};

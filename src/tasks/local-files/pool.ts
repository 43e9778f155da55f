/**
 * LocalFiles in the pool (core:`plugin/core/storage/LocalFiles.java`, `core/runners/FilesService`):
 * `inputs` (a map, or a string rendering to a JSON object; a `kestra://` value copies that file)
 * written into the working directory, then the files matching the rendered `outputs` globs
 * uploaded (and removed, as Kestra deletes an uploaded file), `{relative path: URI}` in `uris`.
 */
import type { PoolTask } from '../run-spec.js';
import { uploadOutputFiles, writeInputFiles } from '../scripts/files.pool.js';
import { renderInputFiles, strings, Workspace } from '../scripts/run.pool.js';

export const localFilesTask: PoolTask = {
  async run(task, ctx) {
    const ws = new Workspace(ctx, { outputDir: false });
    try {
      await writeInputFiles(ctx, ws, renderInputFiles(task.props.inputs, ctx, {}, false));
      const patterns = strings(task.props.outputs, 'outputs').map((g) => ctx.render(g));
      const uris = patterns.length ? await uploadOutputFiles(ctx, ws, patterns) : {};
      return { outputs: { uris } };
    } finally {
      ws.remove();
    }
  },
};

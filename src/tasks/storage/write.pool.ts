/**
 * io.kestra.plugin.core.storage.Write (a later Kestra's; 0.20 has none): `content` rendered and
 * stored as `<digits><extension>` (`.ion` by default, as Kestra's). Output `uri`.
 */
import { tempFileName } from '../../storage/task-files.js';
import type { PoolTask } from '../run-spec.js';
import { renderedProp } from './lines.pool.js';

export const writeTask: PoolTask = {
  async run(task, ctx) {
    const content = renderedProp(task, ctx, 'content', '')!;
    const out = await ctx.files.put(tempFileName(renderedProp(task, ctx, 'extension', '.ion')!), content, { signal: ctx.signal });
    return { outputs: { uri: out.uri } };
  },
};

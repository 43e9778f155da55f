/**
 * io.kestra.plugin.core.storage.Concat: the files of `files` (a list, each item rendered, or a
 * string rendering to a JSON array), one after the other, `separator` after **every** file (the
 * last included), streamed into `<digits><extension>` (`.tmp` by default). Output `uri`.
 */
import { tempFileName } from '../../storage/task-files.js';
import type { PoolTask } from '../run-spec.js';
import { renderedProp } from './lines.pool.js';

export const concatTask: PoolTask = {
  async run(task, ctx) {
    const raw = task.props['files'];
    let files: string[];
    if (Array.isArray(raw)) files = raw.map((f) => ctx.render(String(f)));
    else if (typeof raw === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(ctx.render(raw));
      } catch (e) {
        throw new Error(`Invalid \`files\`: '${raw}' does not render to a JSON array (${(e as Error).message})`);
      }
      if (!Array.isArray(parsed)) throw new Error(`Invalid \`files\`: '${raw}' does not render to a JSON array`);
      files = parsed.map(String);
    } else throw new Error(`Invalid \`files\` properties with type '${typeof raw}'`);
    // Kestra writes the separator as it is written in the flow (not rendered).
    const separator = task.props['separator'] === undefined || task.props['separator'] === null ? undefined : String(task.props['separator']);
    const writer = await ctx.files.writer(tempFileName(renderedProp(task, ctx, 'extension', '.tmp')!), { signal: ctx.signal });
    try {
      for (const uri of files) {
        for await (const chunk of await ctx.files.get(uri)) await writer.write(chunk as Uint8Array);
        if (separator !== undefined) await writer.write(separator);
      }
      const out = await writer.commit();
      return { outputs: { uri: out.uri } };
    } catch (e) {
      await writer.abort();
      throw e;
    }
  },
};

/**
 * io.kestra.plugin.core.storage.DeduplicateItems: the rows of the ION file `from`, keeping for
 * each key — `expr` rendered per row with the row's fields as variables — only the **last** row,
 * in the original order, copied as read into `<digits>.ion`. Two passes over the file, as Kestra:
 * the first maps each key to the offset of its last row (memory grows with the distinct keys,
 * never with the file), the second writes the rows found at those offsets. Outputs `uri`,
 * `numKeys`, `processedItemsTotal`, `droppedItemsTotal`.
 */
import type { PoolTask } from '../run-spec.js';
import { LineBuffer, readItems, renderForItem } from './items.pool.js';
import { requiredProp } from './lines.pool.js';

export const deduplicateItemsTask: PoolTask = {
  async run(task, ctx) {
    const from = requiredProp(task, ctx, 'from');
    const expr = task.props['expr'] === undefined || task.props['expr'] === null ? '' : String(task.props['expr']);
    if (expr === '') throw new Error("property 'expr' is required");
    const last = new Map<string, number>();
    let offset = 0;
    for await (const row of readItems(ctx, from)) last.set(renderForItem(ctx, expr, row), offset++);
    const writer = await ctx.files.writer(ctx.files.tempName('.ion'), { signal: ctx.signal });
    const out = new LineBuffer((chunk) => writer.write(chunk));
    let processed = 0;
    let dropped = 0;
    try {
      for await (const row of readItems(ctx, from)) {
        if (last.get(renderForItem(ctx, expr, row)) === processed) await out.push(row.line);
        else dropped++;
        processed++;
      }
      await out.flush();
      const stored = await writer.commit();
      return { outputs: { uri: stored.uri, numKeys: last.size, processedItemsTotal: processed, droppedItemsTotal: dropped } };
    } catch (e) {
      await writer.abort();
      throw e;
    } finally {
      last.clear();
    }
  },
};

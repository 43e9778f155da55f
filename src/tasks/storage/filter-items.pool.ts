/**
 * io.kestra.plugin.core.storage.FilterItems: the rows of the ION file `from` for which
 * `filterCondition` (raw Pebble, rendered per row with the row's fields as variables) is true —
 * false only for `false`, `0`, `-0` and `""` once trimmed (Kestra's `TruthUtils`) — kept
 * (`filterType: INCLUDE`, the default) or dropped (`EXCLUDE`). A row whose render fails follows
 * `errorOrNullBehavior`: FAIL (the default: the task fails with the render's error), INCLUDE or
 * EXCLUDE. Kept rows are copied as they were read, into `<digits>.ion`. Streamed. Outputs `uri`,
 * `processedItemsTotal`, `droppedItemsTotal`.
 */
import type { PoolTask } from '../run-spec.js';
import { LineBuffer, readItems, renderForItem } from './items.pool.js';
import { requiredProp } from './lines.pool.js';

const FALSE_VALUES = new Set(['false', '0', '-0', '']);

function choice<T extends string>(task: { props: Record<string, unknown> }, prop: string, allowed: readonly T[], fallback: T): T {
  const v = task.props[prop];
  if (v === undefined || v === null) return fallback;
  const s = String(v);
  if (!(allowed as readonly string[]).includes(s)) throw new Error(`${prop}: '${s}' is not one of ${allowed.join(', ')}`);
  return s as T;
}

export const filterItemsTask: PoolTask = {
  async run(task, ctx) {
    const from = requiredProp(task, ctx, 'from');
    const condition = task.props['filterCondition'] === undefined || task.props['filterCondition'] === null ? '' : String(task.props['filterCondition']);
    if (condition === '') throw new Error("property 'filterCondition' is required");
    const filterType = choice(task, 'filterType', ['INCLUDE', 'EXCLUDE'] as const, 'INCLUDE');
    const onErrorOrNull = choice(task, 'errorOrNullBehavior', ['FAIL', 'INCLUDE', 'EXCLUDE'] as const, 'FAIL');
    const writer = await ctx.files.writer(ctx.files.tempName('.ion'), { signal: ctx.signal });
    const out = new LineBuffer((chunk) => writer.write(chunk));
    let processed = 0;
    let dropped = 0;
    try {
      for await (const row of readItems(ctx, from)) {
        let action: 'INCLUDE' | 'EXCLUDE';
        try {
          const matched = !FALSE_VALUES.has(renderForItem(ctx, condition, row).trim());
          action = matched ? filterType : filterType === 'INCLUDE' ? 'EXCLUDE' : 'INCLUDE';
        } catch (e) {
          if (onErrorOrNull === 'FAIL') throw e;
          action = onErrorOrNull;
        }
        if (action === 'INCLUDE') await out.push(row.line);
        else dropped++;
        processed++;
      }
      await out.flush();
      const stored = await writer.commit();
      return { outputs: { uri: stored.uri, processedItemsTotal: processed, droppedItemsTotal: dropped } };
    } catch (e) {
      await writer.abort();
      throw e;
    }
  },
};

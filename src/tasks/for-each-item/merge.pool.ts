/**
 * ForEachItem's `_merge` part (Kestra's `ForEachItemMergeOutputs`): the `<n>/outputs.ion` files
 * the subflows' outputs were written to (under `_items`' `subflowOutputsBaseUri`), one after the
 * other in batch order, streamed into `outputs.ion`; output `{subflowOutputs}`, or `{}` when no
 * subflow had outputs (or no subflow ran).
 */
import type { PoolTask, RunnableContext } from '../run-spec.js';

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The loop values of the run's valued ancestors, outermost first (from `parents`, innermost first). */
function loopValues(ctx: RunnableContext): string[] {
  let parents: unknown;
  try {
    parents = ctx.renderTyped('{{ parents }}');
  } catch {
    return []; // no ancestor has a value or outputs
  }
  if (!Array.isArray(parents)) return [];
  const values: string[] = [];
  for (const p of parents) {
    const v = isMap(p) && isMap(p.taskrun) ? p.taskrun.value : undefined;
    if (v !== undefined && v !== null) values.push(String(v));
  }
  return values.reverse();
}

/** `_items`' outputs for this ForEachItem run (the outputs tree is keyed by loop values inside loops). */
function itemsOutputs(ctx: RunnableContext, itemsId: string): Record<string, unknown> | undefined {
  let node: unknown;
  try {
    node = ctx.renderTyped(`{{ outputs['${itemsId}'] }}`);
  } catch {
    return undefined;
  }
  for (const v of loopValues(ctx)) {
    if (!isMap(node) || typeof node.subflowOutputsBaseUri === 'string') break;
    node = node[v];
  }
  return isMap(node) ? node : undefined;
}

export const mergeOutputsTask: PoolTask = {
  async run(task, ctx) {
    const items = itemsOutputs(ctx, String(task.props.items ?? ''));
    const base = items?.subflowOutputsBaseUri;
    if (typeof base !== 'string') return { outputs: {} };
    const prefix = `kestra://${base}`;
    ctx.files.check(prefix);
    const files = (await ctx.files.storage.list(prefix))
      .map((f) => ({ uri: f.uri, n: Number(/\/(\d+)\/outputs\.ion$/.exec(f.uri)?.[1]) }))
      .filter((f) => Number.isInteger(f.n))
      .sort((a, b) => a.n - b.n);
    if (files.length === 0) return { outputs: {} };
    const writer = await ctx.files.writer('outputs.ion', { signal: ctx.signal });
    try {
      for (const f of files) for await (const chunk of await ctx.files.get(f.uri)) await writer.write(chunk as Uint8Array);
      return { outputs: { subflowOutputs: (await writer.commit()).uri } };
    } catch (e) {
      await writer.abort().catch(() => {});
      throw e;
    }
  },
};

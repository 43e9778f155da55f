/**
 * The state tasks in a pool thread: a task state is a JSON map stored as text in the flow
 * namespace's KV store under Kestra's key (./key.ts), so it shows over the KV API as Kestra's does.
 */
import { TroupeError } from '../../errors.js';
import type { Task } from '../../model/flow.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';
import { deepMerge, stateKey } from './key.js';

function flag(task: Task, ctx: RunnableContext, prop: string, fallback: boolean): boolean {
  const v = task.props[prop];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  return ctx.render(String(v)).trim().toLowerCase() === 'true';
}

/** The state's name (rendered, `default` when absent) and KV key. */
function where(task: Task, ctx: RunnableContext): { name: string; key: string } {
  const name = task.props.name === undefined || task.props.name === null ? 'default' : ctx.render(String(task.props.name));
  const flowId = flag(task, ctx, 'namespace', false) ? undefined : ctx.flow.id;
  const value = flag(task, ctx, 'taskrunValue', true) ? ctx.taskRunValue : undefined;
  return { name, key: stateKey(name, flowId, value) };
}

/** The stored map, or undefined when there is none. */
function read(ctx: RunnableContext, key: string): Record<string, unknown> | undefined {
  const stored = ctx.kv().get(ctx.flow.namespace, key);
  if (stored === undefined) return undefined;
  const text = stored.value;
  if (typeof text !== 'string') return typeof text === 'object' && text !== null && !Array.isArray(text) ? (text as Record<string, unknown>) : {};
  const parsed = JSON.parse(text) as unknown;
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

export const stateSetTask: PoolTask = {
  async run(task, ctx) {
    const { key } = where(task, ctx);
    const data = (ctx.renderObject(task.props.data ?? {}) ?? {}) as Record<string, unknown>;
    const merged = deepMerge(read(ctx, key) ?? {}, data);
    await ctx.kv().put(ctx.flow.namespace, key, { value: JSON.stringify(merged) });
    return { outputs: { count: Object.keys(merged).length, key } };
  },
};

export const stateGetTask: PoolTask = {
  run(task, ctx) {
    const { key } = where(task, ctx);
    const data = read(ctx, key);
    if (data === undefined && flag(task, ctx, 'errorOnMissing', false)) throw new TroupeError('TROUPE_KV_NOT_FOUND', `State ${key} not found`, { key });
    return { outputs: { count: Object.keys(data ?? {}).length, data: data ?? {} } };
  },
};

export const stateDeleteTask: PoolTask = {
  async run(task, ctx) {
    const { name, key } = where(task, ctx);
    const deleted = (await ctx.kv().delete(ctx.flow.namespace, [key])).length > 0;
    if (!deleted && flag(task, ctx, 'errorOnMissing', false)) throw new TroupeError('TROUPE_KV_NOT_FOUND', `Unable to find the state file '${name}'`, { key });
    return { outputs: { deleted } };
  },
};

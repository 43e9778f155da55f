/** The KV tasks in a pool thread: Kestra's kv.Set, Get, GetKeys and Delete over the run context's KV store. */
import { TroupeError } from '../../errors.js';
import { convertKvType, type KvType } from '../../kv/index.js';
import type { KvStore } from '../../kv/types.js';
import { parseDuration } from '../../model/duration.js';
import type { Task } from '../../model/flow.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';

/** The rendered namespace (the flow's by default) and the store, access checked from the flow's namespace. */
function target(task: Task, ctx: RunnableContext): { namespace: string; kv: KvStore } {
  const flowNamespace = ctx.flow.namespace;
  const given = task.props.namespace;
  const namespace = given === undefined || given === null ? flowNamespace : ctx.render(String(given));
  const kv = ctx.kv();
  kv.checkAccess(namespace, flowNamespace);
  return { namespace, kv };
}

function flag(task: Task, ctx: RunnableContext, prop: string, fallback: boolean): boolean {
  const v = task.props[prop];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  return ctx.render(String(v)).trim().toLowerCase() === 'true';
}

function key(task: Task, ctx: RunnableContext): string {
  return ctx.render(String(task.props.key));
}

function missing(key: string, namespace: string): TroupeError {
  return new TroupeError('TROUPE_KV_NOT_FOUND', `No value found for key '${key}' in namespace '${namespace}' and \`errorOnMissing\` is set to true`, { key, namespace });
}

export const kvSetTask: PoolTask = {
  async run(task, ctx) {
    const { namespace, kv } = target(task, ctx);
    const k = key(task, ctx);
    const raw = task.props.value;
    const rendered = typeof raw === 'string' ? ctx.renderTyped(raw) : ctx.renderObject(raw);
    const kvType = task.props.kvType === undefined ? undefined : (ctx.render(String(task.props.kvType)) as KvType);
    const ttl = task.props.ttl;
    const ttlMs = ttl === undefined || ttl === null ? undefined : parseDuration(typeof ttl === 'number' ? ttl : ctx.render(String(ttl)));
    await kv.put(namespace, k, { ...convertKvType(rendered, kvType), overwrite: flag(task, ctx, 'overwrite', true), ...(ttlMs === undefined ? {} : { ttlMs }) });
    return { outputs: {} };
  },
};

export const kvGetTask: PoolTask = {
  run(task, ctx) {
    const { namespace, kv } = target(task, ctx);
    const k = key(task, ctx);
    const value = kv.get(namespace, k);
    if (value === undefined) {
      if (flag(task, ctx, 'errorOnMissing', false)) throw missing(k, namespace);
      return { outputs: {} };
    }
    return { outputs: { value: value.value } };
  },
};

export const kvGetKeysTask: PoolTask = {
  run(task, ctx) {
    const { namespace, kv } = target(task, ctx);
    const prefix = task.props.prefix === undefined || task.props.prefix === null ? '' : ctx.render(String(task.props.prefix));
    return { outputs: { keys: kv.list(namespace, prefix).map((e) => e.key) } };
  },
};

export const kvDeleteTask: PoolTask = {
  async run(task, ctx) {
    const { namespace, kv } = target(task, ctx);
    const k = key(task, ctx);
    const deleted = (await kv.delete(namespace, [k])).length > 0;
    if (!deleted && flag(task, ctx, 'errorOnMissing', false)) throw missing(k, namespace);
    return { outputs: { deleted } };
  },
};

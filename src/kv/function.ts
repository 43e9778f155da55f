/**
 * The `kv(key, namespace, errorOnMissing)` function of templates, as a host function: the pure
 * renderer gets it from each thread that renders (pool threads, shards, the main thread), which
 * owns the store handle (kestra-plugins.md §3.1, Kestra's `KvFunction`).
 * @module
 */
import { TroupeError } from '../errors.js';
import type { HostFunction } from '../expr/index.js';
import type { KvStore } from './types.js';

function arg(args: unknown[], named: Record<string, unknown>, index: number, name: string): unknown {
  return Object.hasOwn(named, name) ? named[name] : args[index];
}

/**
 * The `kv()` host function over a KV store (opened on first use), for renders of a flow of
 * namespace `namespaceOfFlow` (without it: the render context's `flow.namespace`, which a shard's
 * full context always has; a pool's context is trimmed to what templates name). The namespace defaults to the
 * flow's; another one must be a parent of it or exist. A missing key is null, or an error with
 * `errorOnMissing=true`; an expired one fails ("The requested value has expired").
 */
export function kvFunction(store: () => KvStore, namespaceOfFlow?: string): HostFunction {
  return (args, named, ctx) => {
    const key = arg(args, named, 0, 'key');
    if (key === undefined || key === null) throw new TroupeError('TROUPE_EXPR_EVALUATION', "The 'kv' function expects an argument 'key'.");
    const flow = namespaceOfFlow === undefined ? (ctx.lookup('flow') as { namespace?: unknown } | undefined) : { namespace: namespaceOfFlow };
    const flowNamespace = typeof flow?.namespace === 'string' ? flow.namespace : undefined;
    const given = arg(args, named, 1, 'namespace');
    const namespace = given === undefined || given === null ? flowNamespace : String(given);
    if (namespace === undefined) throw new TroupeError('TROUPE_EXPR_EVALUATION', "kv() needs a namespace: this render has no flow");
    const kv = store();
    if (flowNamespace !== undefined) kv.checkAccess(namespace, flowNamespace);
    const value = kv.get(namespace, String(key));
    if (value === undefined) {
      if (arg(args, named, 2, 'errorOnMissing') === true) {
        throw new TroupeError('TROUPE_EXPR_EVALUATION', `The key '${String(key)}' does not exist in the namespace '${namespace}'.`);
      }
      return null;
    }
    return value.value;
  };
}

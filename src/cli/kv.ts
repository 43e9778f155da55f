/**
 * `troupe kv list|get|set|delete`: a namespace's KV store, through the data dir's daemon when one
 * runs, else on an engine opened here (the same operations as the API's `/namespaces/{ns}/kv`).
 */
import { TroupeError } from '../errors.js';
import { parseIonValue } from '../kv/ion.js';
import { withTroupe, type DataOptions } from './open-troupe.js';

type Print = (s: string) => void;

/** `troupe kv list NS`: one key a line (key, updated, expires), or JSON entries. */
export async function kvListCommand(namespace: string, opts: DataOptions & { json?: boolean }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    for (const e of await api.kvList(namespace)) {
      out(opts.json ? JSON.stringify(e) : [e.key, e.updateDate, ...(e.expirationDate ? [`expires ${e.expirationDate}`] : [])].join('  '));
    }
    return 0;
  });
}

/** `troupe kv get NS KEY`: the value (a string as is, anything else as JSON), or `{type, value}` with --json. */
export async function kvGetCommand(namespace: string, key: string, opts: DataOptions & { json?: boolean }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    const value = await api.kvGet(namespace, key);
    if (!value) throw new TroupeError('TROUPE_KV_NOT_FOUND', `No value found for key '${key}' in namespace '${namespace}'`, { namespace, key });
    out(opts.json ? JSON.stringify(value) : typeof value.value === 'string' ? value.value : JSON.stringify(value.value));
    return 0;
  });
}

/**
 * `troupe kv set NS KEY VALUE [--ttl PT5M] [--string]`: the value is read as the API reads a body
 * (Ion, a JSON superset: `1`, `true`, `{"a":1}`, `2024-01-01`), or kept as text when it is not
 * one value or with --string.
 */
export async function kvSetCommand(namespace: string, key: string, text: string, opts: DataOptions & { ttl?: string; string?: boolean }, out: Print): Promise<number> {
  let put: { value: unknown; dateType?: 'DATE' | 'DATETIME' } = { value: text };
  if (!opts.string) {
    try {
      put = parseIonValue(text);
    } catch {
      // Not one Ion value: the text itself.
    }
  }
  return withTroupe(opts, async (api) => {
    await api.kvPut(namespace, key, put.value, { ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}), ...(put.dateType ? { dateType: put.dateType } : {}) });
    out(`set ${namespace} ${key}`);
    return 0;
  });
}

/** `troupe kv delete NS KEY...`: prints the keys that existed; exit 1 when none did. */
export async function kvDeleteCommand(namespace: string, keys: string[], opts: DataOptions, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    const deleted = await api.kvDelete(namespace, keys);
    for (const k of deleted) out(`deleted ${namespace} ${k}`);
    return deleted.length > 0 ? 0 : 1;
  });
}

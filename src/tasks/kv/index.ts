/**
 * io.kestra.plugin.core.kv.{Set,Get,GetKeys,Delete}: the namespace KV store (kestra-plugins.md
 * §3.1), run in the pool (./pool.ts) against the data dir's store.
 */
import { coreTask } from '../definition.js';

const KV_TYPE = 'enum:STRING|NUMBER|BOOLEAN|DATETIME|DATE|DURATION|JSON';

export const KV_SET = coreTask('kv.Set', 'runnable', { key: 'string!', value: 'any!', namespace: 'string', overwrite: 'bool', ttl: 'duration', kvType: KV_TYPE }, {
  summary: 'put a value (typed render, optional `kvType`, `ttl`) in a namespace KV store',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).kvSetTask },
});

export const KV_GET = coreTask('kv.Get', 'runnable', { key: 'string!', namespace: 'string', errorOnMissing: 'bool' }, {
  summary: 'read a KV value as output `value`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).kvGetTask },
});

export const KV_GET_KEYS = coreTask('kv.GetKeys', 'runnable', { prefix: 'string', namespace: 'string' }, {
  summary: 'list the live keys of a namespace KV store (optionally by `prefix`) as output `keys`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).kvGetKeysTask },
});

export const KV_DELETE = coreTask('kv.Delete', 'runnable', { key: 'string!', namespace: 'string', errorOnMissing: 'bool' }, {
  summary: 'delete a KV key; output `deleted`',
  behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).kvDeleteTask },
});

export const KV_TASKS = [KV_SET, KV_GET, KV_GET_KEYS, KV_DELETE];

/**
 * @module kv
 * The KV store (kestra-plugins.md §3): typed values with ttl in the data dir's LMDB store, Kestra's
 * key and namespace rules, the `kv()` template function, and the Ion text the API's PUT reads.
 * Imports store/, model/, expr/ (types) and errors.ts; tasks see only ./types.ts.
 */
export { LmdbKvStore } from './kv-store.js';
export { kvFunction } from './function.js';
export { convertKvType, apiPut, validateKey } from './values.js';
export { IonTimestamp, ionRow, ionText, parseIonRow, parseIonValue } from './ion.js';
export type { KvStore, KvEntry, KvPutOptions, KvType, KvTypedValue } from './types.js';

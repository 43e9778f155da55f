/**
 * The KV store's contract as the rest of Troupe sees it: tasks (through their run context), the
 * `kv()` function, the API and the CLI. Types only, so the pure core (src/tasks) may name them.
 * @module
 */

/** Kestra's KV types (`KVType`): what `GET …/kv/{key}` says a value is. */
export type KvType = 'STRING' | 'NUMBER' | 'BOOLEAN' | 'DATETIME' | 'DATE' | 'DURATION' | 'JSON';

/** A value with its type, as the API answers `GET …/kv/{key}`. */
export interface KvTypedValue {
  type: KvType;
  value: unknown;
}

/** One key of a namespace, as the API lists them (`KVEntry`): ISO instants. */
export interface KvEntry {
  key: string;
  creationDate: string;
  updateDate: string;
  expirationDate?: string;
}

/** A value to put: already typed (`kvType` applied), with its optional ttl. */
export interface KvPut {
  value: unknown;
  /** Keep the value as a date: an ISO instant (DATETIME) or `yyyy-MM-dd` (DATE). */
  dateType?: 'DATETIME' | 'DATE';
  /** Milliseconds the entry lives; negative is refused ("ttl cannot be negative"). */
  ttlMs?: number;
  /** @default true */
  overwrite?: boolean;
}

/**
 * The KV store of a data dir. Reads are synchronous (LMDB); writes resolve once durable.
 * Namespaces here are not checked for existence (the API's view); tasks and `kv()` go through
 * {@link KvStore.forFlow}, which applies Kestra's namespace rules.
 */
export interface KvStore {
  /**
   * The typed value of a key; undefined when absent.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT for a bad key, TROUPE_KV_EXPIRED once it expired (it is deleted)
   */
  get(namespace: string, key: string): KvTypedValue | undefined;
  /** The live (not expired) keys of a namespace starting with `prefix`, in key order. */
  list(namespace: string, prefix?: string): KvEntry[];
  /**
   * Puts a value.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (key, ttl), TROUPE_KV_EXISTS with `overwrite: false`
   */
  put(namespace: string, key: string, put: KvPut): Promise<void>;
  /** Deletes keys; resolves with those that existed. */
  delete(namespace: string, keys: readonly string[]): Promise<string[]>;
  /**
   * Checks that a flow of namespace `fromNamespace` may reach the KV store of `namespace`
   * (its own, a parent, or one that exists).
   * @throws TroupeError TROUPE_KV_NAMESPACE
   */
  checkAccess(namespace: string, fromNamespace: string): void;
}

/** Options of a put through {@link TroupeApi.kvPut} (the API, the CLI, the client). */
export interface KvPutOptions {
  /** ISO 8601 duration the entry lives (`PT5M`); negative is refused. */
  ttl?: string;
  /** Keep the value as a date (what an unquoted Ion timestamp is). */
  dateType?: 'DATETIME' | 'DATE';
  /** @default true */
  overwrite?: boolean;
}

/**
 * The KV store over the data dir's LMDB store (its `kv` database, key [namespace, key]): Kestra's
 * key rules, typed values, ttl (an expired entry reads as expired once and is deleted; lists hide
 * it; {@link LmdbKvStore.sweepExpired} removes the rest in bounded batches) and namespace access.
 * Used by the engine (main thread), the shards (kv() in their renders) and the pool threads, each
 * with its own handle on the same LMDB environment.
 * @module
 */
import { TroupeError } from '../errors.js';
import type { KvRecord, Store } from '../store/types.js';
import type { KvEntry, KvPut, KvStore, KvTypedValue } from './types.js';
import { instantText, typedValue, validateKey } from './values.js';

function expired(record: KvRecord, nowMs: number): boolean {
  return record.expirationDate !== undefined && nowMs > Date.parse(record.expirationDate);
}

/** The KV store of one store handle. */
export class LmdbKvStore implements KvStore {
  readonly #store: Store;
  readonly #now: () => number;
  /** Where the expiry sweep resumes. */
  #cursor: [string, string] | undefined;
  /** Deletions of expired entries a read started (reads are synchronous). */
  #deleting: Promise<unknown> = Promise.resolve();

  /** @param now epoch milliseconds (the engine's clock) */
  constructor(store: Store, now: () => number) {
    this.#store = store;
    this.#now = now;
  }

  /** Moves the read snapshot to the latest commit (another thread's writes of this event turn). */
  refresh(): void {
    this.#store.refresh();
  }

  /** Resolves once the deletions of expired entries that reads started are durable. */
  settled(): Promise<unknown> {
    return this.#deleting;
  }

  get(namespace: string, key: string): KvTypedValue | undefined {
    validateKey(key);
    const record = this.#store.kvGet(namespace, key);
    if (!record) return undefined;
    if (expired(record, this.#now())) {
      const deletion = this.#store.kvDelete([[namespace, key]]).catch(() => 0);
      this.#deleting = Promise.all([this.#deleting, deletion]);
      throw new TroupeError('TROUPE_KV_EXPIRED', 'The requested value has expired', { namespace, key });
    }
    return typedValue(record);
  }

  list(namespace: string, prefix = ''): KvEntry[] {
    const now = this.#now();
    const out: KvEntry[] = [];
    for (const { key, record } of this.#store.kvList(namespace, prefix)) {
      if (expired(record, now)) continue;
      const entry: KvEntry = { key, creationDate: record.creationDate, updateDate: record.updateDate };
      if (record.expirationDate !== undefined) entry.expirationDate = record.expirationDate;
      out.push(entry);
    }
    return out;
  }

  async put(namespace: string, key: string, put: KvPut): Promise<void> {
    validateKey(key);
    if (put.ttlMs !== undefined && !(put.ttlMs >= 0)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'ttl cannot be negative', { ttlMs: put.ttlMs });
    const now = this.#now();
    const old = this.#store.kvGet(namespace, key);
    const live = old !== undefined && !expired(old, now);
    if (put.overwrite === false && live) {
      throw new TroupeError('TROUPE_KV_EXISTS', `Cannot set value for key '${key}'. Key already exists and \`overwrite\` is set to \`false\`.`, { namespace, key });
    }
    const date = instantText(now);
    const record: KvRecord = { value: put.value === undefined ? null : put.value, creationDate: live ? old.creationDate : date, updateDate: date };
    if (put.dateType) record.type = put.dateType;
    if (put.ttlMs !== undefined) record.expirationDate = instantText(now + put.ttlMs);
    await this.#store.kvPut(namespace, key, record);
  }

  async delete(namespace: string, keys: readonly string[]): Promise<string[]> {
    for (const key of keys) validateKey(key);
    const existing = [...new Set(keys)].filter((key) => this.#store.kvGet(namespace, key) !== undefined);
    if (existing.length) await this.#store.kvDelete(existing.map((key) => [namespace, key]));
    return existing;
  }

  checkAccess(namespace: string, fromNamespace: string): void {
    if (namespace === fromNamespace || fromNamespace.startsWith(namespace)) return;
    const exists = (ns: string): boolean => ns === namespace || ns.startsWith(namespace);
    if (this.#store.listFlows().some((f) => !f.deleted && exists(f.namespace))) return;
    if (this.list(namespace).length > 0) return;
    throw new TroupeError('TROUPE_KV_NAMESPACE', `Cannot access the KV store. The namespace '${namespace}' does not exist.`, { namespace });
  }

  /**
   * Deletes expired entries, reading at most `batch` entries from where the last sweep stopped
   * (wrapping around at the end), so one call costs a bounded amount whatever the store holds.
   * @returns how many entries it deleted
   */
  async sweepExpired(batch = 1000): Promise<number> {
    const entries = this.#store.kvScan(this.#cursor, batch);
    const last = entries.at(-1);
    this.#cursor = entries.length < batch || !last ? undefined : [last.namespace, last.key];
    const now = this.#now();
    const gone = entries.filter((e) => expired(e.record, now)).map((e): [string, string] => [e.namespace, e.key]);
    return gone.length ? this.#store.kvDelete(gone) : 0;
  }
}

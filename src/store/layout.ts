/**
 * The on-disk layout of a data dir's store: file names, database names, the format version and
 * the key of every record. Changing anything here changes the format: bump {@link FORMAT_VERSION}.
 */
import { join } from 'node:path';

/**
 * The store's format version, kept in the meta database. A data dir written with another version
 * is refused with TROUPE_STORE_VERSION.
 */
export const FORMAT_VERSION = 1;

/** The LMDB file inside the data dir (LMDB keeps its reader table beside it, in `troupe.mdb-lock`). */
export const STORE_FILE = 'troupe.mdb';

/** The data-dir lock file, holding the pid of the process that owns the data dir. */
export const LOCK_FILE = 'troupe.lock';

/** The path of the LMDB file of a data dir. */
export function storePath(dataDir: string): string {
  return join(dataDir, STORE_FILE);
}

/** The path of the lock file of a data dir. */
export function lockPath(dataDir: string): string {
  return join(dataDir, LOCK_FILE);
}

/** The named databases of the environment. */
export const DB = {
  meta: 'meta',
  flows: 'flows',
  executions: 'executions',
  taskruns: 'taskruns',
  logs: 'logs',
  outbox: 'outbox',
  triggers: 'triggers',
  kv: 'kv',
  windows: 'windows',
} as const;

/** The meta key holding {@link FORMAT_VERSION}. */
export const META_FORMAT_VERSION = 'formatVersion';

/** The meta key written by a clean close and removed by the next open (absent: the last life crashed). */
export const META_CLEAN_CLOSE = 'cleanClose';

/**
 * Where each record database keeps its msgpackr shared structures: a symbol sorts outside every
 * string, number and array key, so range reads never meet it.
 */
export const STRUCTURES_KEY = Symbol.for('troupe.structures');

/** The largest sequence number a range read covers (an exclusive end). */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** A key of the flows database: namespace, flow id, revision. */
export type FlowKey = [namespace: string, id: string, revision: number];

/** A key of the triggers database: namespace, flow id, trigger id. */
export type TriggerKey = [namespace: string, flowId: string, triggerId: string];

/** A key of the taskruns, logs and outbox databases: execution id, sequence number. */
export type SeqKey = [executionId: string, seq: number];

/** The key of one flow revision. */
export function flowKey(namespace: string, id: string, revision: number): FlowKey {
  return [namespace, id, revision];
}

/** The key of a condition window: namespace, flow id, condition id. */
export function windowKey(namespace: string, flowId: string, conditionId: string): [string, string, string] {
  return [namespace, flowId, conditionId];
}

/** The key of one trigger's state row. */
export function triggerKey(namespace: string, flowId: string, triggerId: string): TriggerKey {
  return [namespace, flowId, triggerId];
}

/** The key of one record of an execution in a sequenced database. */
export function seqKey(executionId: string, seq: number): SeqKey {
  return [executionId, seq];
}

/** The range covering every record of one execution in a sequenced database, in seq order. */
export function seqRange(executionId: string): { start: SeqKey; end: SeqKey } {
  return { start: [executionId, 0], end: [executionId, MAX_SEQ] };
}

/** The range covering every revision of one flow, newest first. */
export function flowRevisionsNewestFirst(namespace: string, id: string): { start: FlowKey; end: FlowKey; reverse: true } {
  return { start: [namespace, id, MAX_SEQ], end: [namespace, id, -1], reverse: true };
}

/** Whether a key read back from a database is a record key (not the shared-structures entry). */
export function isRecordKey(key: unknown): boolean {
  return typeof key !== 'symbol';
}

/** A key of the kv database: namespace, key (src/kv). */
export type KvKey = [namespace: string, key: string];

/**
 * The range of a namespace's KV keys starting with `prefix`, in key order. KV keys are made of
 * `[a-zA-Z0-9._-]` only, so `~` (after all of them) closes the range.
 */
export function kvRange(namespace: string, prefix = ''): { start: KvKey; end: KvKey } {
  return { start: [namespace, prefix], end: [namespace, `${prefix}~`] };
}

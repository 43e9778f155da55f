/**
 * @module store
 * The LMDB store of a data dir: flows, execution headers, task-run records, logs and the outbox,
 * as msgpack records with shared structures, written in grouped, durable transactions; and the
 * data-dir lock that keeps a second process out.
 *
 * Imports only model/, errors.ts, lmdb, msgpackr (through lmdb) and `node:*`; never runtime/,
 * executor/, pool/ or anything above them.
 */
export { openStore } from './store.js';
export { acquireDataDirLock } from './lock.js';
export type { DataDirLock } from './lock.js';
export { FORMAT_VERSION, STORE_FILE, LOCK_FILE } from './layout.js';
export type { Store, ChangeBatch, FlowRecord, TaskRunRecord, TriggerRecord, StagedWrite, OutboxEntry } from './types.js';

/** Opening the named databases of the environment and checking its format version. */
import type { RootDatabase } from 'lmdb';
import { TroupeError } from '../errors.js';
import { RECORD_DB_OPTIONS } from './codec.js';
import { DB, FORMAT_VERSION, META_FORMAT_VERSION } from './layout.js';
import { RecordTable } from './record-table.js';

/** The record databases of a store. */
export interface RecordDbs {
  flows: RecordTable;
  executions: RecordTable;
  taskruns: RecordTable;
  logs: RecordTable;
  outbox: RecordTable;
  /** Trigger state rows (src/triggers), by namespace, flow id and trigger id. */
  triggers: RecordTable;
  /** KV entries by [namespace, key] (src/kv). */
  kv: RecordTable;
  /** Windows of Flow triggers' multiple conditions, by namespace, flow id and condition id. */
  windows: RecordTable;
}

function versionError(file: string, found: unknown): TroupeError {
  const what = found === undefined ? 'has no Troupe format version' : `has store format version ${String(found)}`;
  return new TroupeError(
    'TROUPE_STORE_VERSION',
    `${file} ${what}, this Troupe reads format ${FORMAT_VERSION}; open it with the Troupe version that wrote it, or use another data dir`,
    { file, found: found === undefined ? null : found, expected: FORMAT_VERSION },
  );
}

/**
 * Checks the format version in the meta database, writing it into a new store.
 * @throws TroupeError TROUPE_STORE_VERSION when the store has another version
 */
export function readFormatVersion(root: RootDatabase, file: string, readOnly: boolean): void {
  const meta = root.openDB<unknown, string>(DB.meta, { encoding: 'msgpack' });
  const found = meta?.get(META_FORMAT_VERSION);
  if (found === FORMAT_VERSION) return;
  if (found !== undefined || readOnly) throw versionError(file, found);
  // Threads opening a new store at once all write the same value: last writer wins, harmlessly.
  meta!.putSync(META_FORMAT_VERSION, FORMAT_VERSION);
}

function openTable(root: RootDatabase, name: string, file: string): RecordTable {
  const db = root.openDB<unknown, string | Array<string | number>>(name, { ...RECORD_DB_OPTIONS });
  if (db) return new RecordTable(db, name, file);
  // Only a readOnly open of a store written before this database existed gets here.
  throw new TroupeError('TROUPE_STORE_VERSION', `${file} has no "${name}" database; it was not written by this Troupe version`, {
    file,
    database: name,
  });
}

/** Opens (creating unless readOnly) every record database. */
export function openRecordDbs(root: RootDatabase, file: string): RecordDbs {
  return {
    flows: openTable(root, DB.flows, file),
    executions: openTable(root, DB.executions, file),
    taskruns: openTable(root, DB.taskruns, file),
    logs: openTable(root, DB.logs, file),
    outbox: openTable(root, DB.outbox, file),
    triggers: openTable(root, DB.triggers, file),
    kv: openTable(root, DB.kv, file),
    windows: openTable(root, DB.windows, file),
  };
}

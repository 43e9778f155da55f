/**
 * What an engine scenario left on disk, read back from the LMDB file after the engine closed:
 * the encoded size of every record of the measured executions (header, task runs, logs), and the
 * largest record of each kind, which must not grow with the number of task runs.
 */
import { statSync } from 'node:fs';
import { open } from 'lmdb';
import { DB, seqRange, storePath } from '../store/layout.js';

/** Encoded bytes of the records of some executions. */
export interface StoredRecords {
  /** Bytes of every header, task-run record and log line of the executions. */
  storedBytes: number;
  /** Task-run records read. */
  taskRunRecords: number;
  /** The largest task-run record, in bytes. */
  maxTaskRunRecordBytes: number;
  /** The largest execution header, in bytes. */
  maxHeaderBytes: number;
  /** The largest log line, in bytes (0 when none). */
  maxLogBytes: number;
}

/** The size of the data dir's LMDB file, in bytes (0 when absent). */
export function storeFileBytes(dataDir: string): number {
  try {
    return statSync(storePath(dataDir)).size;
  } catch {
    return 0;
  }
}

/**
 * Reads the records of `executionIds` as raw bytes (no decoding) from a closed data dir.
 * @param dataDir a data dir no engine has open
 */
export async function scanStoredRecords(dataDir: string, executionIds: readonly string[]): Promise<StoredRecords> {
  const root = open({ path: storePath(dataDir), readOnly: true, maxDbs: 12 });
  const out: StoredRecords = { storedBytes: 0, taskRunRecords: 0, maxTaskRunRecordBytes: 0, maxHeaderBytes: 0, maxLogBytes: 0 };
  try {
    const headers = root.openDB<Buffer, string>(DB.executions, { encoding: 'binary' });
    const taskruns = root.openDB<Buffer, Array<string | number>>(DB.taskruns, { encoding: 'binary' });
    const logs = root.openDB<Buffer, Array<string | number>>(DB.logs, { encoding: 'binary' });
    for (const id of executionIds) {
      const header = headers.getBinary(id);
      if (header) {
        out.storedBytes += header.length;
        out.maxHeaderBytes = Math.max(out.maxHeaderBytes, header.length);
      }
      for (const { value } of taskruns.getRange(seqRange(id))) {
        out.storedBytes += value.length;
        out.taskRunRecords++;
        out.maxTaskRunRecordBytes = Math.max(out.maxTaskRunRecordBytes, value.length);
      }
      for (const { value } of logs.getRange(seqRange(id))) {
        out.storedBytes += value.length;
        out.maxLogBytes = Math.max(out.maxLogBytes, value.length);
      }
    }
  } finally {
    await root.close();
  }
  return out;
}

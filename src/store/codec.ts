/**
 * The msgpack codec of record values: msgpackr with shared structures kept in LMDB (one entry per
 * database, under {@link STRUCTURES_KEY}), so decoding survives a restart and every thread of a
 * process agrees on the structures (lmdb-js saves them with a compare-and-swap in a write
 * transaction and reloads them when a record names one it has not seen).
 */
import { TroupeError } from '../errors.js';
import { STRUCTURES_KEY } from './layout.js';

/**
 * Every property name of the records the store writes (TaskRun, Attempt, Metric, State, history,
 * execution header, Label, trigger, LogEntry, OutboxEntry, FlowRecord, TaskRunRecord). Only
 * objects whose keys all come from here get a shared structure: user-shaped maps (outputs, inputs,
 * variables, metric tags) would otherwise fill the 32 one-byte slots forever with shapes that
 * never repeat. Their structures are written inline in the record instead.
 */
const RECORD_VOCABULARY: ReadonlySet<string> = new Set([
  // TaskRun, TaskRunAttempt, Metric
  'id', 'executionId', 'namespace', 'flowId', 'taskId', 'parentTaskRunId', 'value', 'attempts', 'outputs',
  'state', 'iteration', 'metrics', 'logFile', 'name', 'tags', 'type',
  // State, StateHistory (and StateJson's derived dates, should one be stored)
  'current', 'histories', 'date', 'startDate', 'endDate', 'duration',
  // Execution header, Label, ExecutionTrigger, metadata
  'flowRevision', 'inputs', 'labels', 'variables', 'parentId', 'originalId', 'trigger', 'deleted', 'metadata',
  'scheduleDate', 'subflowDepth', 'slaDone', 'key', 'attemptNumber', 'originalCreatedDate',
  // LogEntry
  'taskRunId', 'timestamp', 'level', 'thread', 'message',
  // TaskRunRecord, OutboxEntry, FlowRecord
  'seq', 'taskRun', 'crashes', 'aux', 'effect', 'revision', 'source', 'updated',
]);

/** Whether msgpackr may give an object shape a shared structure: only record shapes qualify. */
function shouldShareStructure(keys: string[]): boolean {
  for (const k of keys) if (!RECORD_VOCABULARY.has(k)) return false;
  return true;
}

/**
 * The lmdb-js options of a record database: msgpack with shared structures. Part of the format:
 * msgpackr's one-byte record ids (32 shared + 32 inline) depend on `maxSharedStructures`.
 */
export const RECORD_DB_OPTIONS = {
  encoding: 'msgpack',
  sharedStructuresKey: STRUCTURES_KEY,
  maxSharedStructures: 32,
  shouldShareStructure,
} as const;

/** The part of an lmdb-js database the codec uses: its msgpackr encoder (also its decoder). */
export interface RecordCodec {
  encode(value: unknown): Buffer;
  decode(bytes: Uint8Array): unknown;
}

/** Describes a key for an error message: `["6s1egIkxu3gpzzILDnyxTn",3]`. */
export function formatKey(key: unknown): string {
  if (typeof key === 'symbol') return key.toString();
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}

/** The TROUPE_STORE_CORRUPT error for a record that cannot be decoded. */
export function corruptRecordError(file: string, database: string, key: unknown, cause: unknown): TroupeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TroupeError(
    'TROUPE_STORE_CORRUPT',
    `record ${formatKey(key)} in database "${database}" of ${file} cannot be decoded (${reason}); restore the data dir from a backup`,
    { file, database, key: formatKey(key) },
    { cause },
  );
}

/** The TROUPE_STORE_CORRUPT error for an LMDB file that cannot be opened. */
export function corruptFileError(file: string, cause: unknown): TroupeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new TroupeError(
    'TROUPE_STORE_CORRUPT',
    `${file} is not a readable LMDB file (${reason}); restore the data dir from a backup or point Troupe to another data dir`,
    { file },
    { cause },
  );
}

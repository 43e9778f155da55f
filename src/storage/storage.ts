/**
 * The internal storage interface: files addressed by `kestra:///…` URIs (see `uri.ts` for their
 * layout and checks). One implementation today, the local filesystem (`local.ts`); the interface
 * is what tasks, inputs, templates and the API use, so another backend fits behind it.
 *
 * Every method takes a URI string (checked, TROUPE_STORAGE_PATH when it could escape the root) or
 * an already checked {@link StoragePath}. Writes are atomic: a reader sees the whole file or none.
 * @module
 */
import type { Readable } from 'node:stream';
import type { StoragePath } from './uri.js';

/** A URI string or a checked path. */
export type StorageRef = string | StoragePath;

/** What a file can be written from. */
export type PutSource =
  /** Bytes or text (UTF-8), for small files. */
  | Uint8Array
  | string
  /** A stream or any async iterable of chunks (strings as UTF-8), read to its end. */
  | Readable
  | AsyncIterable<Uint8Array | string>
  /** A local file, copied (or moved, when `move` and it is on the same filesystem). */
  | { path: string; move?: boolean };

/** Options of a write. */
export interface PutOptions {
  /** Aborts the write: the temp file is removed, nothing is left. */
  signal?: AbortSignal;
  /** Refuses a file larger than this many bytes (TROUPE_STORAGE_TOO_LARGE), leaving nothing. */
  maxBytes?: number;
}

/** A stored file. */
export interface StoredFile {
  /** Its canonical `kestra:///…` URI. */
  uri: string;
  size: number;
  /** Last modification, in ms since the epoch. */
  modifiedMs: number;
}

/**
 * A file being written piece by piece (Split writes many in turn): nothing is visible at its URI
 * until `commit()`; `abort()` (or a failed write) leaves nothing.
 */
export interface StorageWriter {
  /** Appends a chunk, waiting while the disk is behind (backpressure). */
  write(chunk: Uint8Array | string): Promise<void>;
  /** Bytes written so far. */
  readonly bytes: number;
  /** Flushes, syncs and renames the file into place. */
  commit(): Promise<StoredFile>;
  abort(): Promise<void>;
}

/** Internal storage. Errors are TroupeErrors: TROUPE_STORAGE_PATH, TROUPE_STORAGE_NOT_FOUND, TROUPE_STORAGE_TOO_LARGE. */
export interface Storage {
  /** Writes a file (replacing one already there), atomically; returns it. */
  put(ref: StorageRef, source: PutSource, options?: PutOptions): Promise<StoredFile>;
  /** Opens a file for writing in pieces (see {@link StorageWriter}). */
  writer(ref: StorageRef, options?: PutOptions): Promise<StorageWriter>;
  /** A stream of the file's bytes. @throws TROUPE_STORAGE_NOT_FOUND */
  get(ref: StorageRef): Promise<Readable>;
  /** The file's size and date. @throws TROUPE_STORAGE_NOT_FOUND */
  stat(ref: StorageRef): Promise<StoredFile>;
  /** Whether a file (not a directory) is at that URI. */
  exists(ref: StorageRef): Promise<boolean>;
  /** Deletes one file; false when there was none. */
  delete(ref: StorageRef): Promise<boolean>;
  /** Every file under a prefix (at any depth), sorted by URI. */
  list(prefix: StorageRef): Promise<StoredFile[]>;
  /** Deletes every file under a prefix; returns how many. */
  deletePrefix(prefix: StorageRef): Promise<number>;
  /**
   * The whole file, synchronously, for template functions (`read()`, `fileSize()`): rendering is
   * synchronous. @throws TROUPE_STORAGE_TOO_LARGE beyond `maxBytes`, TROUPE_STORAGE_NOT_FOUND
   */
  readSync(ref: StorageRef, maxBytes: number): Uint8Array;
  /** The file's size, synchronously (see {@link Storage.readSync}). @throws TROUPE_STORAGE_NOT_FOUND */
  sizeSync(ref: StorageRef): number;
}

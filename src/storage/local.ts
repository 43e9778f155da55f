/**
 * Internal storage on the local filesystem: `kestra:///a/b/c` is the file `<root>/a/b/c`, as
 * Kestra's local storage lays it out. Writes go to a temp file in `<root>.tmp` (same filesystem),
 * are synced, then renamed into place (and the directory synced), so a crash leaves either the
 * old file, the new one, or an orphan temp file that {@link LocalStorage.removeOrphans} deletes
 * when the engine opens. Paths come from checked URIs only (`uri.ts`), and each resolved path is
 * checked again to lie under the root.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { TroupeError } from '../errors.js';
import type { PutOptions, PutSource, Storage, StorageRef, StorageWriter, StoredFile } from './storage.js';
import { parseStoragePrefix, parseStorageUri, storagePath, storageUri, type StoragePath } from './uri.js';

/** Options of {@link LocalStorage}. */
export interface LocalStorageOptions {
  /** The storage root (`<dataDir>/storage`); temp files go to `<root>.tmp`. */
  root: string;
  /** Skip fsync (tests and throwaway runs, like the engine's `noSync`). */
  noSync?: boolean;
}

const CHUNK = 64 * 1024;

function notFound(uri: string): TroupeError {
  return new TroupeError('TROUPE_STORAGE_NOT_FOUND', `File '${uri}' not found in internal storage`, { uri });
}

function tooLarge(uri: string, maxBytes: number): TroupeError {
  return new TroupeError('TROUPE_STORAGE_TOO_LARGE', `File '${uri}' is larger than the limit of ${maxBytes} bytes`, { uri, maxBytes });
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('The write was aborted');
}

/** The local-filesystem {@link Storage}. */
export class LocalStorage implements Storage {
  readonly root: string;
  readonly tmpDir: string;
  readonly #noSync: boolean;

  constructor(options: LocalStorageOptions) {
    this.root = resolve(options.root);
    this.tmpDir = `${this.root}.tmp`;
    this.#noSync = options.noSync === true;
  }

  /** The checked path of a reference. */
  #path(ref: StorageRef, prefix = false): StoragePath {
    return typeof ref === 'string' ? (prefix ? parseStoragePrefix(ref) : parseStorageUri(ref)) : storagePath(...ref.segments);
  }

  /** The local file of a path, checked to lie under the root. */
  #file(path: StoragePath): string {
    const file = resolve(this.root, ...path.segments);
    const rel = relative(this.root, file);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new TroupeError('TROUPE_STORAGE_PATH', `Invalid internal storage URI '${storageUri(path)}': it escapes the storage root`, { uri: storageUri(path) });
    }
    return file;
  }

  /**
   * The local file behind a URI (checked), for code that must hand a path to something else
   * (a child process's input file). Prefer {@link get}.
   */
  localPath(ref: StorageRef): string {
    return this.#file(this.#path(ref));
  }

  /** Deletes every temp file left by writes a crash interrupted (call before anything writes). */
  async removeOrphans(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    await Promise.all(names.map((n) => rm(join(this.tmpDir, n), { force: true, recursive: true })));
    return names.length;
  }

  async writer(ref: StorageRef, options: PutOptions = {}): Promise<StorageWriter> {
    const path = this.#path(ref);
    const target = this.#file(path);
    const uri = storageUri(path);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = join(this.tmpDir, `${randomUUID()}.part`);
    const handle = await open(tmp, 'wx');
    return new LocalWriter(handle, tmp, target, uri, options, this.#noSync);
  }

  async put(ref: StorageRef, source: PutSource, options: PutOptions = {}): Promise<StoredFile> {
    // A local file: a plain `{ path }` (a read stream has a `path` too, but it is iterable).
    if (typeof source === 'object' && !(source instanceof Uint8Array) && !(Symbol.asyncIterator in source) && typeof source.path === 'string') {
      if (source.move === true && options.maxBytes === undefined) {
        const moved = await this.#tryMove(ref, source.path);
        if (moved) return moved;
      }
      const input = createReadStream(source.path, { highWaterMark: CHUNK });
      try {
        return await this.put(ref, input, options);
      } finally {
        input.destroy();
        if (source.move === true) await rm(source.path, { force: true });
      }
    }
    const w = await this.writer(ref, options);
    try {
      if (typeof source === 'string' || source instanceof Uint8Array) await w.write(source);
      else for await (const chunk of source as AsyncIterable<Uint8Array | string>) await w.write(chunk);
      return await w.commit();
    } catch (err) {
      await w.abort();
      throw err;
    }
  }

  /** Renames a local file into place when it is on the same filesystem; undefined otherwise. */
  async #tryMove(ref: StorageRef, from: string): Promise<StoredFile | undefined> {
    const path = this.#path(ref);
    const target = this.#file(path);
    try {
      if (!this.#noSync) {
        const h = await open(from, 'r+');
        try {
          await h.sync();
        } finally {
          await h.close();
        }
      }
      await mkdirDurable(join(target, '..'), this.#noSync);
      await rename(from, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EXDEV') return undefined;
      if (isMissing(err)) throw new TroupeError('TROUPE_IO', `Cannot read '${from}': no such file`, { path: from });
      throw err;
    }
    await syncDir(join(target, '..'), this.#noSync);
    return fileOf(storageUri(path), await stat(target));
  }

  async get(ref: StorageRef): Promise<Readable> {
    const path = this.#path(ref);
    const file = this.#file(path);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw notFound(storageUri(path));
      }
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') throw notFound(storageUri(path));
      throw err;
    }
    return handle.createReadStream({ highWaterMark: CHUNK, autoClose: true });
  }

  async stat(ref: StorageRef): Promise<StoredFile> {
    const path = this.#path(ref);
    let s: Stats;
    try {
      s = await stat(this.#file(path));
    } catch (err) {
      if (isMissing(err)) throw notFound(storageUri(path));
      throw err;
    }
    if (!s.isFile()) throw notFound(storageUri(path));
    return fileOf(storageUri(path), s);
  }

  async exists(ref: StorageRef): Promise<boolean> {
    try {
      await this.stat(ref);
      return true;
    } catch (err) {
      if (err instanceof TroupeError && err.code === 'TROUPE_STORAGE_NOT_FOUND') return false;
      throw err;
    }
  }

  async delete(ref: StorageRef): Promise<boolean> {
    const file = this.#file(this.#path(ref));
    try {
      await unlink(file);
      return true;
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR' || (err as NodeJS.ErrnoException).code === 'EPERM') return false;
      throw err;
    }
  }

  async list(prefix: StorageRef): Promise<StoredFile[]> {
    const path = this.#path(prefix, true);
    const dir = this.#file(path);
    const out: StoredFile[] = [];
    const walk = async (d: string, segments: string[]): Promise<void> => {
      let entries;
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const e of entries) {
        const child = [...segments, e.name];
        if (e.isDirectory()) await walk(join(d, e.name), child);
        else if (e.isFile()) out.push(fileOf(storageUri({ segments: child }), await stat(join(d, e.name))));
      }
    };
    let top: Stats | undefined;
    try {
      top = await stat(dir);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    if (top?.isFile()) out.push(fileOf(storageUri(path), top));
    else if (top?.isDirectory()) await walk(dir, [...path.segments]);
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  async deletePrefix(prefix: StorageRef): Promise<number> {
    const path = this.#path(prefix, true);
    const count = (await this.list(path)).length;
    await rm(this.#file(path), { recursive: true, force: true });
    return count;
  }

  readSync(ref: StorageRef, maxBytes: number): Uint8Array {
    const path = this.#path(ref);
    const uri = storageUri(path);
    let fd: number;
    try {
      fd = openSync(this.#file(path), 'r');
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') throw notFound(uri);
      throw err;
    }
    try {
      const s = fstatSync(fd);
      if (!s.isFile()) throw notFound(uri);
      if (s.size > maxBytes) throw tooLarge(uri, maxBytes);
      const buf = Buffer.alloc(s.size);
      let off = 0;
      while (off < buf.length) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  sizeSync(ref: StorageRef): number {
    const path = this.#path(ref);
    try {
      const s = statSync(this.#file(path));
      if (s.isFile()) return s.size;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    throw notFound(storageUri(path));
  }
}

function fileOf(uri: string, s: Stats): StoredFile {
  return { uri, size: s.size, modifiedMs: s.mtimeMs };
}

/**
 * Makes `dir` and its missing parents; each new directory's entry is synced into its parent, so a
 * file renamed into `dir` (then `dir` synced) survives a crash with the path that leads to it.
 */
async function mkdirDurable(dir: string, noSync: boolean): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first === undefined || noSync) return;
  for (let d = resolve(dir); ; d = dirname(d)) {
    await syncDir(dirname(d), noSync);
    if (d === resolve(first) || dirname(d) === d) break;
  }
}

async function syncDir(dir: string, noSync: boolean): Promise<void> {
  if (noSync) return;
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Some filesystems refuse fsync on a directory: the rename is still atomic.
  } finally {
    await h?.close();
  }
}

class LocalWriter implements StorageWriter {
  #bytes = 0;
  #done = false;
  readonly #handle: FileHandle;
  readonly #tmp: string;
  readonly #target: string;
  readonly #uri: string;
  readonly #options: PutOptions;
  readonly #noSync: boolean;

  constructor(handle: FileHandle, tmp: string, target: string, uri: string, options: PutOptions, noSync: boolean) {
    this.#handle = handle;
    this.#tmp = tmp;
    this.#target = target;
    this.#uri = uri;
    this.#options = options;
    this.#noSync = noSync;
  }

  get bytes(): number {
    return this.#bytes;
  }

  async write(chunk: Uint8Array | string): Promise<void> {
    if (this.#done) throw new Error(`write after the end of '${this.#uri}'`);
    const { signal, maxBytes } = this.#options;
    if (signal?.aborted) throw abortError(signal);
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (maxBytes !== undefined && this.#bytes + data.length > maxBytes) throw tooLarge(this.#uri, maxBytes);
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.#handle.write(data, off, data.length - off);
      off += bytesWritten;
    }
    this.#bytes += data.length;
  }

  async commit(): Promise<StoredFile> {
    if (this.#done) throw new Error(`'${this.#uri}' was already committed or aborted`);
    const { signal } = this.#options;
    try {
      if (signal?.aborted) throw abortError(signal);
      if (!this.#noSync) await this.#handle.sync();
      await this.#handle.close();
      this.#done = true;
      const dir = join(this.#target, '..');
      await mkdirDurable(dir, this.#noSync);
      await rename(this.#tmp, this.#target);
      await syncDir(dir, this.#noSync);
      return fileOf(this.#uri, await stat(this.#target));
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#handle.close().catch(() => {});
    }
    await rm(this.#tmp, { force: true });
  }
}

/**
 * Namespace files (Kestra's `Namespace` storage): files a namespace keeps at
 * `kestra:///<ns as path>/_files/<path>`, written and read by the API (kestra-api.md §7), by
 * `fileURI()`/`read()` of a plain path, and copied into working directories by `namespaceFiles`
 * (kestra-plugins.md §2.5) through {@link NamespaceFiles.list} with include/exclude globs.
 *
 * A namespace-file path is `/a/b.txt` (the leading `/` optional). It is canonicalized and refused
 * (TROUPE_STORAGE_PATH, 422) when it could name anything outside the namespace's root: a `.`/`..`
 * segment (also percent-encoded, `%2e%2e`), a backslash, an empty segment (`//x`), a NUL, a
 * drive letter or scheme (`C:`, `file:`). `/_flows` is reserved (Kestra imports flows there).
 *
 * Storage holds files only, so a directory is the set of files under a prefix; an empty directory
 * (created by `mkdir`) is kept by a hidden marker file {@link DIRECTORY_MARKER}, never listed and
 * refused as a file name.
 * @module
 */
import type { Readable } from 'node:stream';
import { RE2JS } from 're2js';
import { TroupeError } from '../errors.js';
import type { PutOptions, PutSource, Storage, StoredFile } from './storage.js';
import { childPath, namespaceFilesPrefix, storageUri, type StoragePath } from './uri.js';

/** The hidden file that keeps an empty directory. */
export const DIRECTORY_MARKER = '.troupe-directory';
/** The reserved top-level folder (flows of the namespace, in Kestra). */
const FLOWS_FOLDER = '_flows';

/** A namespace file, as {@link NamespaceFiles.list} returns it. */
export interface NamespaceFile {
  /** Its path in the namespace, with a leading `/` (`/scripts/main.py`). */
  path: string;
  /** Its `kestra:///…` URI. */
  uri: string;
  size: number;
  /** Last modification, in ms since the epoch. */
  modifiedMs: number;
}

/** One entry of a directory (a file or a sub-directory). */
export interface NamespaceEntry {
  /** Its path in the namespace, with a leading `/`. */
  path: string;
  fileName: string;
  type: 'File' | 'Directory';
  /** Bytes of a file; 0 for a directory. */
  size: number;
  /** Last modification (a directory's: its newest file's), in ms since the epoch. */
  modifiedMs: number;
}

/** Which files {@link NamespaceFiles.list} returns (Kestra's `namespaceFiles` include/exclude). */
export interface ListOptions {
  /** Patterns a file must match one of (all files when absent or empty). */
  include?: readonly string[];
  /** Patterns a file must match none of. */
  exclude?: readonly string[];
  /** Only files under this folder (the root when absent). */
  under?: string;
}

function refuse(path: string, why: string): never {
  throw new TroupeError('TROUPE_STORAGE_PATH', `Invalid namespace file path '${path}': ${why}`, { path });
}

/** A segment whose percent-decoding (applied once or twice) is `.` or `..`, or holds a slash. */
function escapes(segment: string): boolean {
  let s = segment;
  for (let i = 0; i < 3; i++) {
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\\')) return true;
    if (!s.includes('%')) return false;
    try {
      s = decodeURIComponent(s);
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * The canonical segments of a namespace-file path (`/a/b.txt` → `['a', 'b.txt']`; `/` or `''`
 * → `[]`, the root). @throws TROUPE_STORAGE_PATH for any escaping form
 */
export function namespacePathSegments(path: string): string[] {
  if (typeof path !== 'string') refuse(String(path), 'not a string');
  if (path.length > 4096) refuse(path.slice(0, 64), 'longer than 4096 characters');
  if (path.includes('\\')) refuse(path, 'a backslash is not allowed');
  if (path.includes('\0')) refuse(path, 'a NUL character is not allowed');
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) refuse(path, 'a scheme or drive letter is not allowed');
  const rest = path.startsWith('/') ? path.slice(1) : path;
  if (rest === '') return [];
  const trimmed = rest.endsWith('/') ? rest.slice(0, -1) : rest;
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (s === '') refuse(path, 'empty path segment');
    if (escapes(s)) refuse(path, `'${s}' is not allowed in a path`);
    if (s === DIRECTORY_MARKER) refuse(path, `'${DIRECTORY_MARKER}' is reserved`);
  }
  return segments;
}

/** The canonical form of a namespace-file path: `/` + its segments. */
export function canonicalNamespacePath(path: string): string {
  return `/${namespacePathSegments(path).join('/')}`;
}

/** The checked storage path of a namespace file (`/<ns>/_files/<path>`). */
export function namespaceFileStoragePath(namespace: string, path: string): StoragePath {
  return childPath(namespaceRoot(namespace), ...namespacePathSegments(path));
}

function namespaceRoot(namespace: string): StoragePath {
  if (typeof namespace !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(namespace)) {
    throw new TroupeError('TROUPE_STORAGE_PATH', `Invalid namespace '${String(namespace)}'`, { namespace });
  }
  return namespaceFilesPrefix(namespace);
}

/** Java's glob syntax (`*`, `**`, `?`, `{a,b}`, `[…]`, `\` escapes) as an RE2 pattern. */
function globToRegex(glob: string): string {
  let out = '';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) out += RE2JS.quote(glob[++i]!);
    else if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{' && !inGroup) {
      out += '(?:';
      inGroup = true;
    } else if (c === '}' && inGroup) {
      out += ')';
      inGroup = false;
    } else if (c === ',' && inGroup) out += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        body = (body.startsWith('!') ? '^' + body.slice(1) : body).replace(/\\/g, '\\\\').replace(/\[/g, '\\[');
        out += `[${body}]`;
        i = end;
      }
    } else out += RE2JS.quote(c);
  }
  if (inGroup) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid glob pattern '${glob}': missing '}'`);
  return out;
}

/**
 * A matcher of Kestra's namespaceFiles patterns, tested against `/<path>`: `regex:` and `glob:`
 * prefixes as Java's PathMatcher; a bare pattern starting with a word character gets `**​/`
 * prepended (so `a.txt` matches at any depth). Regexes run on RE2 (linear time).
 * @throws TROUPE_ILLEGAL_ARGUMENT for a malformed pattern
 */
export function namespacePattern(pattern: string): (path: string) => boolean {
  let source: string;
  try {
    if (pattern.startsWith('regex:')) source = pattern.slice(6);
    else {
      const glob = pattern.startsWith('glob:') ? pattern.slice(5) : /^\w/.test(pattern) ? `**/${pattern}` : pattern;
      source = globToRegex(glob);
    }
    const re = RE2JS.compile(source);
    return (path) => re.matches(path);
  } catch (err) {
    if (err instanceof TroupeError) throw err;
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid namespace file pattern '${pattern}': ${(err as Error).message}`);
  }
}

function notFound(namespace: string, path: string): TroupeError {
  return new TroupeError('TROUPE_STORAGE_NOT_FOUND', `File '${path}' not found in namespace '${namespace}'`, { namespace, path });
}

function conflict(why: string, path: string): TroupeError {
  return new TroupeError('TROUPE_ILLEGAL_STATE', why, { path });
}

/** The namespace files over a {@link Storage}. Every method checks its namespace and paths first. */
export class NamespaceFiles {
  constructor(readonly storage: Storage) {}

  /** Writes a file (replacing one there); its folders come into being. @throws TROUPE_ILLEGAL_STATE when a folder is in the way */
  async put(namespace: string, path: string, source: PutSource, options?: PutOptions): Promise<NamespaceFile> {
    const segments = this.#writable(path);
    if (segments.length === 0) refuse(path, 'the root is a directory');
    const target = namespaceFileStoragePath(namespace, path);
    await this.#checkNoFileAbove(namespace, segments);
    if (await this.#isDirectory(target)) throw conflict(`'${canonicalNamespacePath(path)}' is a directory`, path);
    let stored: StoredFile;
    try {
      stored = await this.storage.put(target, source, options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOTEMPTY') throw conflict(`'${canonicalNamespacePath(path)}' cannot be written: a file or folder is in the way`, path);
      throw err;
    }
    return this.#file(namespace, stored);
  }

  /** The file's bytes. @throws TROUPE_STORAGE_NOT_FOUND */
  async get(namespace: string, path: string): Promise<Readable> {
    const target = namespaceFileStoragePath(namespace, path);
    if (namespacePathSegments(path).length === 0) throw notFound(namespace, '/');
    try {
      return await this.storage.get(target);
    } catch (err) {
      if (err instanceof TroupeError && err.code === 'TROUPE_STORAGE_NOT_FOUND') throw notFound(namespace, canonicalNamespacePath(path));
      throw err;
    }
  }

  /** A file's or directory's entry (the root always exists). @throws TROUPE_STORAGE_NOT_FOUND */
  async stat(namespace: string, path: string): Promise<NamespaceEntry> {
    const segments = namespacePathSegments(path);
    const target = namespaceFileStoragePath(namespace, path);
    const canonical = `/${segments.join('/')}`;
    const fileName = segments[segments.length - 1] ?? '';
    if (segments.length > 0 && (await this.storage.exists(target))) {
      const s = await this.storage.stat(target);
      return { path: canonical, fileName, type: 'File', size: s.size, modifiedMs: s.modifiedMs };
    }
    const under = await this.storage.list(target);
    if (under.length === 0 && segments.length > 0) throw notFound(namespace, canonical);
    return { path: canonical, fileName, type: 'Directory', size: 0, modifiedMs: under.reduce((m, f) => Math.max(m, f.modifiedMs), 0) };
  }

  /** The entries directly in a folder, directories first then files, each by name. @throws TROUPE_STORAGE_NOT_FOUND, TROUPE_ILLEGAL_STATE for a file */
  async children(namespace: string, dir: string): Promise<NamespaceEntry[]> {
    const segments = namespacePathSegments(dir);
    const self = await this.stat(namespace, dir);
    if (self.type === 'File') throw conflict(`'${self.path}' is not a directory`, dir);
    const base = namespaceFileStoragePath(namespace, dir);
    const depth = base.segments.length;
    const entries = new Map<string, NamespaceEntry>();
    for (const f of await this.storage.list(base)) {
      const rel = this.#relative(f.uri, depth);
      if (rel === undefined || rel.length === 0) continue;
      const name = rel[0]!;
      const path = `/${[...segments, name].join('/')}`;
      if (rel.length === 1) {
        if (name !== DIRECTORY_MARKER) entries.set(name, { path, fileName: name, type: 'File', size: f.size, modifiedMs: f.modifiedMs });
        continue;
      }
      const prev = entries.get(name);
      entries.set(name, { path, fileName: name, type: 'Directory', size: 0, modifiedMs: Math.max(prev?.modifiedMs ?? 0, f.modifiedMs) });
    }
    return [...entries.values()].sort((a, b) => (a.type === b.type ? (a.fileName < b.fileName ? -1 : 1) : a.type === 'Directory' ? -1 : 1));
  }

  /**
   * Every file of the namespace (at any depth, under `under` when given) that matches one of
   * `include` (all when none) and none of `exclude`, sorted by path: what `namespaceFiles` copies.
   */
  async list(namespace: string, options: ListOptions = {}): Promise<NamespaceFile[]> {
    const include = (options.include ?? []).map(namespacePattern);
    const exclude = (options.exclude ?? []).map(namespacePattern);
    const base = namespaceFileStoragePath(namespace, options.under ?? '/');
    const out: NamespaceFile[] = [];
    for (const f of await this.storage.list(base)) {
      const file = this.#file(namespace, f);
      if (file.path.endsWith(`/${DIRECTORY_MARKER}`)) continue;
      if (include.length > 0 && !include.some((m) => m(file.path))) continue;
      if (exclude.some((m) => m(file.path))) continue;
      out.push(file);
    }
    return out;
  }

  /** Paths of the files whose path contains `q` (Kestra's search). */
  async search(namespace: string, q: string): Promise<string[]> {
    return (await this.list(namespace)).map((f) => f.path).filter((p) => p.includes(q));
  }

  /** Creates a folder (and its parents); nothing when it exists. @throws TROUPE_ILLEGAL_STATE when a file is there */
  async mkdir(namespace: string, path: string): Promise<void> {
    const segments = this.#writable(path);
    if (segments.length === 0) return;
    const target = namespaceFileStoragePath(namespace, path);
    await this.#checkNoFileAbove(namespace, segments);
    if (await this.storage.exists(target)) throw conflict(`'${canonicalNamespacePath(path)}' is a file`, path);
    if (await this.#isDirectory(target)) return;
    await this.storage.put(childPath(target, DIRECTORY_MARKER), '');
  }

  /**
   * Deletes a file or a folder (with all it holds), then the parent folders left empty (not the
   * root). False when nothing was there. @throws TROUPE_ILLEGAL_ARGUMENT for the root
   */
  async delete(namespace: string, path: string): Promise<boolean> {
    const segments = this.#writable(path);
    if (segments.length === 0) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'the namespace root cannot be deleted', { namespace });
    const target = namespaceFileStoragePath(namespace, path);
    const deleted = (await this.storage.delete(target)) || (await this.storage.deletePrefix(target)) > 0;
    if (deleted) await this.#pruneParents(namespace, segments.slice(0, -1));
    return deleted;
  }

  /**
   * Moves a file or a folder to `to` (which must not exist), then prunes the parents `from`
   * leaves empty. @throws TROUPE_STORAGE_NOT_FOUND, TROUPE_ILLEGAL_STATE when `to` exists
   */
  async move(namespace: string, from: string, to: string): Promise<void> {
    const fromSegments = this.#writable(from);
    const toSegments = this.#writable(to);
    if (fromSegments.length === 0 || toSegments.length === 0) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'the namespace root cannot be moved', { namespace });
    const source = await this.stat(namespace, from);
    const target = namespaceFileStoragePath(namespace, to);
    if ((await this.storage.exists(target)) || (await this.#isDirectory(target))) throw conflict(`'${canonicalNamespacePath(to)}' already exists`, to);
    if (source.type === 'Directory' && toSegments.length > fromSegments.length && fromSegments.every((s, i) => toSegments[i] === s)) {
      throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `'${source.path}' cannot be moved into itself`, { from, to });
    }
    await this.#checkNoFileAbove(namespace, toSegments);
    const fromPath = namespaceFileStoragePath(namespace, from);
    const files = source.type === 'File' ? [{ uri: fromPath, rel: [] as string[] }] : (await this.storage.list(fromPath)).map((f) => ({ uri: f.uri, rel: this.#relative(f.uri, fromPath.segments.length) ?? [] }));
    for (const f of files) await this.storage.put(childPath(target, ...f.rel), await this.storage.get(f.uri));
    for (const f of files) await this.storage.delete(f.uri);
    await this.#pruneParents(namespace, fromSegments.slice(0, -1));
  }

  /** Segments of a path that may be written: `/_flows` is reserved. */
  #writable(path: string): string[] {
    const segments = namespacePathSegments(path);
    if (segments[0] === FLOWS_FOLDER) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `'/${FLOWS_FOLDER}' is reserved for the flows of the namespace`, { path });
    return segments;
  }

  async #isDirectory(target: StoragePath): Promise<boolean> {
    const self = storageUri(target);
    return (await this.storage.list(target)).some((f) => f.uri !== self);
  }

  /** Refuses a path one of whose folders is a file. */
  async #checkNoFileAbove(namespace: string, segments: readonly string[]): Promise<void> {
    for (let i = 1; i < segments.length; i++) {
      const above = `/${segments.slice(0, i).join('/')}`;
      if (await this.storage.exists(namespaceFileStoragePath(namespace, above))) throw conflict(`'${above}' is a file, not a directory`, above);
    }
  }

  /** Removes the markers of folders (deepest first, root excluded) that hold nothing else. */
  async #pruneParents(namespace: string, segments: readonly string[]): Promise<void> {
    for (let n = segments.length; n > 0; n--) {
      const dir = namespaceFileStoragePath(namespace, `/${segments.slice(0, n).join('/')}`);
      const marker = childPath(dir, DIRECTORY_MARKER);
      const files = await this.storage.list(dir);
      if (files.some((f) => !f.uri.endsWith(`/${DIRECTORY_MARKER}`) || this.#relative(f.uri, dir.segments.length)!.length > 1)) return;
      await this.storage.delete(marker);
    }
  }

  /** The decoded segments of `uri` after its first `depth` ones. */
  #relative(uri: string, depth: number): string[] | undefined {
    const segments = uri.slice('kestra:///'.length).split('/').map(decodeURIComponent);
    return segments.length < depth ? undefined : segments.slice(depth);
  }

  #file(namespace: string, f: StoredFile): NamespaceFile {
    const depth = namespaceRoot(namespace).segments.length;
    return { path: `/${(this.#relative(f.uri, depth) ?? []).join('/')}`, uri: f.uri, size: f.size, modifiedMs: f.modifiedMs };
  }
}

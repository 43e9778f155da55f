/**
 * `kestra://` URIs of internal storage: parsing and canonical form (every escape refused), and
 * the layout Kestra gives them (core `StorageContext`). Pure: no I/O, usable from any thread.
 *
 * A URI is `kestra:///` + path segments, each percent-encoded. Its canonical path is the list of
 * decoded segments; a segment is refused when it is empty, `.` or `..` (also when written
 * `%2e%2e`), or holds `/`, `\` or NUL once decoded, so no URI can name a file outside the storage
 * root, whatever the backend.
 * @module
 */
import { TroupeError } from '../errors.js';

/** The scheme prefix of internal storage URIs. */
export const KESTRA_PROTOCOL = 'kestra://';

/** A checked storage location: its decoded path segments (never empty). */
export interface StoragePath {
  readonly segments: readonly string[];
}

function refuse(uri: string, why: string): never {
  throw new TroupeError('TROUPE_STORAGE_PATH', `Invalid internal storage URI '${uri}': ${why}`, { uri });
}

/** Checks one decoded segment; returns it. */
function checkSegment(uri: string, segment: string): string {
  if (segment === '') refuse(uri, 'empty path segment');
  if (segment === '.' || segment === '..') refuse(uri, `'${segment}' is not allowed in a path`);
  if (segment.includes('/') || segment.includes('\\')) refuse(uri, 'a path segment holds a slash or a backslash');
  if (segment.includes('\0')) refuse(uri, 'a path segment holds a NUL character');
  return segment;
}

/**
 * Parses a `kestra:///…` URI (or a bare `/a/b` storage path) into its checked path.
 * @throws TroupeError TROUPE_STORAGE_PATH for another scheme (Kestra's "Invalid internal storage
 *   scheme"), a host part, a query or fragment, bad percent-encoding, or any escaping segment
 */
export function parseStorageUri(uri: string): StoragePath {
  if (typeof uri !== 'string') refuse(String(uri), 'not a string');
  let rest: string;
  if (uri.startsWith(KESTRA_PROTOCOL)) {
    rest = uri.slice(KESTRA_PROTOCOL.length);
    if (!rest.startsWith('/')) refuse(uri, "expected 'kestra:///' followed by a path");
  } else if (uri.startsWith('/')) {
    rest = uri;
  } else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri)) {
    throw new TroupeError('TROUPE_STORAGE_PATH', `Invalid internal storage scheme, got uri '${uri}'`, { uri });
  } else {
    refuse(uri, "expected 'kestra:///' followed by a path");
  }
  if (rest.includes('\\')) refuse(uri, 'a backslash is not allowed');
  if (rest.includes('?') || rest.includes('#')) refuse(uri, 'a query or fragment is not allowed');
  const raw = rest.slice(1).split('/');
  if (raw.length === 1 && raw[0] === '') refuse(uri, 'the path is empty');
  const segments = raw.map((s) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(s);
    } catch {
      refuse(uri, 'bad percent-encoding');
    }
    return checkSegment(uri, decoded);
  });
  return { segments };
}

/** Parses a storage prefix: like {@link parseStorageUri}, a trailing `/` allowed. */
export function parseStoragePrefix(uri: string): StoragePath {
  const trimmed = uri.endsWith('/') && uri.length > 1 && !uri.endsWith('///') ? uri.slice(0, -1) : uri;
  return parseStorageUri(trimmed);
}

/** Whether a string is a `kestra://` URI (not whether it is valid). */
export function isStorageUri(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(KESTRA_PROTOCOL);
}

/** Characters kept as they are in a segment (Java's URI keeps these in a path). */
const KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    if (KEEP.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The canonical `kestra:///…` URI of a path. */
export function storageUri(path: StoragePath): string {
  return `${KESTRA_PROTOCOL}/${path.segments.map(encodeSegment).join('/')}`;
}

/** A checked path from decoded segments (each checked as a URI's would be). */
export function storagePath(...segments: string[]): StoragePath {
  const uri = `/${segments.join('/')}`;
  return { segments: segments.map((s) => checkSegment(uri, s)) };
}

/** `path` followed by more segments. */
export function childPath(path: StoragePath, ...segments: string[]): StoragePath {
  return storagePath(...path.segments, ...segments);
}

/** Whether `path` lies under `prefix` (or is it). */
export function isUnder(path: StoragePath, prefix: StoragePath): boolean {
  if (path.segments.length < prefix.segments.length) return false;
  return prefix.segments.every((s, i) => path.segments[i] === s);
}

/** Kestra's `Slugify.of`: flow and task ids in storage paths. */
export function slugify(input: string): string {
  let slug = input
    .replace(/\s/g, '-')
    .normalize('NFD')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .replace(/_/g, '-');
  while (slug.includes('--')) slug = slug.replace(/--/g, '-');
  if (slug.startsWith('-')) slug = slug.slice(1);
  if (slug.endsWith('-')) slug = slug.slice(0, -1);
  return slug.toLowerCase();
}

function namespaceSegments(namespace: string): string[] {
  return namespace.split('.');
}

/** `/<namespace as path>/<slug(flowId)>`: a flow's files (WorkingDirectory caches live under it). */
export function flowPrefix(namespace: string, flowId: string): StoragePath {
  return storagePath(...namespaceSegments(namespace), slugify(flowId));
}

/** `/<ns>/<flow>/executions/<executionId>`: every file of one execution. */
export function executionPrefix(namespace: string, flowId: string, executionId: string): StoragePath {
  return childPath(flowPrefix(namespace, flowId), 'executions', executionId);
}

/** `…/executions/<id>/tasks/<slug(taskId)>/<taskRunId>`: where a task run writes its files. */
export function taskRunPrefix(namespace: string, flowId: string, executionId: string, taskId: string, taskRunId: string): StoragePath {
  return childPath(executionPrefix(namespace, flowId, executionId), 'tasks', slugify(taskId), taskRunId);
}

/** `…/executions/<id>/inputs/<inputId>/<fileName>`: an uploaded FILE input. */
export function inputFilePath(namespace: string, flowId: string, executionId: string, inputId: string, fileName: string): StoragePath {
  return childPath(executionPrefix(namespace, flowId, executionId), 'inputs', inputId, fileName);
}

/** `…/executions/<id>/trigger/<slug(triggerId)>`: files of the trigger that started the execution. */
export function triggerPrefix(namespace: string, flowId: string, executionId: string, triggerId: string): StoragePath {
  return childPath(executionPrefix(namespace, flowId, executionId), 'trigger', slugify(triggerId));
}

/** `/<ns>/_files`: the namespace files root (`fileURI()`, `namespaceFiles`). */
export function namespaceFilesPrefix(namespace: string): StoragePath {
  return storagePath(...namespaceSegments(namespace), '_files');
}

/** `/<ns>/_kv`: where Kestra keeps the namespace's KV values (Troupe keeps KV in LMDB). */
export function kvPrefix(namespace: string): StoragePath {
  return storagePath(...namespaceSegments(namespace), '_kv');
}

/** The execution id a path belongs to (`…/executions/<id>/…`), as Kestra's `extractExecutionId`. */
export function executionIdOf(path: StoragePath): string | undefined {
  for (let i = path.segments.length - 3; i >= 1; i--) if (path.segments[i] === 'executions') return path.segments[i + 1];
  return undefined;
}

/** The file name (last segment) of a path. */
export function fileNameOf(path: StoragePath): string {
  return path.segments[path.segments.length - 1]!;
}

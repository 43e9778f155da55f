/**
 * A task run's view of internal storage ({@link TaskFiles}, `RunnableContext.files`): where it
 * writes its files (`…/executions/<id>/tasks/<slug(taskId)>/<taskRunId>/`, as Kestra) and which
 * URIs it may read — its own execution's files, its parent execution's (a subflow reads the
 * files its parent passed as inputs, as Kestra's `read()` allows through `trigger`), and its
 * namespace's files. Anything else is TROUPE_STORAGE_ACCESS.
 * @module
 */
import { randomInt } from 'node:crypto';
import type { Readable } from 'node:stream';
import { TroupeError } from '../errors.js';
import type { FileJournal } from './file-journal.js';
import type { PutOptions, PutSource, Storage, StorageWriter, StoredFile } from './storage.js';
import { childPath, executionPrefix, isUnder, namespaceFilesPrefix, parseStorageUri, storageUri, taskRunPrefix, type StoragePath } from './uri.js';

/** Who is writing and reading: the run and its execution. */
export interface TaskFilesScope {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string;
  taskRunId: string;
  /** The parent execution of a subflow (from its `trigger`): its files are readable too. */
  parent?: { namespace: string; flowId: string; executionId: string } | undefined;
  /**
   * The attempt's number and the journal its files are noted in before they become visible, so
   * the files of an attempt whose result is never committed are removed when the engine opens.
   */
  attempt?: { number: number; journal: FileJournal };
}

/**
 * The parent execution named by a subflow's `trigger` variables, as a job field (`{}` when none).
 */
export function parentOf(trigger: { variables?: Record<string, unknown> } | undefined): { parent?: { namespace: string; flowId: string; executionId: string } } {
  const v = trigger?.variables;
  if (!v || typeof v['executionId'] !== 'string' || typeof v['namespace'] !== 'string' || typeof v['flowId'] !== 'string') return {};
  return { parent: { namespace: v['namespace'], flowId: v['flowId'], executionId: v['executionId'] } };
}

/** What a task does with internal storage. */
export interface TaskFiles {
  /** The raw storage, for what the scoped methods do not cover (no access check). */
  readonly storage: Storage;
  /** The run's directory. */
  readonly dir: StoragePath;
  /** The execution's directory (`…/executions/<id>`), where every file of the execution lives. */
  readonly executionDir: StoragePath;
  /** Where its namespace's files are (`/<ns>/_files`): what a script's `namespaceFiles` copies. */
  readonly namespaceFiles: StoragePath;
  /** The `kestra:///…` URI a file named `name` (or a relative path `a/b.csv`) gets in the run's directory. */
  uriOf(name: string): string;
  /** A fresh `<digits><ext>` name, as Kestra's storage tasks name their files ({@link tempFileName}). */
  tempName(ext: string): string;
  /** Writes a file named `name` in the run's directory; returns its URI. */
  put(name: string, source: PutSource, options?: PutOptions): Promise<StoredFile>;
  /** Opens a file named `name` in the run's directory for writing in pieces. */
  writer(name: string, options?: PutOptions): Promise<StorageWriter>;
  /**
   * The checked path of a URI the run may read.
   * @throws TroupeError TROUPE_STORAGE_PATH (malformed, escaping), TROUPE_STORAGE_ACCESS (another execution's)
   */
  check(uri: string): StoragePath;
  /** A stream of a readable file (checked). @throws also TROUPE_STORAGE_NOT_FOUND */
  get(uri: string): Promise<Readable>;
  /** Size and date of a readable file (checked). */
  stat(uri: string): Promise<StoredFile>;
}

/**
 * A random file name `<digits><ext>`, as Kestra's `File.createTempFile` names the files of
 * Concat, Split and the other storage tasks.
 */
export function tempFileName(ext: string): string {
  let digits = '';
  for (let i = 0; i < 19; i++) digits += String(randomInt(i === 0 ? 1 : 0, 10));
  return `${digits}${ext}`;
}

/** The prefixes a run may read. */
export function readablePrefixes(scope: TaskFilesScope): StoragePath[] {
  const out = [executionPrefix(scope.namespace, scope.flowId, scope.executionId), namespaceFilesPrefix(scope.namespace)];
  if (scope.parent) out.push(executionPrefix(scope.parent.namespace, scope.parent.flowId, scope.parent.executionId));
  return out;
}

/** Checks a URI against the prefixes a reader may read. */
export function checkReadable(uri: string, prefixes: readonly StoragePath[], reader: string): StoragePath {
  const path = parseStorageUri(uri);
  if (!prefixes.some((p) => isUnder(path, p))) {
    throw new TroupeError('TROUPE_STORAGE_ACCESS', `Unable to read the file '${uri}' as it didn't belong to ${reader}`, { uri });
  }
  return path;
}

/** The {@link TaskFiles} of one task run. */
export function createTaskFiles(storage: Storage, scope: TaskFilesScope): TaskFiles {
  const dir = taskRunPrefix(scope.namespace, scope.flowId, scope.executionId, scope.taskId, scope.taskRunId);
  const prefixes = readablePrefixes(scope);
  // A name may be a relative path (`a/b.csv`, a script's outputDir): each segment is checked.
  const at = (name: string): StoragePath => childPath(dir, ...name.split('/'));
  const check = (uri: string): StoragePath => checkReadable(uri, prefixes, 'the current execution');
  const owner = { executionId: scope.executionId, taskRunId: scope.taskRunId, attempt: scope.attempt?.number ?? 0 };
  const note = async (path: StoragePath): Promise<void> => scope.attempt?.journal.note(owner, storageUri(path));
  return {
    storage,
    dir,
    executionDir: executionPrefix(scope.namespace, scope.flowId, scope.executionId),
    namespaceFiles: namespaceFilesPrefix(scope.namespace),
    uriOf: (name) => storageUri(at(name)),
    tempName: tempFileName,
    put: async (name, source, options) => {
      const path = at(name);
      await note(path);
      return storage.put(path, source, options);
    },
    writer: async (name, options) => {
      const path = at(name);
      await note(path);
      return storage.writer(path, options);
    },
    check,
    get: async (uri) => storage.get(check(uri)),
    stat: async (uri) => storage.stat(check(uri)),
  };
}

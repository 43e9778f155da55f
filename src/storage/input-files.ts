/**
 * FILE inputs of a new execution: typing inputs is synchronous (`src/inputs`), so the host's
 * `storeFile` hook only checks the file and says where it goes; {@link InputFiles.commit} then
 * copies every file into the execution's `inputs/<inputId>/<file name>`, before the execution is
 * created. Sources:
 * - a local path (`troupe run --input f=@./data.csv`, the conformance fixtures): the file keeps its
 *   name; an upload staged under the storage's temp dir (the API) is moved instead of copied;
 * - a `kestra://` URI: kept when it is already this execution's; any other stored file is copied
 *   into this execution (a deviation: Kestra keeps the URI, but Troupe lets an execution read only
 *   its own files, its parent's and its namespace's, so an execution never depends on another's).
 * @module
 */
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { LocalStorage } from './local.js';
import type { FileJournal } from './file-journal.js';
import { executionPrefix, fileNameOf, inputFilePath, isUnder, parseStorageUri, storageUri, type StoragePath } from './uri.js';

/** The execution the files are for. */
export interface InputFilesScope {
  namespace: string;
  flowId: string;
  executionId: string;
}

/** The staged FILE inputs of one execution. */
export interface InputFiles {
  /** The `storeFile` hook of input typing: checks the source, returns the file's URI in this execution. */
  storeFile(inputId: string, value: string): string;
  /** Whether anything waits to be copied. */
  readonly pending: boolean;
  /** Copies (or moves) every staged file into storage; on failure removes what it wrote and throws. */
  commit(): Promise<void>;
}

type Copy = { to: StoragePath; from: { path: string; move: boolean } | { uri: StoragePath } };

/**
 * Stages the FILE inputs of an execution.
 * @param options.maxBytes the largest file accepted (TROUPE_STORAGE_TOO_LARGE beyond)
 * @param options.journal where each copy is noted before it becomes visible: if the execution is
 *   never created (a crash first), the engine deletes them when it opens
 */
export function stageInputFiles(storage: LocalStorage, scope: InputFilesScope, options: { maxBytes?: number; journal?: FileJournal } = {}): InputFiles {
  // Built on the first FILE input only: most executions have none, and this runs for every one.
  let own: StoragePath | undefined;
  const copies: Copy[] = [];
  const target = (inputId: string, name: string): StoragePath => inputFilePath(scope.namespace, scope.flowId, scope.executionId, inputId, name);
  const checkSize = (size: number, what: string): void => {
    if (options.maxBytes !== undefined && size > options.maxBytes) throw new Error(`the file '${what}' is larger than the limit of ${options.maxBytes} bytes`);
  };
  return {
    storeFile(inputId, value) {
      if (value.startsWith('kestra://')) {
        const path = parseStorageUri(value);
        let size: number;
        try {
          size = storage.sizeSync(path);
        } catch {
          throw new Error(`the file '${value}' does not exist in internal storage`);
        }
        if (isUnder(path, (own ??= executionPrefix(scope.namespace, scope.flowId, scope.executionId)))) return storageUri(path);
        checkSize(size, value);
        const to = target(inputId, fileNameOf(path));
        copies.push({ to, from: { uri: path } });
        return storageUri(to);
      }
      const local = resolve(value);
      let stats;
      try {
        stats = statSync(local);
      } catch {
        throw new Error(`the file '${value}' does not exist`);
      }
      if (!stats.isFile()) throw new Error(`'${value}' is not a file`);
      checkSize(stats.size, value);
      const to = target(inputId, basename(local));
      const move = local.startsWith(`${storage.tmpDir}/`);
      copies.push({ to, from: { path: local, move } });
      return storageUri(to);
    },
    get pending() {
      return copies.length > 0;
    },
    async commit() {
      const done: StoragePath[] = [];
      try {
        for (const c of copies) {
          await options.journal?.note({ executionId: scope.executionId }, storageUri(c.to));
          if ('uri' in c.from) await storage.put(c.to, await storage.get(c.from.uri));
          else await storage.put(c.to, { path: c.from.path, move: c.from.move });
          done.push(c.to);
        }
      } catch (err) {
        await Promise.all(done.map((p) => storage.delete(p).catch(() => false)));
        throw err;
      } finally {
        copies.length = 0;
      }
    },
  };
}

/**
 * Which files an attempt wrote before its result was committed. A task run writes its files
 * (atomically: temp file, fsync, rename) before the shard commits the result that references them;
 * a crash in between leaves complete files nothing will ever reference — the attempt runs again
 * and writes new ones. So before each file is renamed into place, its URI is appended (and synced)
 * to a journal of the attempt, `<storageDir>.journal/<owner>`; FILE inputs staged for an execution
 * are journalled the same way under the execution alone.
 *
 * When the engine opens, before anything is dispatched again, {@link FileJournal.reconcile} reads
 * every journal: an owner whose record was committed (the attempt has a result in the store; the
 * execution exists) keeps its files and loses its journal; any other owner's files are deleted,
 * then its journal. While the engine runs, {@link FileJournal.reconcile} with `committedOnly`
 * removes the journals of committed owners (the others may still be running).
 * @module
 */
import { appendFile, mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage } from './storage.js';

/** Who wrote a file: an attempt of a task run, or (no `taskRunId`) the execution's own FILE inputs. */
export interface FileOwner {
  executionId: string;
  taskRunId?: string;
  attempt?: number;
}

/** What one reconciliation did. */
export interface JournalReport {
  /** Journals of committed owners removed (their files kept). */
  committed: number;
  /** Owners that never committed: their files were deleted. */
  orphaned: number;
  /** Files deleted. */
  deletedFiles: number;
}

const SEP = '~';

function fileName(owner: FileOwner): string {
  const parts = [owner.executionId, ...(owner.taskRunId === undefined ? [] : [owner.taskRunId, String(owner.attempt ?? 0)])];
  return parts.map(encodeURIComponent).join(SEP);
}

function ownerOf(name: string): FileOwner | undefined {
  const parts = name.split(SEP).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 1) return { executionId: parts[0]! };
  const attempt = Number(parts[2]);
  if (parts.length !== 3 || !Number.isInteger(attempt)) return undefined;
  return { executionId: parts[0]!, taskRunId: parts[1]!, attempt };
}

/** The journals of a storage root. */
export class FileJournal {
  readonly dir: string;
  readonly #noSync: boolean;

  /** @param storageRoot the storage root: journals live in `<storageRoot>.journal` */
  constructor(storageRoot: string, noSync = false) {
    this.dir = `${storageRoot}.journal`;
    this.#noSync = noSync;
  }

  /** Records that `owner` is about to make the file `uri` visible; resolves once that is durable. */
  async note(owner: FileOwner, uri: string): Promise<void> {
    const file = join(this.dir, fileName(owner));
    try {
      await appendFile(file, `${uri}\n`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(this.dir, { recursive: true });
      await appendFile(file, `${uri}\n`);
    }
    if (this.#noSync) return;
    const h = await open(file, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  }

  /**
   * Removes the journals of committed owners, and (unless `committedOnly`) deletes the files of
   * every other owner, then its journal. `committed` answers from the store.
   */
  async reconcile(storage: Storage, committed: (owner: FileOwner) => boolean, options: { committedOnly?: boolean } = {}): Promise<JournalReport> {
    const report: JournalReport = { committed: 0, orphaned: 0, deletedFiles: 0 };
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return report;
      throw err;
    }
    for (const name of names) {
      const path = join(this.dir, name);
      const owner = ownerOf(name);
      if (owner && committed(owner)) {
        await rm(path, { force: true });
        report.committed++;
        continue;
      }
      if (options.committedOnly) continue;
      if (owner) {
        // A torn last line (a crash mid-append) names a file that was never renamed into place.
        const uris = (await readFile(path, 'utf8')).split('\n').filter((u) => u !== '');
        for (const uri of uris) {
          try {
            if (await storage.delete(uri)) report.deletedFiles++;
          } catch {
            // a malformed (torn) line: nothing was written under it
          }
        }
      }
      await rm(path, { force: true });
      report.orphaned++;
    }
    return report;
  }
}

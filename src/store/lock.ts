/**
 * The data-dir lock: one process at a time owns a data dir (its threads share it). A lock file
 * created exclusively holds the owner's pid; a lock whose pid is dead is stale and taken over.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { TroupeError } from '../errors.js';
import { lockPath } from './layout.js';

/** A held data-dir lock. */
export interface DataDirLock {
  /** The lock file. */
  readonly file: string;
  /** Removes the lock file if this process still owns it; calling it again does nothing. */
  release(): void;
}

function errnoCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/** The pid in a lock file, or undefined when it cannot be read or holds no pid. */
function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockedError(dataDir: string, file: string, pid: number): TroupeError {
  return new TroupeError(
    'TROUPE_STORE_LOCKED',
    `data dir ${dataDir} is in use by process ${pid}; stop that process, or use another data dir (if no Troupe runs there, delete ${file})`,
    { dataDir, file, pid },
  );
}

/**
 * Takes the exclusive lock of a data dir for this process, creating the dir when absent.
 * @param dataDir the data dir to lock
 * @returns the lock; release it when the data dir is closed
 * @throws TroupeError TROUPE_STORE_LOCKED when a live process (this one included) holds it
 * @example
 * const lock = acquireDataDirLock(dataDir);
 * try { ... } finally { lock.release(); }
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  // Two attempts: the second follows the removal of a stale lock. Two processes taking over the
  // same stale lock at once can race between the read and the unlink; the window is a few µs.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return createLock(file);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner !== undefined && isAlive(owner)) throw lockedError(dataDir, file, owner);
    try {
      unlinkSync(file);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  const owner = readOwner(file);
  throw lockedError(dataDir, file, owner ?? 0);
}

function createLock(file: string): DataDirLock {
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      if (readOwner(file) !== process.pid) return;
      try {
        unlinkSync(file);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
    },
  };
}

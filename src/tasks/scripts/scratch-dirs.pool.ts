/**
 * Scratch working directories of script attempts (`{{ workingDir }}` with its `{{ outputDir }}`
 * inside), reused within a pool thread: an attempt that leaves its directory as it was made (its
 * output dir empty, nothing else in it, the same permissions) gives it back, and the thread's next
 * attempt takes it instead of making a new one; a directory left with anything in it is removed.
 *
 * Why: removing a directory is a journaled metadata operation that frees a block — milliseconds on
 * a busy disk (2–5 ms per rmdir measured on the bench VM's ext4, more than starting the process),
 * and done in the background it still stalls the next attempt's mkdir behind the journal. An empty
 * directory is the same whoever made it, so nothing of an attempt reaches the next one. Directories
 * still free when the engine stops go with every other leftover of the work dir at its next open.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One attempt's working dir and its output dir. */
export interface ScratchDir {
  wd: string;
  outputDir: string;
}

/** Free directories kept per thread at most (a thread runs up to `maxProcesses` children at once). */
const MAX_FREE = 32;
/** Free directories, with the modes of the working dir and the output dir as made. */
const free: Array<ScratchDir & { mode: string }> = [];
/** Modes of the directories in use, by working dir. */
const modes = new Map<string, string>();

const name = (): string => randomBytes(8).toString('hex');
const modeOf = (dir: ScratchDir): string => `${statSync(dir.wd).mode}:${statSync(dir.outputDir).mode}`;

/** A working dir under `workDir` with its output dir: a free one of this thread, or a new one. */
export function takeScratchDir(workDir: string): ScratchDir {
  for (let i = free.length - 1; i >= 0; i--) {
    const dir = free[i]!;
    if (dirname(dir.wd) !== workDir) continue;
    free.splice(i, 1);
    try {
      if (modeOf(dir) === dir.mode) {
        modes.set(dir.wd, dir.mode);
        return { wd: dir.wd, outputDir: dir.outputDir };
      }
    } catch {
      // removed meanwhile: make a new one
    }
  }
  const wd = join(workDir, name());
  const outputDir = join(wd, name());
  mkdirSync(outputDir, { recursive: true });
  const dir = { wd, outputDir };
  modes.set(wd, modeOf(dir));
  return dir;
}

/** Whether `dir` holds its empty output dir and nothing else, with the permissions it was made with. */
function asMade(dir: ScratchDir, mode: string): boolean {
  try {
    const top = readdirSync(dir.wd);
    return top.length === 1 && top[0] === basename(dir.outputDir) && readdirSync(dir.outputDir).length === 0 && modeOf(dir) === mode;
  } catch {
    return false;
  }
}

/** The attempt is over (its processes gone): its directory is kept for the next attempt when it is as made, else removed. */
export function giveBackScratchDir(dir: ScratchDir): void {
  const mode = modes.get(dir.wd);
  modes.delete(dir.wd);
  if (mode !== undefined && free.length < MAX_FREE && asMade(dir, mode)) {
    free.push({ wd: dir.wd, outputDir: dir.outputDir, mode });
    return;
  }
  rmSync(dir.wd, { recursive: true, force: true });
}

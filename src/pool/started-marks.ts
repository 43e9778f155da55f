/**
 * Started marks: which attempts a pool thread has begun, so that a crash counts against
 * `maxAttemptCrashes` only for attempts that were really running when it happened.
 *
 * Recovery after a crash finds every attempt that was dispatched without a result "in flight".
 * Most of them may never have reached a thread: with threads started on demand, a life that ends
 * before its first thread is up has begun none of its recovered attempts, and counting the crash
 * against them would fail innocent attempts after three quick crashes. So each pool thread, when
 * a batch of jobs arrives and before any of their code runs, appends one line per attempt to its
 * own file `<dataDir>/started/<life>-<n>`: `executionId taskRunId attemptNumber crashes`, in one
 * write(2) per batch and without fsync. As with the process markers (process-markers.ts), the
 * failure guarded against is the death of the process, which leaves the page cache intact; a
 * machine crash (which a poison pill does not cause) may lose marks, and then that crash is not
 * counted.
 *
 * The line carries the crash count the attempt had when it was dispatched (`TaskJob.crashes`), so
 * a mark matches only the dispatch that wrote it: once recovery has counted a crash, the count
 * moves on and old marks (of an earlier life, or of a shard's previous thread in this process)
 * never count again. A thread's file is rewritten with the attempts it still runs once it grows
 * past {@link ROTATE_BYTES}; the pool removes it when the thread exits, and `Engine.open` removes
 * the files of a previous life once its shards have recovered.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskJob } from '../protocol/pool-messages.js';

/** A thread's file is rewritten (with what it still runs) past this size. */
const ROTATE_BYTES = 1 << 20;

/** Where the pool threads of an engine on `dataDir` keep their started marks. */
export function startedDir(dataDir: string): string {
  return join(dataDir, 'started');
}

/** The mark of one dispatch of an attempt. */
export function startedKey(executionId: string, taskRunId: string, attemptNumber: number, crashes: number): string {
  return `${executionId} ${taskRunId} ${attemptNumber} ${crashes}`;
}

function keyOf(job: TaskJob): string {
  return startedKey(job.executionId, job.taskRunId, job.attemptNumber, job.crashes ?? 0);
}

/** A pool thread's file of started marks. */
export class StartedLog {
  readonly #path: string;
  #fd: number | undefined;
  #bytes = 0;
  /** Marks of the attempts this thread runs now (a count: the same dispatch may arrive twice). */
  readonly #running = new Map<string, number>();

  constructor(path: string) {
    this.#path = path;
  }

  /** Marks a batch of jobs as begun (before any of them runs). Phases of a flowable's work are no attempts. */
  begin(jobs: ReadonlyArray<{ value: TaskJob }>): void {
    let text = '';
    for (const { value: job } of jobs) {
      if (job.work) continue;
      const key = keyOf(job);
      this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
      text += `${key}\n`;
    }
    if (!text) return;
    if (this.#bytes > ROTATE_BYTES) this.#rotate();
    if (this.#fd === undefined) {
      mkdirSync(join(this.#path, '..'), { recursive: true });
      this.#fd = openSync(this.#path, 'a');
    }
    this.#bytes += writeSync(this.#fd, text);
  }

  /** The attempt of `job` ended in this thread. */
  end(job: TaskJob): void {
    if (job.work) return;
    const key = keyOf(job);
    const n = this.#running.get(key) ?? 0;
    if (n <= 1) this.#running.delete(key);
    else this.#running.set(key, n - 1);
  }

  /** Replaces the file with the marks of the attempts still running (a rename: a crash meanwhile leaves one whole file). */
  #rotate(): void {
    closeSync(this.#fd!);
    this.#fd = undefined;
    const tmp = `${this.#path}.tmp`;
    const fd = openSync(tmp, 'w');
    let text = '';
    for (const [key, n] of this.#running) for (let i = 0; i < n; i++) text += `${key}\n`;
    this.#bytes = text ? writeSync(fd, text) : 0;
    closeSync(fd);
    renameSync(tmp, this.#path);
  }
}

/** The files of started marks in `dir` now. */
export function listStartedLogs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.endsWith('.tmp')).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** Every started mark in `dir` (a line cut short by a crash matches nothing). */
export function readStartedMarks(dir: string): Set<string> {
  const marks = new Set<string>();
  for (const path of listStartedLogs(dir)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // removed meanwhile (its thread exited)
    }
    for (const line of text.split('\n')) if (line) marks.add(line);
  }
  return marks;
}

/** Removes files of started marks (a thread's that exited, or a previous life's once recovered). */
export function removeStartedLogs(paths: Iterable<string>): void {
  for (const path of paths) {
    rmSync(path, { force: true });
    rmSync(`${path}.tmp`, { force: true });
  }
}

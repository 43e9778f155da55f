/**
 * Started marks (pool/started-marks.ts): what a pool thread writes before it begins attempts, as
 * recovery reads it back — one mark per attempt and crash count, phases of a flowable's work left
 * out, and a file rewritten with only the attempts still running once it grows past its bound.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listStartedLogs, readStartedMarks, removeStartedLogs, StartedLog, startedDir, startedKey } from '../../src/pool/started-marks.js';
import type { TaskJob } from '../../src/protocol/pool-messages.js';
import { tempDir } from '../helpers/engine.js';

let dataDir = '';
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Ids as long as real ones (22 characters). */
const id = (s: string): string => s.padEnd(22, '_');

function job(n: number, extra: Partial<TaskJob> = {}): { value: TaskJob } {
  return { value: { executionId: id(`x${n % 7}`), namespace: 'ns', flowId: 'f', taskRunId: id(`run${n}`), attemptNumber: 1, task: { id: 't', type: 'io.kestra.plugin.core.debug.Return' } as TaskJob['task'], vars: {}, ...extra } };
}

describe('started marks', () => {
  it('marks each attempt a thread begins with its crash count, not the phases of a work', () => {
    dataDir = tempDir('troupe-started-');
    const dir = startedDir(dataDir);
    const log = new StartedLog(join(dir, 'a-1'));
    log.begin([job(1), job(2, { crashes: 2, attemptNumber: 3 }), job(3, { work: 'setup' })]);
    const marks = readStartedMarks(dir);
    expect([...marks].sort()).toEqual([startedKey(id('x1'), id('run1'), 1, 0), startedKey(id('x2'), id('run2'), 3, 2)]);
    // The same run dispatched again after a counted crash is another mark.
    expect(marks.has(startedKey(id('x2'), id('run2'), 3, 3))).toBe(false);
  });

  it('reads every thread file, and removes them', () => {
    dataDir = tempDir('troupe-started-');
    const dir = startedDir(dataDir);
    expect(readStartedMarks(dir).size).toBe(0); // no directory yet
    new StartedLog(join(dir, 'a-1')).begin([job(1)]);
    new StartedLog(join(dir, 'a-2')).begin([job(2)]);
    expect(readStartedMarks(dir).size).toBe(2);
    removeStartedLogs(listStartedLogs(dir));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rewrites a grown file with the attempts still running', () => {
    dataDir = tempDir('troupe-started-');
    const dir = startedDir(dataDir);
    const path = join(dir, 'a-1');
    const log = new StartedLog(path);
    const kept = job(0);
    log.begin([kept]);
    // Far past the bound (1 MiB), in batches that end before the next arrives.
    for (let b = 0; b < 600; b++) {
      const batch = Array.from({ length: 64 }, (_, i) => job(1 + b * 64 + i));
      log.begin(batch);
      for (const j of batch) log.end(j.value);
    }
    expect(statSync(path).size).toBeLessThan(2 << 20);
    const marks = readStartedMarks(dir);
    expect(marks.has(startedKey(id('x0'), id('run0'), 1, 0))).toBe(true); // still running: kept through every rewrite
    expect(marks.size).toBeLessThan(600 * 64 / 2);
    expect(readdirSync(dir)).toEqual(['a-1']);
  });
});

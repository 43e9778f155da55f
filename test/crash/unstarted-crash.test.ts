/**
 * A crash counts against `maxAttemptCrashes` only for attempts a pool thread had begun: an
 * engine whose threads start on demand, killed again and again before any thread starts (so its
 * recovered attempt is in flight at every crash, never begun), still runs the execution to
 * SUCCESS once a life lets a thread start — no TROUPE_TASK_CRASHED, however many lives died.
 * Real child processes killed with SIGKILL, the real LMDB file.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/engine.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const preload = here('./no-thread-preload.mjs');
const script = here('./unstarted-life.mjs');

let dataDir = '';
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function life(args: string[], killThreads: boolean): { signal: NodeJS.Signals | null; status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...(killThreads ? ['--import', preload] : []), script, dataDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('crashes before any thread began an attempt', () => {
  it('do not count against maxAttemptCrashes: the execution succeeds after 5 such crashes', () => {
    dataDir = tempDir('troupe-unstarted-');
    // The first life creates the execution; its first dispatch asks for a thread, which kills it.
    expect(life(['start'], true).signal).toBe('SIGKILL');
    // Four recoveries (more than maxAttemptCrashes, 3): each commits the recovery, dispatches the
    // attempt again, asks for a thread and dies before one starts.
    for (let i = 0; i < 4; i++) expect(life([], true).signal).toBe('SIGKILL');

    const store = openStore({ dataDir, readOnly: true });
    try {
      const [id] = store.listExecutionIds();
      // Still in flight, and no crash was counted against it.
      expect(store.readHeader(id!)!.state.current).toBe('RUNNING');
      expect(store.readTaskRuns(id!).every((r) => r.crashes === undefined)).toBe(true);
    } finally {
      void store.close();
    }

    const last = life([], false);
    expect(last.status, last.stderr).toBe(0);
    const ended = JSON.parse(last.stdout) as Array<{ state: string; taskRuns: Array<[string, string, number]> }>;
    expect(ended).toHaveLength(1);
    expect(ended[0]!.state).toBe('SUCCESS');
    expect(ended[0]!.taskRuns).toEqual([
      ['values', 'SUCCESS', 1],
      ['log', 'SUCCESS', 1],
    ]);
  });
});

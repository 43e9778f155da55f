/**
 * A poison pill cannot crash-loop recovery (issue 10 §3): a task that kills the whole process
 * whenever it runs is dispatched again after each crash until it has been in flight during
 * `maxAttemptCrashes` (3) consecutive crashes; then `troupe recover` fails it with
 * TROUPE_TASK_CRASHED (no retry), the execution ends, and the other execution is unaffected
 * (still PAUSED, reported as waiting).
 * Real child processes killed with SIGKILL, the real CLI, the real LMDB file.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/engine.js';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const preload = here('./poison-preload.mjs');
const troupe = here('../../bin/troupe.js');

let dataDir = '';
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function life(args: string[]): { signal: NodeJS.Signals | null; status: number | null; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', preload, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { signal: r.signal, status: r.status, stdout: r.stdout };
}

describe('crash redelivery bound', () => {
  it('fails an attempt in flight during 3 consecutive crashes instead of dispatching it again', () => {
    dataDir = tempDir('troupe-poison-');
    const first = life([here('./poison-start.mjs'), dataDir]);
    expect(first.signal).toBe('SIGKILL');

    // Two recoveries dispatch it again (crash counts 1 and 2, stored before each dispatch) and die.
    for (let i = 0; i < 2; i++) expect(life([troupe, 'recover', '--data', dataDir, '--json']).signal).toBe('SIGKILL');
    // The third finds it in flight after a third crash: failed, not dispatched; recover ends.
    const last = life([troupe, 'recover', '--data', dataDir, '--json']);
    expect(last.signal).toBeNull();
    expect(last.status).toBe(1);
    const report = JSON.parse(last.stdout) as { recovered: Array<{ id: string; flowId: string; state: string }> };
    expect(report.recovered.find((r) => r.flowId === 'poisoned')?.state).toBe('FAILED');

    const store = openStore({ dataDir, readOnly: true });
    try {
      // Both were created durably before the first crash (whether or not their ids were printed).
      const byFlow = new Map(store.listExecutionIds().map((id) => [store.readHeader(id)!.flowId, id]));
      const poisoned = byFlow.get('poisoned')!;
      const innocent = byFlow.get('innocent')!;
      const x = store.readExecution(poisoned)!;
      expect(x.state.current).toBe('FAILED');
      const runs = Object.fromEntries((x.taskRunList ?? []).map((r) => [r.taskId, r]));
      expect(runs.before!.state.current).toBe('SUCCESS');
      // Failed once, never retried (its retry policy would allow 5 attempts), errors branch run.
      expect(runs.poison!.state.current).toBe('FAILED');
      expect(runs.poison!.attempts!.map((a) => a.state.current)).toEqual(['FAILED']);
      expect(runs.handler!.state.current).toBe('SUCCESS');
      expect(store.readTaskRuns(poisoned).every((r) => r.crashes === undefined)).toBe(true);
      const line = store.readLogs(poisoned).find((l) => l.level === 'ERROR' && l.taskId === 'poison')!;
      expect(line.message).toBe("TROUPE_TASK_CRASHED: attempt 1 of task 'poison' was in flight during 3 consecutive crashes; it is failed instead of being dispatched again (engine option maxAttemptCrashes: 3)");
      expect(store.readHeader(innocent)!.state.current).toBe('PAUSED');
    } finally {
      void store.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});
async function open(): Promise<Engine> {
  const t = await openTestEngine({ noSync: true });
  disposers.push(t.dispose);
  return t.engine;
}

async function settle(e: Engine, originalId: string, count: number) {
  for (let i = 0; i < 1000; i++) {
    const all = e.list({ originalId });
    if (all.length >= count && all.every((x) => ['SUCCESS', 'FAILED', 'RETRIED', 'WARNING'].includes(x.state.current))) return all;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('replays did not settle');
}

describe('retry with CREATE_NEW_EXECUTION', () => {
  it('replays the execution until maxAttempt: RETRIED, RETRIED, FAILED', async () => {
    const e = await open();
    const rec = await e.deploy(`
id: replay
namespace: t
labels: { team: a }
tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
    retry:
      type: constant
      interval: PT0.1S
      maxAttempt: 3
      behavior: CREATE_NEW_EXECUTION
`);
    const first = await e.execute(rec.namespace, rec.id);
    const x = await e.waitFor(first);
    expect(x.state.current).toBe('RETRIED');
    expect(x.taskRunList!.map((r) => r.state.current)).toEqual(['RETRIED']);
    const all = await settle(e, first, 3);
    expect(all.map((a) => a.state.current)).toEqual(['RETRIED', 'RETRIED', 'FAILED']);
    expect(all.map((a) => a.metadata.attemptNumber)).toEqual([1, 2, 3]);
    expect(all[1]!.parentId).toBe(first);
    expect(all[2]!.parentId).toBe(all[1]!.id);
    expect(all.every((a) => a.originalId === first)).toBe(true);
    expect(all[2]!.labels).toContainEqual({ key: 'team', value: 'a' });
    expect(all[2]!.labels.filter((l) => l.key === 'system.correlationId')).toEqual([{ key: 'system.correlationId', value: first }]);
    // The replay is scheduled one interval after the failed attempt ended, and starts no earlier.
    const failedAt = Date.parse(x.taskRunList![0]!.attempts!.at(-1)!.state.histories.at(-1)!.date);
    const scheduled = Date.parse(all[1]!.scheduleDate!);
    expect(scheduled - failedAt).toBeGreaterThanOrEqual(100);
    expect(Date.parse(all[1]!.state.histories[1]!.date)).toBeGreaterThanOrEqual(scheduled);
  });
});

/**
 * ForEachItem across crashes: kill -9 of the process running the engine while batches run, and a
 * shard thread terminated mid-run. After recovery every batch has exactly one subflow execution
 * (none doubled, none lost), each counted once, and the merged outputs list every batch in order.
 * Needs `npm run build` (the child process imports dist/).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, tempDir } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';
// @ts-expect-error a plain .mjs module of the crash suite, without types
import { CHILD, PARENT } from './for-each-item-flows.mjs';

const SCRIPT = fileURLToPath(new URL('./for-each-item-child.mjs', import.meta.url));
const BATCHES = 120;
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function itemsFile(dir: string): string {
  const p = join(dir, 'items.txt');
  writeFileSync(p, Array.from({ length: BATCHES }, (_, i) => `line ${i + 1}\n`).join(''));
  return p;
}

/** Every batch ran once and was counted once; the merged outputs name every batch in order. */
async function expectEveryBatchOnce(engine: Engine, parentId: string): Promise<void> {
  const parent = await engine.waitFor(parentId);
  expect(parent.state.current).toBe('SUCCESS');
  const items = parent.taskRunList!.find((r) => r.taskId === 'each_items')!;
  expect(items.outputs).toMatchObject({ iterations: { CREATED: 0, RUNNING: 0, SUCCESS: BATCHES }, numberOfBatches: BATCHES });
  const kids = engine.list({ namespace: 'crash.fei', flowId: 'child' }).filter((k) => k.trigger?.variables?.['executionId'] === parentId);
  expect(kids).toHaveLength(BATCHES);
  expect(new Set(kids.map((k) => k.inputs!['n'])).size).toBe(BATCHES);
  expect(kids.every((k) => k.state.current === 'SUCCESS')).toBe(true);
  const merge = parent.taskRunList!.find((r) => r.taskId === 'each_merge')!;
  const merged = await text(await engine.storage.get((merge.outputs as Record<string, string>)['subflowOutputs']!));
  expect(merged).toBe(Array.from({ length: BATCHES }, (_, i) => `{n:${i + 1}}\n`).join(''));
}

describe('ForEachItem and crashes', () => {
  it('kill -9 while batches run: after recovery every batch has exactly one subflow execution, counted once', async () => {
    const dataDir = tempDir('troupe-fei-crash-');
    const items = itemsFile(dataDir);
    const child = spawn(process.execPath, [SCRIPT, dataDir, items, '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => void child.kill('SIGKILL'));
    let parentId = '';
    let endedAtKill = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      const msg = JSON.parse(line) as { t: string; id?: string; n?: number };
      if (msg.t === 'ack') parentId = msg.id!;
      if (msg.t === 'ended' && msg.n! >= 24) {
        endedAtKill = msg.n!;
        child.kill('SIGKILL');
        break;
      }
    }
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(parentId).not.toBe('');
    expect(endedAtKill).toBeLessThan(BATCHES);
    const t = await openTestEngine({ dataDir, shards: 2, poolThreads: 2, maxActiveRuns: 8 });
    cleanup.push(t.dispose);
    expect(t.engine.recovering).toContain(parentId);
    await expectEveryBatchOnce(t.engine, parentId);
  });

  it('a shard thread terminated while batches run: the same, without a restart of the process', async () => {
    const t = await openTestEngine({ shards: 2, poolThreads: 2, maxActiveRuns: 8 });
    cleanup.push(t.dispose);
    const items = itemsFile(t.dataDir);
    await t.engine.deploy(CHILD as string);
    await t.engine.deploy(PARENT as string);
    const id = await t.engine.execute('crash.fei', 'parent', { f: items });
    let shard = 0;
    for (let i = 0; i < 4000; i++) {
      const it = (t.engine.get(id)?.taskRunList?.find((r) => r.taskId === 'each_items')?.outputs as { iterations?: Record<string, number> } | null)?.iterations;
      const ended = it?.['SUCCESS'] ?? 0;
      if (ended >= 20 * (shard + 1) && shard < 2) await t.engine.terminateShard(shard++);
      if (shard === 2) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(shard).toBe(2);
    expect(t.engine.shardRestarts).toBe(2);
    await expectEveryBatchOnce(t.engine, id);
  });
});

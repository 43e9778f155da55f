/**
 * kill -9 at the dangerous point of work one execution causes elsewhere: an upstream's end is
 * durable and its Flow trigger has not created the downstream yet; a Subflow without `wait` asked
 * for its child and the child's creation is not durable yet. After the next open each firing has
 * exactly one downstream execution and the child exists exactly once. The child process kills
 * itself (SIGKILL) from inside the engine's handling of the drain (outbox-child.mjs); the
 * 1,000-upstream case adds kills at seeded random times from outside. Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';
// @ts-expect-error a plain .mjs module of the crash suite, without types
import { prng } from './prng.mjs';

const SCRIPT = fileURLToPath(new URL('./outbox-child.mjs', import.meta.url));
const NS = 'crash.outbox';
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface Line {
  t: string;
  id?: string;
}

/** Runs one life of the child process; `onLine` may kill it. Resolves with its lines and how it ended. */
async function life(args: string[], onLine: (line: Line, child: ChildProcess) => void = () => {}): Promise<{ lines: Line[]; signal: NodeJS.Signals | null; code: number | null }> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => void child.kill('SIGKILL'));
  const exited = new Promise<{ signal: NodeJS.Signals | null; code: number | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines: Line[] = [];
  for await (const text of createInterface({ input: child.stdout! })) {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    onLine(line, child);
  }
  return { lines, ...(await exited) };
}

function dataDir(prefix: string): string {
  const d = tempDir(prefix);
  cleanup.unshift(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function engineOn(dir: string): Promise<Engine> {
  const t = await openTestEngine({ dataDir: dir, shards: 2, poolThreads: 2 });
  cleanup.push(() => t.engine.close());
  return t.engine;
}

/** Waits until the downstream executions number `count` and have ended, the trigger service idle. */
async function downstreams(engine: Engine, count: number): Promise<ReturnType<Engine['list']>> {
  for (let i = 0; i < 6000; i++) {
    await engine.triggers.idle();
    const list = engine.list({ namespace: NS, flowId: 'down' });
    if (list.length >= count && list.every((d) => d.state.current === 'SUCCESS')) return list;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${engine.list({ namespace: NS, flowId: 'down' }).length} downstream executions, expected ${count}`);
}

describe('kill -9 between an execution end and the work it causes', () => {
  it('an upstream ended, killed before its downstream was created: the next open creates exactly one', async () => {
    const dir = dataDir('troupe-outbox-crash-');
    const first = await life(['single', dir]);
    expect(first.signal).toBe('SIGKILL');
    const upId = first.lines.find((l) => l.t === 'kill')!.id!;
    // What the kill left: the end and its outbox record, no downstream.
    const store = openStore({ dataDir: dir, readOnly: true });
    expect(store.readHeader(upId)!.state.current).toBe('SUCCESS');
    expect(store.readOutbox(upId)).toHaveLength(1);
    expect(store.listExecutionIds().map((id) => store.readHeader(id)!.flowId).filter((f) => f === 'down')).toEqual([]);
    await store.close();
    let engine = await engineOn(dir);
    const [down, ...more] = await downstreams(engine, 1);
    expect(more).toEqual([]);
    expect(down!.trigger!.variables).toMatchObject({ executionId: upId, flowId: 'up', state: 'SUCCESS' });
    await engine.close();
    engine = await engineOn(dir);
    await engine.triggers.idle();
    expect(engine.list({ namespace: NS, flowId: 'down' }).map((d) => d.id)).toEqual([down!.id]);
  });

  it('1,000 upstream executions across kills (at the dangerous point and at random times): exactly 1,000 downstream executions', async () => {
    const TOTAL = 1000;
    const seed = Number(process.env.CRASH_SEED ?? 20261130);
    const random = prng(seed);
    const dir = dataDir('troupe-outbox-many-');
    const kills = { dangerous: 0, random: 0 };
    for (let i = 0; i < 6; i++) {
      // Even lives kill themselves at the end of their nth upstream; odd ones are killed from outside at a random time.
      const killAfter = i % 2 === 0 ? 20 + Math.floor(random() * 150) : 0;
      const afterMs = 300 + Math.floor(random() * 1500);
      const run = await life(['many', dir, String(TOTAL), String(killAfter)], (line, child) => {
        if (line.t === 'open' && killAfter === 0) setTimeout(() => child.kill('SIGKILL'), afterMs).unref();
      });
      if (run.lines.some((l) => l.t === 'done')) break;
      expect(run.signal, `seed ${seed}, life ${i}`).toBe('SIGKILL');
      if (run.lines.some((l) => l.t === 'kill')) kills.dangerous += 1;
      else kills.random += 1;
    }
    const last = await life(['many', dir, String(TOTAL), '0']);
    expect(last.code, `seed ${seed}`).toBe(0);
    expect(kills.dangerous, `seed ${seed}`).toBeGreaterThan(0);
    const engine = await engineOn(dir);
    const ups = engine.list({ namespace: NS, flowId: 'up' });
    const downs = await downstreams(engine, TOTAL);
    expect(ups).toHaveLength(TOTAL);
    expect(downs).toHaveLength(TOTAL);
    expect(new Set(downs.map((d) => d.trigger!.variables!['executionId']))).toEqual(new Set(ups.map((u) => u.id)));
    await engine.close();
    const store = openStore({ dataDir: dir, readOnly: true });
    expect(store.listOutbox()).toEqual([]);
    await store.close();
  });

  it('a Subflow with wait: false, killed once it asked for its child: the child exists exactly once after the next open', async () => {
    const dir = dataDir('troupe-outbox-subflow-');
    const first = await life(['subflow', dir]);
    expect(first.signal).toBe('SIGKILL');
    const parentId = first.lines.find((l) => l.t === 'kill')!.id!;
    const engine = await engineOn(dir);
    const parent = await engine.waitFor(parentId);
    expect(parent.state.current).toBe('SUCCESS');
    const launch = parent.taskRunList!.find((r) => r.taskId === 'launch')!;
    const childId = (launch.outputs as { executionId: string }).executionId;
    expect(launch.outputs).toMatchObject({ state: 'CREATED' });
    expect(parent.taskRunList!.find((r) => r.taskId === 'after')!.outputs).toEqual({ value: childId });
    expect((await engine.waitFor(childId)).state.current).toBe('SUCCESS');
    const children = engine.list({ namespace: NS, flowId: 'child' });
    expect(children.map((c) => c.id)).toEqual([childId]);
    expect(children[0]!.trigger!.variables).toMatchObject({ executionId: parentId });
  });
});

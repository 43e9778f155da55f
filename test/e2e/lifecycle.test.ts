/**
 * Lifecycle faults of the engine (issue 10 §4): a failed open and a close with a dead shard
 * release everything; a shard thread that dies is restarted and its executions recovered; an
 * execution whose records cannot be loaded fails alone, with its id in the error.
 * Real shard threads, a real pool, real LMDB files; time from a TestClock.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { asBinary, open } from 'lmdb';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { TestClock } from '../../src/runtime/clock.js';
import { LOCK_FILE, STORE_FILE } from '../../src/store/index.js';
import { tempDir } from '../helpers/engine.js';

const dirs: string[] = [];
const engines: Engine[] = [];
afterEach(async () => {
  while (engines.length) await engines.pop()!.close();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function dir(): string {
  const d = tempDir('troupe-lifecycle-');
  dirs.push(d);
  return d;
}

async function openEngine(dataDir: string, clock = new TestClock(), shards = 1): Promise<Engine> {
  const engine = await Engine.open({ dataDir, clock, shards, poolThreads: 1, noSync: true });
  engines.push(engine);
  return engine;
}

async function closeEngine(engine: Engine): Promise<void> {
  engines.splice(engines.indexOf(engine), 1);
  await engine.close();
}

const sleeper = `id: sleeper
namespace: life
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1H
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "woke at {{ execution.id | length }}"
`;

const paused = (id: string): string => `id: ${id}
namespace: life
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: done
`;

/** Changes the store with lmdb-js directly, as a bad disk or another program would. */
async function tamper(dataDir: string, dbName: string, key: unknown, value: unknown): Promise<void> {
  const root = open({ path: join(dataDir, STORE_FILE) });
  const db = root.openDB(dbName, { encoding: 'binary' });
  if (value === undefined) await db.remove(key as string);
  else await db.put(key as string, value);
  await root.close();
}

async function until(read: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !read(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(read()).toBe(true);
}

describe('open and close always release', () => {
  it('releases the data-dir lock when open fails after taking it', async () => {
    const dataDir = dir();
    // A function cannot be cloned to a shard thread: the open fails after lock, store and pool.
    await expect(Engine.open({ dataDir, poolThreads: 1, globals: { f: () => 1 } })).rejects.toThrow(/could not be cloned/);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const engine = await openEngine(dataDir);
    await engine.deploy(paused('p'));
    expect(engine.listFlows()).toHaveLength(1);
  });

  it('closes when a shard thread is dead and will not be restarted', async () => {
    const dataDir = dir();
    const engine = await openEngine(dataDir);
    // A TestClock does not move by itself: four deaths fall in one restart window.
    for (let i = 0; i < 3; i++) await engine.terminateShard(0);
    expect(engine.shardRestarts).toBe(3);
    await expect(engine.terminateShard(0)).rejects.toMatchObject({ code: 'TROUPE_SHARD_FAILED' });
    expect(() => engine.list()).toThrow(expect.objectContaining({ code: 'TROUPE_SHARD_FAILED' }));
    await closeEngine(engine);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    const again = await openEngine(dataDir);
    expect(again.list()).toEqual([]);
  });
});

describe('a dying shard', () => {
  it('is restarted, and its executions are recovered and end', async () => {
    const clock = new TestClock();
    const engine = await openEngine(dir(), clock, 2);
    const rec = await engine.deploy(sleeper);
    const id = await engine.execute(rec.namespace, rec.id);
    const ended = engine.waitFor(id);
    expect(await clock.nextTimer()).toBe(clock.now() + 3_600_000);
    await Promise.all(engine.shardThreadIds.map((_, i) => engine.terminateShard(i)));
    expect(engine.shardRestarts).toBe(2);
    // The recovered actor re-arms its Sleep from the stored date.
    await clock.nextTimer();
    clock.advance(3_600_000);
    const x = await ended;
    expect(x.state.current).toBe('SUCCESS');
    expect(x.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([
      ['nap', 'SUCCESS'],
      ['after', 'SUCCESS'],
    ]);
  });

  it('gets the creations it lost again', async () => {
    const engine = await openEngine(dir());
    const rec = await engine.deploy(paused('p'));
    const ids = await Promise.all([engine.execute(rec.namespace, rec.id), engine.terminateShard(0).then(() => engine.execute(rec.namespace, rec.id))]);
    await until(() => ids.every((id) => engine.get(id)?.state.current === 'PAUSED'));
    for (const id of ids) await engine.resume(id);
    for (const id of ids) expect((await engine.waitFor(id)).state.current).toBe('SUCCESS');
  });
});

describe('an execution that cannot be loaded', () => {
  it('fails alone, with its id in a TROUPE_EXECUTION_CORRUPT log line, while the others recover', async () => {
    const dataDir = dir();
    let engine = await openEngine(dataDir);
    const a = await engine.deploy(paused('a'));
    const b = await engine.deploy(paused('b'));
    const c = await engine.deploy(paused('c'));
    const ids = { a: await engine.execute('life', a.id), b: await engine.execute('life', b.id), c: await engine.execute('life', c.id), d: await engine.execute('life', c.id) };
    await until(() => Object.values(ids).every((id) => engine.get(id)?.state.current === 'PAUSED'));
    await closeEngine(engine);
    await tamper(dataDir, 'flows', ['life', 'a', 1], undefined); // its flow revision is gone
    await tamper(dataDir, 'taskruns', [ids.b, 0], asBinary(Buffer.from([0x85]))); // a record that does not decode
    await tamper(dataDir, 'executions', ids.d, asBinary(Buffer.from([0x85]))); // a header that does not decode

    engine = await openEngine(dataDir);
    expect(engine.recovering.sort()).toEqual(Object.values(ids).sort());
    for (const [name, cause] of [['a', /flow life\.a revision 1 is not in the store/], ['b', /cannot be decoded/]] as const) {
      const x = await engine.waitFor(ids[name]);
      expect(x.state.current).toBe('FAILED');
      const line = engine.logs(ids[name]).find((l) => l.level === 'ERROR')!;
      expect(line.message).toMatch(new RegExp(`^TROUPE_EXECUTION_CORRUPT: Execution ${ids[name]} cannot be loaded from the store, so it is failed alone: `));
      expect(line.message).toMatch(cause);
    }
    // An undecodable header cannot be written FAILED: reading it names the record.
    expect(() => engine.get(ids.d)).toThrow(expect.objectContaining({ code: 'TROUPE_STORE_CORRUPT', details: expect.objectContaining({ key: `"${ids.d}"` }) }));
    // The shard lives on: the intact execution resumes and ends.
    await engine.resume(ids.c);
    expect((await engine.waitFor(ids.c)).state.current).toBe('SUCCESS');
    expect(engine.shardRestarts).toBe(0);
  });
});

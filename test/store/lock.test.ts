import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, acquireDataDirLock } from '../../src/store/index.js';
import { compileStore } from './compiled-store.js';
import { createTempDir } from './fixtures.js';

let compiled: ReturnType<typeof compileStore>;
let tmp: ReturnType<typeof createTempDir>;
let child: ChildProcess | undefined;

beforeAll(() => {
  compiled = compileStore();
});
afterAll(() => compiled.remove());
beforeEach(() => {
  tmp = createTempDir();
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  child = undefined;
  tmp.remove();
});

/** Starts a node process that takes the lock with the real store code and keeps it until killed. */
async function startHolder(dataDir: string): Promise<ChildProcess> {
  const script = `
    const { acquireDataDirLock } = await import(${JSON.stringify(compiled.url)});
    acquireDataDirLock(${JSON.stringify(dataDir)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 60_000);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(proc.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('locked\n');
  return proc;
}

describe('acquireDataDirLock', () => {
  it('refuses a data dir another live process holds, naming the dir and the pid', async () => {
    child = await startHolder(tmp.dir);
    expect(() => acquireDataDirLock(tmp.dir)).toThrow(
      expect.objectContaining({
        code: 'TROUPE_STORE_LOCKED',
        message: expect.stringContaining(`data dir ${tmp.dir} is in use by process ${child.pid};`),
        details: { dataDir: tmp.dir, file: join(tmp.dir, LOCK_FILE), pid: child.pid },
      }),
    );
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    child = await startHolder(tmp.dir);
    const deadPid = child.pid;
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(readFileSync(join(tmp.dir, LOCK_FILE), 'utf8').trim()).toBe(String(deadPid));
    const lock = acquireDataDirLock(tmp.dir);
    expect(readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock file that holds no pid', () => {
    writeFileSync(join(tmp.dir, LOCK_FILE), 'garbage');
    const lock = acquireDataDirLock(tmp.dir);
    expect(readFileSync(lock.file, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('refuses a second acquire in the same process until the first is released', () => {
    const lock = acquireDataDirLock(tmp.dir);
    expect(() => acquireDataDirLock(tmp.dir)).toThrow(expect.objectContaining({ code: 'TROUPE_STORE_LOCKED', details: expect.objectContaining({ pid: process.pid }) }));
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    lock.release();
    acquireDataDirLock(tmp.dir).release();
  });

  it('creates the data dir when absent', () => {
    const lock = acquireDataDirLock(join(tmp.dir, 'a', 'b'));
    expect(existsSync(lock.file)).toBe(true);
    lock.release();
  });
});

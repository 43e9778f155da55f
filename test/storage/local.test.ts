import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { LocalStorage } from '../../src/storage/local.js';
import { createTaskFiles } from '../../src/storage/task-files.js';
import { tempDir } from '../helpers/engine.js';

const dirs: string[] = [];
function open(): { storage: LocalStorage; dir: string } {
  const dir = tempDir('troupe-storage-');
  dirs.push(dir);
  return { storage: new LocalStorage({ root: join(dir, 'storage') }), dir };
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof TroupeError ? e.code : `not a TroupeError: ${String(e)}`;
  }
  return undefined;
}

describe('LocalStorage', () => {
  it('puts from bytes, text, a stream and a local file, and reads them back', async () => {
    const { storage, dir } = open();
    await storage.put('kestra:///ns/f/a.txt', 'hello');
    await storage.put('kestra:///ns/f/b.bin', new Uint8Array([1, 2, 3]));
    await storage.put('kestra:///ns/f/c.txt', Readable.from(['x', 'y', 'z']));
    const local = join(dir, 'local.txt');
    writeFileSync(local, 'from disk');
    const d = await storage.put('kestra:///ns/f/d.txt', { path: local });
    expect(d).toMatchObject({ uri: 'kestra:///ns/f/d.txt', size: 9 });
    expect(existsSync(local)).toBe(true);
    expect(await text(await storage.get('kestra:///ns/f/a.txt'))).toBe('hello');
    expect(await text(await storage.get('kestra:///ns/f/c.txt'))).toBe('xyz');
    expect((await storage.stat('kestra:///ns/f/b.bin')).size).toBe(3);
    expect(storage.sizeSync('kestra:///ns/f/d.txt')).toBe(9);
    expect(Buffer.from(storage.readSync('kestra:///ns/f/d.txt', 100)).toString()).toBe('from disk');
    // Laid out as Kestra's local storage: <root>/<path>.
    expect(readFileSync(join(dir, 'storage', 'ns', 'f', 'a.txt'), 'utf8')).toBe('hello');
  });

  it('moves a local file when asked, and replaces an existing file', async () => {
    const { storage, dir } = open();
    const local = join(dir, 'upload.part');
    writeFileSync(local, 'v2');
    await storage.put('kestra:///ns/x.txt', 'v1');
    await storage.put('kestra:///ns/x.txt', { path: local, move: true });
    expect(existsSync(local)).toBe(false);
    expect(await text(await storage.get('kestra:///ns/x.txt'))).toBe('v2');
  });

  it('answers exists, delete, list and deletePrefix', async () => {
    const { storage } = open();
    await storage.put('kestra:///ns/f/executions/E1/a.txt', 'a');
    await storage.put('kestra:///ns/f/executions/E1/tasks/t/r/b.txt', 'bb');
    await storage.put('kestra:///ns/f/executions/E2/c.txt', 'c');
    expect(await storage.exists('kestra:///ns/f/executions/E1/a.txt')).toBe(true);
    expect(await storage.exists('kestra:///ns/f/executions/E1')).toBe(false);
    expect((await storage.list('kestra:///ns/f/executions/E1/')).map((f) => f.uri)).toEqual(['kestra:///ns/f/executions/E1/a.txt', 'kestra:///ns/f/executions/E1/tasks/t/r/b.txt']);
    expect(await storage.list('kestra:///nothing/here')).toEqual([]);
    expect(await storage.deletePrefix('kestra:///ns/f/executions/E1')).toBe(2);
    expect(await storage.exists('kestra:///ns/f/executions/E1/a.txt')).toBe(false);
    expect(await storage.delete('kestra:///ns/f/executions/E2/c.txt')).toBe(true);
    expect(await storage.delete('kestra:///ns/f/executions/E2/c.txt')).toBe(false);
  });

  it('says TROUPE_STORAGE_NOT_FOUND for a missing file or a directory', async () => {
    const { storage } = open();
    await storage.put('kestra:///ns/f/a.txt', 'a');
    expect(await codeOf(storage.get('kestra:///ns/f/missing.txt'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(storage.get('kestra:///ns/f'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(storage.stat('kestra:///ns/f'))).toBe('TROUPE_STORAGE_NOT_FOUND');
    expect(await codeOf(Promise.resolve().then(() => storage.readSync('kestra:///ns/none', 10)))).toBe('TROUPE_STORAGE_NOT_FOUND');
  });

  it.each([
    'kestra:///../outside.txt',
    'kestra:///ns/%2e%2e/%2e%2e/outside.txt',
    'kestra:///ns/..\\..\\outside.txt',
    'kestra:////tmp/outside.txt',
    '/../outside.txt',
  ])('writes nothing outside the root for %s', async (uri) => {
    const { storage, dir } = open();
    expect(await codeOf(storage.put(uri, 'x'))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(storage.get(uri))).toBe('TROUPE_STORAGE_PATH');
    expect(await codeOf(storage.deletePrefix(uri))).toBe('TROUPE_STORAGE_PATH');
    expect(existsSync(join(dir, 'outside.txt'))).toBe(false);
  });

  it('refuses a file over maxBytes and leaves nothing, not even a temp file', async () => {
    const { storage } = open();
    expect(await codeOf(storage.put('kestra:///ns/big.txt', Readable.from(['12345', '67890']), { maxBytes: 8 }))).toBe('TROUPE_STORAGE_TOO_LARGE');
    expect(await storage.exists('kestra:///ns/big.txt')).toBe(false);
    expect(readdirSync(storage.tmpDir)).toEqual([]);
    await storage.put('kestra:///ns/r.txt', '123456');
    expect(() => storage.readSync('kestra:///ns/r.txt', 5)).toThrow(/larger than the limit of 5 bytes/);
  });

  it('a writer shows nothing until commit, and an abort leaves nothing', async () => {
    const { storage } = open();
    const w = await storage.writer('kestra:///ns/w.txt');
    await w.write('part 1, ');
    expect(await storage.exists('kestra:///ns/w.txt')).toBe(false);
    await w.write(new TextEncoder().encode('part 2'));
    expect(w.bytes).toBe(14);
    expect((await w.commit()).size).toBe(14);
    expect(await text(await storage.get('kestra:///ns/w.txt'))).toBe('part 1, part 2');
    const a = await storage.writer('kestra:///ns/aborted.txt');
    await a.write('x');
    await a.abort();
    expect(await storage.exists('kestra:///ns/aborted.txt')).toBe(false);
    expect(readdirSync(storage.tmpDir)).toEqual([]);
  });

  it('an aborted signal stops a write and leaves nothing', async () => {
    const { storage } = open();
    const ac = new AbortController();
    async function* chunks(): AsyncGenerator<string> {
      yield 'a';
      ac.abort(new Error('killed'));
      yield 'b';
    }
    await expect(storage.put('kestra:///ns/s.txt', chunks(), { signal: ac.signal })).rejects.toThrow('killed');
    expect(await storage.exists('kestra:///ns/s.txt')).toBe(false);
    expect(readdirSync(storage.tmpDir)).toEqual([]);
  });

  it('removes orphan temp files', async () => {
    const { storage } = open();
    mkdirSync(storage.tmpDir, { recursive: true });
    writeFileSync(join(storage.tmpDir, 'dead.part'), 'left by a crash');
    expect(await storage.removeOrphans()).toBe(1);
    expect(readdirSync(storage.tmpDir)).toEqual([]);
  });

  it('does not follow a URI through a symlink planted outside its checks', async () => {
    const { storage, dir } = open();
    await storage.put('kestra:///ns/a.txt', 'a');
    // A symlink is never created by storage itself; a URI still cannot name '..' to reach it.
    symlinkSync(dir, join(storage.root, 'ns', 'up'));
    expect(await codeOf(storage.get('kestra:///ns/up/../../x'))).toBe('TROUPE_STORAGE_PATH');
  });
});

describe('TaskFiles', () => {
  it("writes in the run's directory and reads only its execution's, its parent's and its namespace files", async () => {
    const { storage } = open();
    const files = createTaskFiles(storage, { namespace: 'io.kestra.tests', flowId: 'child', executionId: 'C1', taskId: 'my_task', taskRunId: 'R1', parent: { namespace: 'io.kestra.tests', flowId: 'parent', executionId: 'P1' } });
    const written = await files.put('123.txt', 'mine');
    expect(written.uri).toBe('kestra:///io/kestra/tests/child/executions/C1/tasks/my-task/R1/123.txt');
    expect(files.uriOf('out/a.csv')).toBe('kestra:///io/kestra/tests/child/executions/C1/tasks/my-task/R1/out/a.csv');
    await storage.put('kestra:///io/kestra/tests/parent/executions/P1/tasks/split/R0/1.txt', 'parent');
    await storage.put('kestra:///io/kestra/tests/other/executions/X9/secret.txt', 'other');
    expect(await text(await files.get(written.uri))).toBe('mine');
    expect(await text(await files.get('kestra:///io/kestra/tests/parent/executions/P1/tasks/split/R0/1.txt'))).toBe('parent');
    expect(await codeOf(files.get('kestra:///io/kestra/tests/other/executions/X9/secret.txt'))).toBe('TROUPE_STORAGE_ACCESS');
    expect(await codeOf(files.get('kestra:///io/kestra/tests/child/executions/C1/../../other/executions/X9/secret.txt'))).toBe('TROUPE_STORAGE_PATH');
    expect(() => files.uriOf('../escape.txt')).toThrow(/not allowed/);
  });
});

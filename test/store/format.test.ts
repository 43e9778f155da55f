import { readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { asBinary, open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FORMAT_VERSION, STORE_FILE, openStore } from '../../src/store/index.js';
import { createTempDir, makeHeader, makeTaskRun } from './fixtures.js';

const EXEC = '6s1egIkxu3gpzzILDnyxTn';

let tmp: ReturnType<typeof createTempDir>;
let file: string;

beforeEach(async () => {
  tmp = createTempDir();
  file = join(tmp.dir, STORE_FILE);
  const store = openStore({ dataDir: tmp.dir });
  const taskRuns = Array.from({ length: 200 }, (_, seq) => ({ executionId: EXEC, record: { seq, taskRun: makeTaskRun(EXEC, seq) } }));
  await store.writeBatch({ headers: [makeHeader(EXEC)], taskRuns, logs: [] });
  await store.close();
});

afterEach(() => tmp.remove());

/** Changes the store with lmdb-js directly, as another program (or a bad disk) would. */
async function tamper(dbName: string, key: unknown, value: unknown): Promise<void> {
  const root = open({ path: file });
  const db = root.openDB(dbName, { encoding: 'binary' });
  await db.put(key as string, value);
  await root.close();
}

describe('format version', () => {
  it('writes the format version into a new store', async () => {
    const root = open({ path: file });
    expect(root.openDB('meta', {}).get('formatVersion')).toBe(FORMAT_VERSION);
    await root.close();
  });

  it('refuses a store of another format version, naming the file', async () => {
    const root = open({ path: file });
    await root.openDB('meta', {}).put('formatVersion', 999);
    await root.close();
    expect(() => openStore({ dataDir: tmp.dir })).toThrow(
      expect.objectContaining({
        code: 'TROUPE_STORE_VERSION',
        message: `${file} has store format version 999, this Troupe reads format ${FORMAT_VERSION}; open it with the Troupe version that wrote it, or use another data dir`,
      }),
    );
  });
});

describe('corruption', () => {
  it('refuses a file of garbage, naming the file, instead of crashing in LMDB', () => {
    writeFileSync(file, Buffer.alloc(statSync(file).size, 0x5a));
    expect(() => openStore({ dataDir: tmp.dir })).toThrow(
      expect.objectContaining({ code: 'TROUPE_STORE_CORRUPT', details: { file }, message: expect.stringContaining(file) }),
    );
  });

  it('refuses a truncated file, naming the file', () => {
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expect(() => openStore({ dataDir: tmp.dir })).toThrow(expect.objectContaining({ code: 'TROUPE_STORE_CORRUPT', message: expect.stringContaining('truncated') }));
    truncateSync(file, 100);
    expect(() => openStore({ dataDir: tmp.dir })).toThrow(expect.objectContaining({ code: 'TROUPE_STORE_CORRUPT', details: { file } }));
  });

  it('names the database and the key of a record that does not decode', async () => {
    // A map announcing 5 entries and holding none: msgpackr runs out of buffer.
    await tamper('taskruns', [EXEC, 7], asBinary(Buffer.from([0x85])));
    const store = openStore({ dataDir: tmp.dir });
    try {
      const expected = expect.objectContaining({
        code: 'TROUPE_STORE_CORRUPT',
        details: { file, database: 'taskruns', key: `["${EXEC}",7]` },
      });
      expect(() => store.readExecution(EXEC)).toThrow(expected);
      // Valid msgpack (the never-used 0xc1 token) that is not a record.
      await tamper('executions', EXEC, asBinary(Buffer.from([0xc1])));
      expect(() => store.readHeader(EXEC)).toThrow(
        expect.objectContaining({ code: 'TROUPE_STORE_CORRUPT', details: { file, database: 'executions', key: `"${EXEC}"` } }),
      );
    } finally {
      await store.close();
    }
  });

  it('leaves an intact file readable after the checks', () => {
    const store = openStore({ dataDir: tmp.dir, readOnly: true });
    expect(store.readExecution(EXEC)!.taskRunList).toHaveLength(200);
    expect(readFileSync(file).length).toBeGreaterThan(0);
    return store.close();
  });
});

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { tempDir } from '../helpers/engine.js';

describe('the engine opens internal storage', () => {
  it('under <dataDir>/storage, removing temp files a crash left', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'storage.tmp'), { recursive: true });
    writeFileSync(join(dataDir, 'storage.tmp', 'orphan.part'), 'half a file');
    const engine = await Engine.open({ dataDir, poolThreads: 1, noSync: true });
    try {
      expect(engine.storage.root).toBe(join(dataDir, 'storage'));
      expect(readdirSync(join(dataDir, 'storage.tmp'))).toEqual([]);
      await engine.storage.put('kestra:///ns/f/a.txt', 'a');
      expect(existsSync(join(dataDir, 'storage', 'ns', 'f', 'a.txt'))).toBe(true);
    } finally {
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('at storageDir when given, and refuses a bad one', async () => {
    const dataDir = tempDir();
    const elsewhere = tempDir();
    const engine = await Engine.open({ dataDir, poolThreads: 1, noSync: true, storageDir: join(elsewhere, 's') });
    try {
      expect(engine.storage.root).toBe(join(elsewhere, 's'));
    } finally {
      await engine.close();
    }
    await expect(Engine.open({ dataDir, storageDir: '' })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    await rm(dataDir, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  });
});

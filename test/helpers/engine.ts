/** A real engine on a temporary data dir, closed and removed by the test that opened it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/runtime/engine.js';
import type { EngineOptions } from '../../src/runtime/engine-options.js';

/** A fresh temporary directory. */
export function tempDir(prefix = 'troupe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Opens an engine on a fresh data dir; `dispose` closes it and removes the dir. */
export async function openTestEngine(options: Partial<EngineOptions> = {}): Promise<{ engine: Engine; dataDir: string; dispose: () => Promise<void> }> {
  const dataDir = options.dataDir ?? tempDir();
  const engine = await Engine.open({ poolThreads: 2, ...options, dataDir });
  return {
    engine,
    dataDir,
    dispose: async () => {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Deploys `yaml`, runs it with `inputs`, and waits for the end. */
export async function runFlow(engine: Engine, yaml: string, inputs?: Record<string, unknown>) {
  const rec = await engine.deploy(yaml);
  const id = await engine.execute(rec.namespace, rec.id, inputs);
  return engine.waitFor(id);
}

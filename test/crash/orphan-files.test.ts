/**
 * Orphan files after a crash (storage/file-journal.ts): kill -9 of the process running the engine
 * while an attempt that wrote a complete file has no committed result, after FILE inputs were
 * copied for an execution never created, and with a temp file half written. The next open deletes
 * all three before anything is dispatched again, keeps every file a committed record references,
 * and leaves no journal behind; the attempt runs again. While the engine runs, the journals of
 * committed attempts are swept (the files stay).
 * Needs `npm run build` (the child process imports dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, tempDir } from '../helpers/engine.js';

const CHILD = fileURLToPath(new URL('./orphan-files-child.mjs', import.meta.url));
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const journalOf = (dataDir: string): string[] => {
  const dir = join(dataDir, 'storage.journal');
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('orphan files', () => {
  it('the next open deletes files no committed record references, and only those', async () => {
    const dataDir = tempDir('troupe-orphans-');
    const second = join(dataDir, 'second-life');
    const input = join(dataDir, 'input.txt');
    writeFileSync(input, 'an input\n');
    const flowFile = join(dataDir, 'flow.yaml');
    writeFileSync(flowFile, `id: writer
namespace: crash.files
inputs:
  - id: f
    type: FILE
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: kept
  - id: hang
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - 'if [ -e "${second}" ]; then exit 0; fi'
      - echo "pid=$$"
      - exec sleep 300
`);
    const child = spawn(process.execPath, [CHILD, dataDir, flowFile, input], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const first = await new Promise<{ id: string; pid: number; lost: string; neverCreated: string }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
      child.once('exit', (code) => reject(new Error(`the engine process exited (${code}) before the orphans were made`)));
    });
    cleanup.push(() => {
      try {
        process.kill(-first.pid, 'SIGKILL');
      } catch {
        // the next open killed it, as it should
      }
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    writeFileSync(second, '');
    // What the crash left: the three orphans and their journals.
    expect(readdirSync(join(dataDir, 'storage.tmp'))).toContain('torn.part');
    expect(journalOf(dataDir).length).toBeGreaterThanOrEqual(3);

    const t = await openTestEngine({ dataDir, poolThreads: 1 });
    cleanup.push(() => t.dispose());
    expect(await t.engine.storage.exists(first.lost)).toBe(false);
    expect(await t.engine.storage.exists(first.neverCreated)).toBe(false);
    expect(readdirSync(join(dataDir, 'storage.tmp'))).toEqual([]);
    const e = await t.engine.waitFor(first.id);
    expect(e.state.current).toBe('SUCCESS');
    const written = e.taskRunList!.find((r) => r.taskId === 'write')!.outputs!['uri'] as string;
    expect(await t.engine.storage.exists(written)).toBe(true);
    expect(await t.engine.storage.exists(String(e.inputs!['f']))).toBe(true);
    // The journals of the first life are gone: committed ones cleared, orphans' deleted with their files.
    expect(journalOf(dataDir)).toEqual([]);
  }, 60_000);

  it('sweeps the journals of committed attempts while the engine runs, keeping their files', async () => {
    const t = await openTestEngine({ noSync: true, poolThreads: 1 });
    cleanup.push(() => t.dispose());
    const rec = await t.engine.deploy(`id: w
namespace: sweep.files
tasks:
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: kept
`);
    const e = await t.engine.waitFor(await t.engine.execute(rec.namespace, rec.id));
    expect(e.state.current).toBe('SUCCESS');
    expect(journalOf(t.dataDir)).toHaveLength(1);
    expect(await t.engine.sweepFileJournal()).toEqual({ committed: 1, orphaned: 0, deletedFiles: 0 });
    expect(journalOf(t.dataDir)).toEqual([]);
    expect(await t.engine.storage.exists(e.taskRunList![0]!.outputs!['uri'] as string)).toBe(true);
  });
});

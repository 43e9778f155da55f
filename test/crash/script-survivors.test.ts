/**
 * The crash suite with scripts: kill -9 of the process running the engine while a script runs
 * `sleep 300` leaves that sleep orphaned; the next open kills it (SIGTERM, then SIGKILL to its
 * group) before recovery dispatches the attempt again, and the task runs again once.
 * The sleep's pid is read from the execution's logs while the script runs (streamed lines).
 * Needs `npm run build` (the child process imports dist/).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, tempDir } from '../helpers/engine.js';
import { processAlive } from '../../src/pool/process-markers.js';

const CHILD = fileURLToPath(new URL('./script-child.mjs', import.meta.url));
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('kill -9 of the engine during a script', () => {
  it('the next open kills the orphaned sleep before the attempt runs again, once', async () => {
    const dataDir = tempDir('troupe-script-crash-');
    const second = join(dataDir, 'second-life');
    const flowFile = join(dataDir, 'flow.yaml');
    writeFileSync(
      flowFile,
      `id: sleeper
namespace: crash.scripts
tasks:
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - 'if [ -e "${second}" ]; then echo "run again"; exit 0; fi'
      - echo "pid=$$"
      - exec sleep 300
`,
    );
    const child = spawn(process.execPath, [CHILD, dataDir, flowFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const first = await new Promise<{ id: string; pid: number }>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l) as { id: string; pid: number }));
      child.once('exit', (code) => reject(new Error(`the engine process exited (${code}) before the script started`)));
    });
    // The shell's group: the shell and its sleep.
    cleanup.push(() => {
      try {
        process.kill(-first.pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // Orphaned: the engine is gone, its script is not.
    expect(processAlive(first.pid)).toBe(true);

    writeFileSync(second, '');
    const { engine, dispose } = await openTestEngine({ dataDir });
    cleanup.push(dispose);
    // Engine.open reaped before its shards recovered anything.
    expect(processAlive(first.pid)).toBe(false);
    const x = await engine.waitFor(first.id);
    expect(x.state.current).toBe('SUCCESS');
    // The attempt in flight at the crash had no result: it ran again once (the same attempt number,
    // as recovery does for any attempt lost in flight), and its first life's line is kept.
    const logs = engine.logs(first.id);
    expect(logs.filter((l) => l.message.startsWith('pid='))).toHaveLength(1);
    expect(logs.filter((l) => l.message === 'run again')).toHaveLength(1);
    expect(x.taskRunList![0]!.attempts?.map((a) => a.state.current)).toEqual(['SUCCESS']);
  });
});

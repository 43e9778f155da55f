/**
 * kill -9 of the engine's process while a task of a WorkingDirectory runs: the next open empties
 * the work area (the directory is gone), and recovery runs the WorkingDirectory again whole, from
 * its setup — its children's records of the first life deleted, so each task appears once — and
 * the new directory is removed at its end. Needs `npm run build` (the child process imports dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, tempDir } from '../helpers/engine.js';

const CHILD = fileURLToPath(new URL('./script-child.mjs', import.meta.url));
const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('kill -9 of the engine inside a WorkingDirectory', () => {
  it('runs the WorkingDirectory again from its setup after the next open, each task once, and leaves no directory', async () => {
    const dataDir = tempDir('troupe-wd-crash-');
    const second = join(dataDir, 'second-life');
    const flowFile = join(dataDir, 'flow.yaml');
    writeFileSync(
      flowFile,
      `id: wdcrash
namespace: crash.wd
tasks:
  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      in.txt: input
    outputFiles: [result.txt]
    tasks:
      - id: first
        type: io.kestra.plugin.scripts.shell.Commands
        commands: ["echo first >> trail.txt"]
      - id: second
        type: io.kestra.plugin.scripts.shell.Commands
        commands:
          - 'if [ -e "${second}" ]; then cat in.txt trail.txt > result.txt; echo "again in $(pwd)"; exit 0; fi'
          - echo "pid=$$"
          - exec sleep 300
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.wd.outputFiles['result.txt']) }}"
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
    cleanup.push(() => {
      try {
        process.kill(-first.pid, 'SIGKILL');
      } catch {
        // reaped by the next open, as it should be
      }
    });
    const work = join(dataDir, 'work');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    // The first life's directory is still there, with what `first` wrote.
    const lost = readdirSync(work).filter((n) => n.startsWith('wd-'));
    expect(lost).toHaveLength(1);
    expect(existsSync(join(work, lost[0]!, 'trail.txt'))).toBe(true);

    writeFileSync(second, '');
    const { engine, dispose } = await openTestEngine({ dataDir });
    cleanup.push(dispose);
    const x = await engine.waitFor(first.id);
    expect(x.state.current).toBe('SUCCESS');
    // Each task once: the first life's `first` and `second` records were deleted, not kept beside the new ones.
    expect(x.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wd:SUCCESS', 'first:SUCCESS', 'second:SUCCESS', 'after:SUCCESS']);
    // A fresh directory: the input file written again, `first` ran once in it.
    expect(x.taskRunList![3]!.outputs!.value).toBe('inputfirst\n');
    const logs = engine.logs(first.id);
    expect(logs.some((l) => l.level === 'WARN' && l.taskId === 'wd' && /working directory of task 'wd' is gone/.test(l.message))).toBe(true);
    expect(logs.filter((l) => l.message.startsWith('again in '))).toHaveLength(1);
    expect(x.taskRunList![0]!.id).toBe(lost[0]!.slice(3));
    expect(readdirSync(work).filter((n) => n.startsWith('wd-'))).toEqual([]);
  });
});

/**
 * Script tasks' processes, against real child processes: output streamed into the execution's
 * logs while the attempt runs, the caps on logged output, the process limit, a daemonizing
 * script, and the markers that let recovery find survivors.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow, tempDir } from '../helpers/engine.js';
import { MAX_LOGGED_LINES, MAX_LOGGED_LINE_CHARS } from '../../src/tasks/scripts/output-lines.js';
import { processAlive } from '../../src/pool/process-markers.js';

let engine: Engine;
let dataDir: string;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dataDir, dispose } = await openTestEngine({ maxProcesses: 1 }));
});
afterAll(async () => dispose());

const flow = (id: string, tasks: string): string => `id: ${id}\nnamespace: scripts.process\ntasks:\n${tasks}`;

async function until<T>(what: string, read: () => T | undefined): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const v = read();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`waited too long for ${what}`);
}

describe('script processes', () => {
  it('logs each line while the attempt runs, not at its end', async () => {
    const gate = join(tempDir('troupe-gate-'), 'open');
    const rec = await engine.deploy(flow('stream', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo first
      - '>&2 echo warned'
      - 'while [ ! -e "${gate}" ]; do sleep 0.05; done'
      - echo second
`));
    const id = await engine.execute(rec.namespace, rec.id);
    const lines = await until('the first lines', () => {
      const logs = engine.logs(id).filter((l) => l.taskId === 'sh');
      return logs.some((l) => l.message === 'warned') ? logs : undefined;
    });
    // The attempt is still running: its lines are in the execution's logs already.
    expect(engine.get(id)?.state.current).toBe('RUNNING');
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'first'],
      ['ERROR', 'warned'],
    ]);
    expect(lines[0]!.attemptNumber).toBe(1);
    writeFileSync(gate, '');
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('WARNING');
    expect(engine.logs(id).filter((l) => l.taskId === 'sh').map((l) => l.message)).toEqual(['first', 'warned', 'second']);
  });

  it('caps what one attempt logs: long lines cut, lines over the cap dropped, one WARN saying what', async () => {
    const extra = 25;
    const x = await runFlow(engine, flow('caps', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - head -c ${MAX_LOGGED_LINE_CHARS + 10} /dev/zero | tr '\\0' a; echo
      - 'i=1; while [ $i -lt ${MAX_LOGGED_LINES + extra} ]; do echo "line $i"; i=$((i+1)); done'
      - echo '::{"outputs":{"after":"the cap"}}::'
`));
    expect(x.state.current).toBe('SUCCESS');
    expect(x.taskRunList![0]!.outputs).toMatchObject({ vars: { after: 'the cap' }, exitCode: 0 });
    const logs = engine.logs(x.id).filter((l) => l.taskId === 'sh');
    expect(logs[0]!.message).toBe(`${'a'.repeat(MAX_LOGGED_LINE_CHARS)}… [10 more characters not logged]`);
    const text = logs.filter((l) => l.level === 'INFO');
    expect(text).toHaveLength(MAX_LOGGED_LINES);
    expect(text.at(-1)!.message).toBe(`line ${MAX_LOGGED_LINES - 1}`);
    const warn = logs.filter((l) => l.level === 'WARN');
    expect(warn).toHaveLength(1);
    expect(warn[0]!.message).toMatch(new RegExp(`^Output over Troupe's caps: ${extra} lines \\(\\d+ characters\\) were not logged, over the cap of 10,000 lines or 8,388,608 characters per attempt; 1 lines were cut at 65,536 characters$`));
  });

  it('a 100 MB line costs a capped line, not 100 MB of memory, and the task still succeeds', async () => {
    const x = await runFlow(engine, flow('huge', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - head -c 100000000 /dev/zero | tr '\\0' b
      - echo
      - echo done
`));
    expect(x.state.current).toBe('SUCCESS');
    const logs = engine.logs(x.id).filter((l) => l.taskId === 'sh');
    expect(logs[0]!.message.endsWith(`… [${(100_000_000 - MAX_LOGGED_LINE_CHARS).toLocaleString('en-US')} more characters not logged]`)).toBe(true);
    expect(logs[1]!.message).toBe('done');
  });

  it('maxProcesses: attempts over the limit wait for a slot (two parallel scripts never overlap with a limit of 1)', async () => {
    const lock = join(tempDir('troupe-lock-'), 'held');
    const script = `mkdir "${lock}" || { echo overlap; exit 3; }; sleep 0.3; rmdir "${lock}"`;
    const x = await runFlow(engine, flow('limit', `
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
${['a', 'b', 'c'].map((t) => `      - id: ${t}\n        type: io.kestra.plugin.scripts.shell.Commands\n        commands: ['${script.replace(/'/g, "''")}']`).join('\n')}
`));
    expect(x.state.current).toBe('SUCCESS');
    expect(engine.logs(x.id).some((l) => l.message === 'overlap')).toBe(false);
  });

  it('a script that daemonizes (setsid, stdio closed) leaves no process behind', async () => {
    const x = await runFlow(engine, flow('daemon', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - 'setsid sleep 300 > /dev/null 2>&1 < /dev/null &'
      - echo "daemon=$!"
`));
    expect(x.state.current).toBe('SUCCESS');
    const pid = Number(engine.logs(x.id).find((l) => l.message.startsWith('daemon='))!.message.slice(7));
    expect(pid).toBeGreaterThan(0);
    await until('the daemon to go', () => (processAlive(pid) ? undefined : true));
  });

  it('markers of finished attempts are gone; a missing interpreter is a clear task error', async () => {
    const x = await runFlow(engine, flow('nointerp', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    interpreter: [/nonexistent/troupe-shell, -c]
    commands: [echo hi]
`));
    expect(x.state.current).toBe('FAILED');
    expect(engine.logs(x.id).some((l) => l.level === 'ERROR' && /^Cannot start '\/nonexistent\/troupe-shell': .*ENOENT/.test(l.message))).toBe(true);
    const work = join(dataDir, 'work');
    expect(readdirSync(work).filter((n) => n.endsWith('.proc'))).toEqual([]);
  });
});

describe('work dir at open', () => {
  it('leftovers of a previous life are removed before anything runs', async () => {
    const dir = tempDir('troupe-leftovers-');
    const work = join(dir, 'work');
    mkdirSync(join(work, 'abandoned', 'sub'), { recursive: true });
    writeFileSync(join(work, 't9-0123456789abcdef.proc'), `${join(work, 't9-0123456789abcdef')}\n`);
    const { dispose: close } = await openTestEngine({ dataDir: dir });
    try {
      expect(existsSync(join(work, 'abandoned'))).toBe(false);
      expect(existsSync(join(work, 't9-0123456789abcdef.proc'))).toBe(false);
    } finally {
      await close();
    }
  });
});

/** Script tasks on the process runner, against real child processes (sh, node, python3). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import { isProtocolLine, parseProtocolLine } from '../../src/tasks/scripts/output-protocol.js';

let engine: Engine;
let dataDir: string;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dataDir, dispose } = await openTestEngine());
});
afterAll(async () => dispose());

function flow(id: string, task: string): string {
  return `id: ${id}\nnamespace: scripts.test\ntasks:\n${task}`;
}

async function run(id: string, task: string) {
  const x = await runFlow(engine, flow(id, task));
  const logs = engine.logs(x.id);
  return { x, logs, tr: x.taskRunList![0]! };
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A working dir after its attempt: removed, or kept for the next attempt with nothing in it but its empty output dir. */
function emptied(wd: string): boolean {
  if (!existsSync(wd)) return true;
  const top = readdirSync(wd);
  return top.length === 1 && readdirSync(join(wd, top[0]!)).length === 0;
}

describe('script tasks', () => {
  it('shell.Commands: stdout at INFO, stderr at ERROR, warningOnStdErr → WARNING, working dir emptied', async () => {
    const { x, logs, tr } = await run('lines', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo 0
      - echo 1
      - '>&2 echo 2'
      - '>&2 echo 3'
      - echo "wd={{ workingDir }}"
      - test -d "{{ outputDir }}" && echo "out ok"
`);
    expect(x.state.current).toBe('WARNING');
    const mine = logs.filter((l) => l.taskId === 'sh');
    expect(mine.filter((l) => l.level === 'INFO').map((l) => l.message).slice(0, 2)).toEqual(['0', '1']);
    expect(mine.filter((l) => l.level === 'ERROR').map((l) => l.message)).toEqual(['2', '3']);
    expect(mine.some((l) => l.message === 'out ok')).toBe(true);
    const wd = mine.find((l) => l.message.startsWith('wd='))!.message.slice(3);
    expect(wd.startsWith(join(dataDir, 'work'))).toBe(true);
    expect(emptied(wd)).toBe(true);
    expect(tr.outputs).toEqual({ vars: {}, exitCode: 0, outputFiles: {} });
  });

  it('nothing an attempt leaves in its working dir reaches a later attempt: a dir with files is removed, an empty one may be reused', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => `
  - id: s${i}
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo "wd=$PWD"
      - echo "entries=$(ls -A | wc -l)"
      - test -z "$(ls -A '{{ outputDir }}')"
${i % 2 === 0 ? '      - echo left > left.txt\n      - mkdir -p sub/deeper' : '      - "true"'}`).join('');
    const { x, logs } = await run('leftovers', tasks);
    expect(x.state.current).toBe('SUCCESS');
    const seen = new Map<string, string[]>();
    for (const l of logs) if (l.taskId && (l.message.startsWith('wd=') || l.message.startsWith('entries='))) seen.set(l.taskId, [...(seen.get(l.taskId) ?? []), l.message]);
    for (let i = 0; i < 6; i++) expect(seen.get(`s${i}`)?.[1]).toBe('entries=1');
    for (let i = 0; i < 6; i += 2) expect(existsSync(seen.get(`s${i}`)![0]!.slice(3))).toBe(false);
    for (let i = 1; i < 6; i += 2) expect(emptied(seen.get(`s${i}`)![0]!.slice(3))).toBe(true);
  });

  it('warningOnStdErr: false keeps SUCCESS', async () => {
    const { x } = await run('nowarn', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    warningOnStdErr: false
    commands: ['>&2 echo oops']
`);
    expect(x.state.current).toBe('SUCCESS');
  });

  it('a non-zero exit fails the task, outputs kept; failFast stops at the first error', async () => {
    const { x, logs, tr } = await run('exit', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo '::{"outputs":{"before":1}}::'
      - echo 1 1>&2
      - exit 66
      - echo 2
`);
    expect(x.state.current).toBe('FAILED');
    expect(tr.outputs).toEqual({ vars: { before: 1 }, exitCode: 66, outputFiles: {} });
    expect(logs.some((l) => l.level === 'ERROR' && l.message === 'Command failed with exit code 66')).toBe(true);
    expect(logs.some((l) => l.message === '2')).toBe(false);
    const ff = await run('failfast', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands: [nonexistent-command-xyz, echo after]
`);
    expect(ff.tr.outputs).toMatchObject({ exitCode: 127 });
    const lax = await run('nofailfast', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    failFast: false
    commands: [nonexistent-command-xyz, echo after]
`);
    expect(lax.tr.outputs).toMatchObject({ exitCode: 0 });
    expect(lax.logs.some((l) => l.message === 'after')).toBe(true);
  });

  it('reads the output protocol (outputs, metrics, logs); invalid JSON is a WARN; protocol lines are not logged', async () => {
    const { x, logs, tr } = await run('protocol', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Script
    env:
      GREETING: "hi {{ flow.id }}"
    beforeCommands: ['export B=before']
    script: |
      echo '::{"outputs":{"a":1,"extract":null}}::'
      echo "::{\\"outputs\\":{\\"a\\":2,\\"g\\":\\"$GREETING\\",\\"b\\":\\"$B\\"}}::"
      echo '::{"metrics":[{"name":"n","type":"counter","value":3,"tags":{"t":"x"}}]}::'
      echo '::{"logs":[{"level":"WARN","message":"careful"}]}::'
      echo '::{not json}::'
  - id: next
    type: io.kestra.plugin.core.log.Log
    message: "a={{ outputs.sh.vars.a }}"
`);
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs).toEqual({ vars: { a: 2, extract: null, g: 'hi protocol', b: 'before' }, exitCode: 0, outputFiles: {} });
    expect(tr.attempts?.[0]?.metrics).toEqual([{ name: 'n', type: 'counter', value: 3, tags: { t: 'x' } }]);
    expect(logs.some((l) => l.level === 'WARN' && l.message === 'careful')).toBe(true);
    expect(logs.some((l) => l.level === 'WARN' && l.message.startsWith('Invalid outputs'))).toBe(true);
    expect(logs.some((l) => l.message.startsWith('::'))).toBe(false);
    expect(logs.some((l) => l.message === 'a=2')).toBe(true);
  });

  it('node.Script and python.Script run their file; Docker settings are ignored with one WARN', async () => {
    const { x, tr, logs } = await run('langs', `
  - id: js
    type: io.kestra.plugin.scripts.node.Script
    containerImage: node:20
    script: |
      console.log('::' + JSON.stringify({ outputs: { sum: 1 + 2, wd: process.cwd() === process.env.WORKING_DIR } }) + '::');
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    taskRunner:
      type: io.kestra.plugin.scripts.runner.docker.Docker
    script: |
      import json, os
      print("::" + json.dumps({"outputs": {"unbuffered": os.environ.get("PYTHONUNBUFFERED")}}) + "::")
`);
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs).toMatchObject({ vars: { sum: 3, wd: true } });
    expect(x.taskRunList![1]!.outputs).toMatchObject({ vars: { unbuffered: 'true' } });
    expect(logs.filter((l) => l.level === 'WARN' && /process runner/.test(l.message))).toHaveLength(2);
  });

  it('does not pass the daemon SECRET_* variables', async () => {
    process.env.SECRET_TROUPE_TEST = 'c2VjcmV0';
    try {
      const { tr } = await run('secret', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands: ['echo "::{\\"outputs\\":{\\"s\\":\\"\${SECRET_TROUPE_TEST:-none}\\"}}::"']
`);
      expect(tr.outputs).toMatchObject({ vars: { s: 'none' } });
    } finally {
      delete process.env.SECRET_TROUPE_TEST;
    }
  });

  it('a timeout kills the whole process group and empties the working dir', async () => {
    const { x, logs } = await run('timeout', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    timeout: PT1S
    commands:
      - echo "pid=$$"
      - sleep 300 &
      - sleep 300
`);
    expect(x.state.current).toBe('FAILED');
    expect(logs.some((l) => l.message.startsWith('Timeout after'))).toBe(true);
    const pid = Number(logs.find((l) => l.message.startsWith('pid='))!.message.slice(4));
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
    const work = join(dataDir, 'work');
    while (readdirSync(work).some((n) => n !== 'bin' && !emptied(join(work, n)))) await new Promise((r) => setTimeout(r, 50));
  });
});

describe('output protocol lines', () => {
  it('are whole lines of one JSON object', () => {
    expect(isProtocolLine('::{"outputs":{}}::')).toBe(true);
    expect(isProtocolLine('x ::{"outputs":{}}::')).toBe(false);
    expect(() => parseProtocolLine('::{"metrics":[{"name":"g","type":"gauge","value":1}]}::')).toThrow(/gauge/);
    expect(parseProtocolLine('::{"metrics":[{"name":"t","type":"timer","value":1.5}]}::').metrics).toEqual([{ name: 't', type: 'timer', value: 'PT1.5S', tags: {} }]);
  });
});

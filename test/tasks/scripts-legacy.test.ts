/**
 * The legacy io.kestra.core.tasks.scripts.{Bash,Python,Node} on the process runner, against real
 * processes (sh, python3 with a venv, node): their properties, their helper modules (kestra.py,
 * kestra.js), outputs with line counts, exitOnFailed, Docker settings ignored with one WARN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';

let engine: Engine;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
});
afterAll(async () => dispose());

const flow = (id: string, tasks: string): string => `id: ${id}\nnamespace: scripts.legacy\ntasks:\n${tasks}`;

async function run(id: string, tasks: string) {
  const x = await runFlow(engine, flow(id, tasks));
  return { x, logs: engine.logs(x.id), tr: x.taskRunList![0]! };
}

describe('legacy script types', () => {
  it('Bash: commands with workingDir, outputDir and outputFiles keys; outputs with line counts; stderr → WARNING', async () => {
    const { x, tr, logs } = await run('bash', `
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    outputFiles: [first]
    inputFiles:
      script.sh: |
        echo "from {{ flow.id }}"
    commands:
      - sh script.sh
      - echo 1 >> {{ outputFiles.first }}
      - test -f "{{ temp.first }}" && echo "temp ok"
      - test -d "{{ workingDir }}" && test -d "{{ outputDir }}" && echo "dirs ok"
      - '>&2 echo oops'
      - echo '::{"outputs":{"k":"v"}}::'
`);
    expect(x.state.current).toBe('WARNING');
    expect(tr.outputs).toMatchObject({ vars: { k: 'v' }, exitCode: 0, stdOutLineCount: 4, stdErrLineCount: 1 });
    expect(logs.filter((l) => l.taskId === 'bash' && l.level === 'INFO').map((l) => l.message)).toEqual(['from bash', 'temp ok', 'dirs ok']);
  });

  it('Bash: exitOnFailed stops at the first failing command (set -o errexit); false runs on', async () => {
    const strict = await run('errexit', `
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    commands: ['false', echo after]
`);
    expect(strict.x.state.current).toBe('FAILED');
    expect(strict.tr.outputs).toMatchObject({ exitCode: 1 });
    expect(strict.logs.some((l) => l.level === 'ERROR' && l.message === 'Command failed with exit code 1')).toBe(true);
    const lax = await run('noerrexit', `
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    exitOnFailed: false
    interpreter: /bin/bash
    interpreterArgs: ['-c']
    commands: ['false', 'echo "after in $BASH_VERSION" | cut -c1-8']
`);
    expect(lax.x.state.current).toBe('SUCCESS');
    expect(lax.logs.some((l) => l.message === 'after in')).toBe(true);
  });

  it('Bash: runner DOCKER and dockerOptions ask for Docker: one WARN, run as a process', async () => {
    const { x, logs } = await run('docker', `
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    runner: DOCKER
    dockerOptions:
      image: php
    commands: ['echo ran']
`);
    expect(x.state.current).toBe('SUCCESS');
    expect(logs.filter((l) => l.level === 'WARN').map((l) => l.message)).toEqual(['Troupe runs script tasks as local processes: dockerOptions, runner: DOCKER ignored, the task runs with the process runner']);
  });

  it('Python: main.py in a fresh virtualenv, `from kestra import Kestra`, args; without main.py a clear error', async () => {
    const { x, tr } = await run('python', `
  - id: py
    type: io.kestra.core.tasks.scripts.Python
    args: [data.json]
    inputFiles:
      data.json: '{"status": "OK"}'
      main.py: |
        import json, sys
        from kestra import Kestra
        status = json.load(open(sys.argv[1]))["status"]
        Kestra.outputs({"status": status, "venv": sys.prefix != sys.base_prefix})
        Kestra.counter("rows", 3, {"t": "x"})
        Kestra.timer("took", 1.5)
`);
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs).toMatchObject({ vars: { status: 'OK', venv: true }, exitCode: 0 });
    expect(tr.attempts![0]!.metrics).toEqual([
      { name: 'rows', type: 'counter', value: 3, tags: { t: 'x' } },
      { name: 'took', type: 'timer', value: 'PT1.5S', tags: {} },
    ]);
    const missing = await run('nomain', `
  - id: py
    type: io.kestra.core.tasks.scripts.Python
    virtualEnv: false
    inputFiles:
      other.py: print(1)
`);
    expect(missing.x.state.current).toBe('FAILED');
    expect(missing.logs.some((l) => l.message === 'Invalid input files structure, expecting inputFiles property to contain at least a main.py key with python code value.')).toBe(true);
  });

  it('Node: main.js with `require("./kestra")`, args', async () => {
    const { x, tr } = await run('node', `
  - id: js
    type: io.kestra.core.tasks.scripts.Node
    args: [a, b]
    inputFiles:
      main.js: |
        const Kestra = require('./kestra');
        Kestra.outputs({ args: process.argv.slice(2), line: 'x\\u2028y' });
`);
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs).toMatchObject({ vars: { args: ['a', 'b'], line: 'x\u2028y' }, exitCode: 0, stdOutLineCount: 1, stdErrLineCount: 0 });
  });
});

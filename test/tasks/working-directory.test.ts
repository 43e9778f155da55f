/**
 * WorkingDirectory and LocalFiles on a real engine: real child processes in one shared directory
 * under the data dir's work area, real files in the engine's local storage. Each property of the
 * WorkingDirectory (tasks, inputFiles, outputFiles, namespaceFiles, cache with its ttl), the end
 * of its directory (after success, failure, a failed setup, a kill), restart of a failed one, and
 * LocalFiles inside and outside one.
 */
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { parseFlow } from '../../src/flow/index.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';

let engine: Engine;
let dataDir: string;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dataDir, dispose } = await openTestEngine());
});
afterAll(async () => dispose());

const WD = 'io.kestra.plugin.core.flow.WorkingDirectory';
const SHELL = 'io.kestra.plugin.scripts.shell.Commands';
const flow = (id: string, body: string): string => `id: ${id}\nnamespace: wd.tests\n${body}`;

async function text(uri: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await engine.storage.get(uri)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Working directories left under the data dir's work area. */
function leftDirs(): string[] {
  const work = join(dataDir, 'work');
  return existsSync(work) ? readdirSync(work).filter((n) => n.startsWith('wd-')) : [];
}

function messages(id: string, taskId: string): string[] {
  return engine.logs(id).filter((l) => l.taskId === taskId).map((l) => l.message);
}

describe('WorkingDirectory', () => {
  it('runs its tasks in order in one directory, which {{ workingDir }} names, and removes it at the end', async () => {
    const x = await runFlow(engine, flow('shared', `tasks:
  - id: wd
    type: ${WD}
    tasks:
      - id: write
        type: ${SHELL}
        commands:
          - echo "{{ taskrun.id }}" > stay.txt
          - echo "cwd=$(pwd)"
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "dir={{ workingDir }}"
      - id: read
        type: ${SHELL}
        commands:
          - echo "::{\\"outputs\\":{\\"stay\\":\\"$(cat {{ workingDir }}/stay.txt)\\"}}::"
      - id: off
        type: io.kestra.plugin.core.debug.Return
        format: never
        disabled: true
`));
    expect(x.state.current).toBe('SUCCESS');
    expect(x.taskRunList!.map((r) => r.taskId)).toEqual(['wd', 'write', 'log', 'read']);
    const [wd, write, , read] = x.taskRunList!;
    expect(read!.outputs!.vars).toEqual({ stay: write!.id });
    const dir = join(dataDir, 'work', `wd-${wd!.id}`);
    expect(messages(x.id, 'write')).toContain(`cwd=${dir}`);
    expect(messages(x.id, 'log')).toEqual([`dir=${dir}`]);
    expect(wd!.outputs).toEqual({});
    expect(existsSync(dir)).toBe(false);
    expect(leftDirs()).toEqual([]);
  });

  it('writes inputFiles (a map, a JSON string, kestra:// values) before its tasks and uploads outputFiles after them', async () => {
    await engine.storage.put('kestra:///wd/tests/_files/ns.txt', 'from the namespace');
    const x = await runFlow(engine, flow('files', `tasks:
  - id: make
    type: io.kestra.plugin.core.storage.Write
    content: stored
  - id: wd
    type: ${WD}
    inputFiles:
      a.txt: "hello {{ flow.id }}"
      sub/b.txt: "{{ outputs.make.uri }}"
    outputFiles: ["*.out", "deep/**"]
    tasks:
      - id: sh
        type: ${SHELL}
        commands:
          - cat a.txt sub/b.txt > both.out
          - mkdir -p deep/er && echo deep > deep/er/x.csv && echo no > skipped.txt
  - id: wd2
    type: ${WD}
    inputFiles: '{"j.txt": "json {{ 1 + 1 }}"}'
    outputFiles: [j.txt]
    tasks:
      - id: noop
        type: io.kestra.plugin.core.debug.Return
        format: x
`));
    expect(x.state.current).toBe('SUCCESS');
    const wd = x.taskRunList!.find((r) => r.taskId === 'wd')!;
    const files = wd.outputs!.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['both.out', 'deep/er/x.csv']);
    expect(await text(files['both.out']!)).toBe('hello filesstored');
    expect(await text(files['deep/er/x.csv']!)).toBe('deep\n');
    for (const uri of Object.values(files)) expect(uri).toMatch(new RegExp(`^kestra:///wd/tests/files/executions/${x.id}/tasks/wd/${wd.id}/`));
    // Kestra's manifest of the captured files, in the run's storage.
    const manifest = await text(`kestra:///wd/tests/files/executions/${x.id}/tasks/wd/${wd.id}/outputs.ion`);
    expect(manifest).toBe(`{'both.out':"${files['both.out']}",'deep/er/x.csv':"${files['deep/er/x.csv']}"}\n`);
    const wd2 = x.taskRunList!.find((r) => r.taskId === 'wd2')!;
    expect(await text((wd2.outputs!.outputFiles as Record<string, string>)['j.txt']!)).toBe('json 2');
    expect(leftDirs()).toEqual([]);
  });

  it('copies the namespace files that match include and not exclude', async () => {
    await engine.storage.put('kestra:///wd/tests/_files/scripts/run.sh', 'echo ran');
    await engine.storage.put('kestra:///wd/tests/_files/scripts/skip.sh', 'echo skip');
    await engine.storage.put('kestra:///wd/tests/_files/data/d.csv', 'd');
    const x = await runFlow(engine, flow('nsfiles', `tasks:
  - id: wd
    type: ${WD}
    namespaceFiles:
      enabled: true
      include: ["scripts/**", "d.csv"]
      exclude: ["**/skip.sh"]
    tasks:
      - id: sh
        type: ${SHELL}
        commands:
          - sh scripts/run.sh
          - find . -type f | sort
`));
    expect(x.state.current).toBe('SUCCESS');
    expect(messages(x.id, 'sh')).toEqual(['ran', './data/d.csv', './scripts/run.sh']);
  });

  it('stops at a failed task, runs its errors branch outside the directory, and fails; an allowFailure task does not stop it', async () => {
    const x = await runFlow(engine, flow('failing', `tasks:
  - id: wd
    type: ${WD}
    outputFiles: [kept.txt]
    tasks:
      - id: soft
        type: ${SHELL}
        allowFailure: true
        commands: ["echo kept > kept.txt", "exit 3"]
      - id: hard
        type: ${SHELL}
        commands: ["exit 4"]
      - id: never
        type: ${SHELL}
        commands: ["echo never"]
    errors:
      - id: onError
        type: io.kestra.plugin.core.log.Log
        message: "errors branch"
`));
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wd:FAILED', 'soft:WARNING', 'hard:FAILED', 'onError:SUCCESS']);
    // The teardown ran before the errors branch: the output file is captured.
    expect((x.taskRunList![0]!.outputs!.outputFiles as Record<string, string>)['kept.txt']).toMatch(/^kestra:\/\/\//);
    expect(leftDirs()).toEqual([]);
  });

  it('fails without running its tasks when its setup fails, and leaves no directory', async () => {
    const x = await runFlow(engine, flow('badsetup', `tasks:
  - id: wd
    type: ${WD}
    inputFiles:
      a.txt: "kestra:///wd/tests/badsetup/executions/nope/missing.txt"
    tasks:
      - id: never
        type: ${SHELL}
        commands: ["echo never"]
    errors:
      - id: onError
        type: io.kestra.plugin.core.log.Log
        message: "not for a failed setup"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: never
errors:
  - id: flowErrors
    type: io.kestra.plugin.core.log.Log
    message: "flow errors"
`));
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wd:FAILED', 'flowErrors:SUCCESS']);
    expect(messages(x.id, 'wd').some((m) => m.startsWith('Failed preExecuteTasks on WorkingDirectory: ') && m.includes('missing.txt'))).toBe(true);
    expect(leftDirs()).toEqual([]);
  });

  it('gives each run of a loop its own directory', async () => {
    const x = await runFlow(engine, flow('each', `tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    concurrencyLimit: 0
    tasks:
      - id: wd
        type: ${WD}
        tasks:
          - id: put
            type: io.kestra.plugin.core.storage.LocalFiles
            inputs:
              v.txt: "{{ taskrun.value }}"
          - id: get
            type: ${SHELL}
            commands: ["echo \\"$(find . -type f | wc -l) $(cat v.txt) {{ workerTaskrun.value }}\\""]
`));
    expect(x.state.current).toBe('SUCCESS');
    expect(x.taskRunList!.filter((r) => r.taskId === 'wd')).toHaveLength(3);
    expect(messages(x.id, 'get').sort()).toEqual(['1 a a', '1 b b', '1 c c']);
    expect(leftDirs()).toEqual([]);
  });

  it('is removed when the execution is killed while a task runs in it', async () => {
    const rec = await engine.deploy(flow('killed', `tasks:
  - id: wd
    type: ${WD}
    tasks:
      - id: sleep
        type: ${SHELL}
        commands: ["echo started", "sleep 300"]
`));
    const id = await engine.execute(rec.namespace, rec.id);
    for await (const event of engine.follow(id)) {
      if (engine.logs(id).some((l) => l.message === 'started')) break;
      void event;
    }
    expect(leftDirs()).toHaveLength(1);
    await engine.kill(id);
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('KILLED');
    // The removal is not awaited by the kill: wait for the pool to do it.
    for (let i = 0; i < 500 && leftDirs().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(leftDirs()).toEqual([]);
  });

  it('runs whole again, from its setup, when a failed execution is restarted', async () => {
    const marker = join(dataDir, 'restart-marker');
    const x = await runFlow(engine, flow('restarted', `tasks:
  - id: wd
    type: ${WD}
    inputFiles:
      in.txt: input
    tasks:
      - id: first
        type: ${SHELL}
        commands: ["echo first >> log.txt"]
      - id: second
        type: ${SHELL}
        commands: ['[ -e "${marker}" ] || exit 1', "cat in.txt; echo; cat log.txt"]
`));
    expect(x.state.current).toBe('FAILED');
    writeFileSync(marker, '');
    await engine.restart(x.id);
    const y = await engine.waitFor(x.id);
    expect(y.state.current).toBe('SUCCESS');
    expect(y.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wd:SUCCESS', 'first:SUCCESS', 'second:SUCCESS']);
    // A fresh directory: the input file again, `first` ran once in it.
    expect(messages(y.id, 'second').slice(-2)).toEqual(['input', 'first']);
    expect(leftDirs()).toEqual([]);
  });

  it('refuses a flowable task among its tasks, as Kestra', () => {
    expect(() => parseFlow(flow('refused', `tasks:
  - id: wd
    type: ${WD}
    tasks:
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: r
            type: io.kestra.plugin.core.debug.Return
            format: x
`))).toThrow(/Only runnable tasks are allowed as children of a WorkingDirectory task \('seq' is a flowable\)/);
  });
});

describe('WorkingDirectory cache', () => {
  const cached = (id: string, ttl: string, command: string): string => flow(id, `tasks:
  - id: wd
    type: ${WD}
    cache:
      patterns: ["deps/**"]
      ttl: ${ttl}
    tasks:
      - id: sh
        type: ${SHELL}
        commands:
          - 'if [ -e deps/lib/x.js ]; then echo "restored $(cat deps/lib/x.js)"; else echo cold; fi'
          - ${command}
`);
  const cacheFile = (id: string): string => join(dataDir, 'storage', 'wd', 'tests', id, 'wd', 'cache', 'cache.tar.gz');

  it('saves the files matching its patterns and restores them in the next execution while younger than ttl', async () => {
    const install = `'[ -e deps/lib/x.js ] || (mkdir -p deps/lib deps/bin && echo v1 > deps/lib/x.js && printf "#!/bin/sh\\necho tool" > deps/bin/tool && chmod +x deps/bin/tool && echo other > not-cached.txt)'`;
    const first = await runFlow(engine, cached('cache1', 'PT1H', install));
    expect(first.state.current).toBe('SUCCESS');
    expect(messages(first.id, 'sh')).toEqual(['cold']);
    expect(existsSync(cacheFile('cache1'))).toBe(true);
    // Nothing the patterns match changes in the second run: the cache is kept as it was.
    const past = new Date(Date.now() - 60_000);
    utimesSync(cacheFile('cache1'), past, past);
    const second = await runFlow(engine, cached('cache1', 'PT1H', "'deps/bin/tool; [ ! -e not-cached.txt ] && echo only-the-patterns'"));
    expect(second.state.current).toBe('SUCCESS');
    expect(messages(second.id, 'sh')).toEqual(['restored v1', 'tool', 'only-the-patterns']);
    expect(Math.round(statSync(cacheFile('cache1')).mtimeMs / 1000)).toBe(Math.round(past.getTime() / 1000));
    // A change to a cached file is saved.
    const third = await runFlow(engine, cached('cache1', 'PT1H', "'echo v2 > deps/lib/x.js'"));
    expect(messages(third.id, 'sh')).toEqual(['restored v1']);
    const fourth = await runFlow(engine, cached('cache1', 'PT1H', 'true'));
    expect(messages(fourth.id, 'sh')).toEqual(['restored v2']);
    expect(leftDirs()).toEqual([]);
  });

  it('deletes a cache older than its ttl instead of restoring it', async () => {
    const first = await runFlow(engine, cached('cache2', 'PT1M', "'mkdir -p deps/lib && echo old > deps/lib/x.js'"));
    expect(first.state.current).toBe('SUCCESS');
    const past = new Date(Date.now() - 120_000);
    utimesSync(cacheFile('cache2'), past, past);
    const second = await runFlow(engine, cached('cache2', 'PT1M', 'true'));
    expect(messages(second.id, 'sh')).toEqual(['cold']);
    expect(existsSync(cacheFile('cache2'))).toBe(false);
  });
});

describe('LocalFiles', () => {
  it('outside a WorkingDirectory: writes inputs, uploads the matching outputs as uris, in a directory of its own', async () => {
    const x = await runFlow(engine, flow('local', `tasks:
  - id: files
    type: io.kestra.plugin.core.storage.LocalFiles
    inputs: '{"a/one.txt": "1", "a/two.csv": "2", "top.txt": "{{ flow.id }}"}'
    outputs: ["a/*.txt", "top.txt"]
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.files.uris['top.txt']) }}"
`));
    expect(x.state.current).toBe('SUCCESS');
    const uris = x.taskRunList![0]!.outputs!.uris as Record<string, string>;
    expect(Object.keys(uris).sort()).toEqual(['a/one.txt', 'top.txt']);
    expect(await text(uris['a/one.txt']!)).toBe('1');
    expect(x.taskRunList![1]!.outputs!.value).toBe('local');
    // Its scratch directory went with the file it did not upload.
    expect(readdirSync(join(dataDir, 'work'), { recursive: true }).filter((n) => String(n).endsWith('two.csv'))).toEqual([]);
  });

  it('inside a WorkingDirectory: the files stay for the next task, an uploaded one is moved out', async () => {
    const x = await runFlow(engine, flow('localwd', `tasks:
  - id: wd
    type: ${WD}
    tasks:
      - id: put
        type: io.kestra.plugin.core.storage.LocalFiles
        inputs:
          out/stay.txt: "{{ taskrun.id }}"
          keep.txt: kept
      - id: take
        type: io.kestra.plugin.core.storage.LocalFiles
        outputs: ["out/*"]
      - id: ls
        type: ${SHELL}
        commands: ["find . -type f | sort"]
`));
    expect(x.state.current).toBe('SUCCESS');
    const put = x.taskRunList!.find((r) => r.taskId === 'put')!;
    const take = x.taskRunList!.find((r) => r.taskId === 'take')!;
    expect(put.outputs).toEqual({ uris: {} });
    expect(await text((take.outputs!.uris as Record<string, string>)['out/stay.txt']!)).toBe(put.id);
    expect(messages(x.id, 'ls')).toEqual(['./keep.txt']);
  });
});

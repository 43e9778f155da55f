/**
 * Script tasks' files in internal storage, with real processes and the engine's local storage:
 * outputFiles globs (Java glob semantics) and the output dir uploaded as kestra:// URIs, a next
 * task reading them through inputFiles and through a URI in its commands, namespaceFiles copied in
 * (include/exclude), the legacy types' outputFiles keys, and the glob matcher itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import { namespaceFileMatcher, pathMatcher } from '../../src/tasks/scripts/glob.js';

let engine: Engine;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
});
afterAll(async () => dispose());

const flow = (id: string, tasks: string): string => `id: ${id}\nnamespace: scripts.files\ntasks:\n${tasks}`;

async function text(uri: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await engine.storage.get(uri)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('script files', () => {
  it('outputFiles and the output dir become kestra:// URIs; the next task reads them as input files and in its commands', async () => {
    const x = await runFlow(engine, flow('outputs', `
  - id: produce
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles: ['*.csv', 'sub/**', 'nothing-*.txt']
    commands:
      - echo "a,b" > top.csv
      - mkdir -p sub/deep && echo deep > sub/deep/x.csv && echo not > ignored.txt
      - echo report > "{{ outputDir }}/report.txt"
  - id: consume
    type: io.kestra.plugin.scripts.python.Script
    inputFiles:
      data.csv: "{{ outputs.produce.outputFiles['top.csv'] }}"
    script: |
      print(open('data.csv').read().strip())
  - id: cat
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - cat {{ outputs.produce.outputFiles['sub/deep/x.csv'] }}
`));
    expect(x.state.current).toBe('SUCCESS');
    const files = x.taskRunList![0]!.outputs!.outputFiles as Record<string, string>;
    expect(Object.keys(files).sort()).toEqual(['report.txt', 'sub/deep/x.csv', 'top.csv']);
    for (const uri of Object.values(files)) expect(uri).toMatch(/^kestra:\/\/\/scripts\/files\/outputs\/executions\/[^/]+\/tasks\/produce\/[^/]+\/.+/);
    expect(files['report.txt']!.endsWith('/report.txt')).toBe(true);
    expect(files['top.csv']!).toMatch(/\/[0-9A-Za-z]+-top\.csv$/);
    expect(await text(files['top.csv']!)).toBe('a,b\n');
    const logs = engine.logs(x.id);
    expect(logs.filter((l) => l.level === 'WARN').map((l) => l.message)).toEqual(["outputFiles: no file of the working directory matches 'nothing-*.txt'"]);
    expect(logs.filter((l) => l.taskId === 'consume').map((l) => l.message)).toEqual(['a,b']);
    expect(logs.filter((l) => l.taskId === 'cat').map((l) => l.message)).toEqual(['deep']);
  });

  it('output files are kept when the script fails; a URI in the commands that cannot be read fails the task', async () => {
    const x = await runFlow(engine, flow('failing', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    outputFiles: [out.txt]
    commands: ['echo kept > out.txt', 'exit 4']
`));
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList![0]!.outputs).toMatchObject({ exitCode: 4, outputFiles: { 'out.txt': expect.stringMatching(/^kestra:\/\/\//) } });
    const missing = await runFlow(engine, flow('missing', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands: ['echo kestra:///scripts/files/missing/executions/nope/file.txt']
`));
    expect(missing.state.current).toBe('FAILED');
    expect(engine.logs(missing.id).some((l) => l.level === 'ERROR' && /kestra:\/\/\/scripts\/files\/missing\/executions\/nope\/file\.txt/.test(l.message))).toBe(true);
  });

  it('namespaceFiles copies the namespace files that match include and not exclude', async () => {
    await engine.storage.put('kestra:///scripts/files/_files/a.txt', 'A');
    await engine.storage.put('kestra:///scripts/files/_files/dir/a.txt', 'deep A');
    await engine.storage.put('kestra:///scripts/files/_files/dir/b.sql', 'B');
    const x = await runFlow(engine, flow('nsfiles', `
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    namespaceFiles:
      enabled: true
      include: [a.txt, '**.sql']
      exclude: ['/dir/*.sql']
    commands: ['find . -type f -not -name "*.proc" | sort', 'cat dir/a.txt']
  - id: off
    type: io.kestra.plugin.scripts.shell.Commands
    namespaceFiles:
      enabled: false
    commands: ['find . -type f | wc -l']
`));
    expect(x.state.current).toBe('SUCCESS');
    const logs = engine.logs(x.id);
    expect(logs.filter((l) => l.taskId === 'sh').map((l) => l.message)).toEqual(['./a.txt', './dir/a.txt', 'deep A']);
    expect(logs.filter((l) => l.taskId === 'off').map((l) => l.message.trim())).toEqual(['0']);
  });

  it('legacy Bash: each outputFiles key is a temp file, uploaded as outputFiles.<key> and files.<key>; outputDirs keep their paths', async () => {
    const x = await runFlow(engine, flow('legacy', `
  - id: bash
    type: io.kestra.core.tasks.scripts.Bash
    outputFiles: [first]
    outputDirs: [reports]
    commands:
      - echo 1 >> {{ outputFiles.first }}
      - echo r > {{ outputDirs.reports }}/r.txt
`));
    expect(x.state.current).toBe('SUCCESS');
    const out = x.taskRunList![0]!.outputs as { outputFiles: Record<string, string>; files: Record<string, string> };
    expect(Object.keys(out.outputFiles).sort()).toEqual(['first', 'reports/r.txt']);
    expect(out.files).toEqual(out.outputFiles);
    expect(await text(out.outputFiles.first!)).toBe('1\n');
    expect(await text(out.outputFiles['reports/r.txt']!)).toBe('r\n');
  });
});

describe('path patterns (Java globs)', () => {
  it('* stays in a segment, ** crosses them, classes, alternatives, regex:', () => {
    const m = (p: string, path: string): boolean => pathMatcher(p)(path);
    expect(m('*.csv', 'a.csv')).toBe(true);
    expect(m('*.csv', 'd/a.csv')).toBe(false);
    expect(m('**.csv', 'd/e/a.csv')).toBe(true);
    expect(m('**/*.csv', 'a.csv')).toBe(false);
    expect(m('**/*.csv', 'd/a.csv')).toBe(true);
    expect(m('file?.{txt,md}', 'file1.md')).toBe(true);
    expect(m('[!a]*', 'abc')).toBe(false);
    expect(m('regex:.*\\.json', 'x/y.json')).toBe(true);
    expect(namespaceFileMatcher('a.txt')('x/y/a.txt')).toBe(true);
    expect(namespaceFileMatcher('/a.txt')('x/a.txt')).toBe(false);
  });
});

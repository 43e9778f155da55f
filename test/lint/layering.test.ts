/**
 * The lint rules of eslint.config.js on a small tree of their own: each rule fires where the
 * layering forbids something and stays quiet where it allows it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JS module without declarations
import { layering } from '../../eslint.config.js';

const FILES: Record<string, string> = {
  'src/runtime/engine.ts': 'export const engine = 1;\n',
  'src/model/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = (): number => b;\n",
  'src/model/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = 1;\nexport const c = a;\n",
  'src/flow/builtins.ts': "import { readFileSync } from 'node:fs';\nimport { join } from 'path';\nexport const x = [readFileSync, join];\n",
  'src/executor/upward.ts': "import { engine } from '../runtime/engine.js';\nexport const x = engine;\n",
  'src/inputs/io-package.ts': "import { open } from 'lmdb';\nexport const x = open;\n",
  'src/expr/clock.ts': [
    'export const a = Date.now();',
    'export const b = new Date();',
    'export const c = Math.random();',
    'export const d = performance.now();',
    'export const e = crypto.randomUUID();',
    'export const f = globalThis.crypto;',
    'export const g = process.env;',
    'export const h = setTimeout(() => undefined, 1);',
    "export const i = import('node:fs');",
    'export const j = Date();',
    '',
  ].join('\n'),
  'src/expr/allowed.ts': "export const d = new Date(0);\nexport const p = Date.parse('2024-01-01');\nexport const r = Math.round(1.5);\n",
  'src/tasks/shell/pool.ts': "import { spawn } from 'node:child_process';\nexport const t = Date.now();\nexport const s = spawn;\n",
  'src/tasks/shell/commands.pool.ts': "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n",
  'src/tasks/shell/spec.ts': "export const t = Date.now();\n",
  'src/store/impure.ts': "import { readFileSync } from 'node:fs';\nexport const t = [Date.now(), readFileSync];\n",
};

let dir: string;
let byFile: Map<string, Array<{ rule: string | null; line: number }>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-lint-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, baseConfig: layering(dir) });
  const results = await eslint.lintFiles(['src']);
  byFile = new Map(results.map((r) => [relative(dir, r.filePath), r.messages.map((m) => ({ rule: m.ruleId, line: m.line }))]));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rules = (file: string): Array<string | null> => (byFile.get(file) ?? []).map((m) => m.rule);

describe('layering lint', () => {
  it('reports a file import cycle on both files', () => {
    expect(rules('src/model/cycle-a.ts')).toEqual(['import-x/no-cycle']);
    expect(rules('src/model/cycle-b.ts')).toEqual(['import-x/no-cycle']);
  });

  it('keeps node:* and bare builtins out of the pure core', () => {
    expect(rules('src/flow/builtins.ts')).toEqual(['import-x/no-nodejs-modules', 'import-x/no-nodejs-modules']);
  });

  it('keeps runtime, store, pool, server and cli out of the pure core', () => {
    expect(rules('src/executor/upward.ts')).toEqual(['import-x/no-restricted-paths']);
  });

  it('keeps I/O packages out of the pure core', () => {
    expect(rules('src/inputs/io-package.ts')).toEqual(['no-restricted-imports']);
  });

  it('reports every clock, randomness, timer and process read, one per line', () => {
    const lines = (byFile.get('src/expr/clock.ts') ?? []).filter((m) => m.rule === 'no-restricted-syntax' || m.rule === 'import-x/no-nodejs-modules').map((m) => m.line);
    expect([...new Set(lines)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('allows dates with arguments, Date.parse and Math', () => {
    expect(rules('src/expr/allowed.ts')).toEqual([]);
  });

  it('lets pool-side task files (pool.ts, *.pool.ts) do I/O and read clocks, but not their siblings', () => {
    expect(rules('src/tasks/shell/pool.ts')).toEqual([]);
    expect(rules('src/tasks/shell/commands.pool.ts')).toEqual([]);
    expect(rules('src/tasks/shell/spec.ts')).toEqual(['no-restricted-syntax']);
  });

  it('leaves the impure layers free to do I/O', () => {
    expect(rules('src/store/impure.ts')).toEqual([]);
  });
});

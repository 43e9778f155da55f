/** tools/lint/folder-cycles.mjs on small trees: which folder cycles it reports, and stale allowlist entries. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain JS module without declarations
import { checkFolderCycles, cyclicComponents, folderGraph } from '../../tools/lint/folder-cycles.mjs';

type Check = { cycles: Array<{ members: string[]; edges: string[] }>; stale: Array<{ from: string; to: string; why: string }> };
const dirs: string[] = [];

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-cycles-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// protocol → executor → protocol through different files: no file cycle, a folder cycle.
const PROTOCOL_EXECUTOR = {
  'protocol/messages.ts': "import type { Effect } from '../executor/effects.js';\nexport type Message = { effect: Effect };\n",
  'executor/effects.ts': 'export type Effect = { kind: string };\n',
  'executor/step.ts': "import type { Message } from '../protocol/messages.js';\nexport const step = (m: Message): Message => m;\n",
  'model/state.ts': 'export const s = 1;\n',
  'executor/state.ts': "import { s } from '../model/state.js';\nexport const t = s;\n",
  'errors.ts': "import { s } from './model/state.js';\nexport const e = s;\n",
};

describe('folder cycles', () => {
  it('reports protocol → executor → protocol, type-only imports included, with the file behind each edge', () => {
    const { cycles, stale } = checkFolderCycles(tree(PROTOCOL_EXECUTOR)) as Check;
    expect(stale).toEqual([]);
    expect(cycles).toEqual([
      {
        members: ['executor', 'protocol'],
        edges: ["executor → protocol (executor/step.ts imports '../protocol/messages.js')", "protocol → executor (protocol/messages.ts imports '../executor/effects.js')"],
      },
    ]);
  });

  it('treats root files as nodes and finds longer cycles', () => {
    const dir = tree({ 'a/x.ts': "import '../b/y.js';\n", 'b/y.ts': "export * from '../errors.js';\n", 'errors.ts': "const m = await import('./a/x.js');\nexport { m };\n", 'c/z.ts': "import '../a/x.js';\n" });
    expect((folderGraph(dir) as Map<string, Map<string, unknown>>).get('errors')?.has('a')).toBe(true);
    expect(cyclicComponents(folderGraph(dir))).toEqual([['a', 'b', 'errors']]);
  });

  it('accepts an allowlisted edge, and reports it stale once the cycle is gone', () => {
    const allow = [{ from: 'protocol', to: 'executor' }];
    expect(checkFolderCycles(tree(PROTOCOL_EXECUTOR), allow)).toEqual({ cycles: [], stale: [] });
    const fixed = tree({ ...PROTOCOL_EXECUTOR, 'protocol/messages.ts': 'export type Message = { effect: string };\n' });
    expect((checkFolderCycles(fixed, allow) as Check).stale).toEqual([{ from: 'protocol', to: 'executor', why: 'protocol no longer imports executor' }]);
    const acyclic = tree({ ...PROTOCOL_EXECUTOR, 'executor/step.ts': 'export const step = 1;\n' });
    expect((checkFolderCycles(acyclic, allow) as Check).stale).toEqual([{ from: 'protocol', to: 'executor', why: 'protocol → executor is no longer part of a cycle' }]);
  });

  it('ignores subfolder edges within one top-level folder and package imports', () => {
    const dir = tree({ 'expr/jq/run.ts': "import { v } from '../values.js';\nimport 'yaml';\nexport const r = v;\n", 'expr/values.ts': "import '../expr/jq/run.js';\nexport const v = 1;\n" });
    expect(checkFolderCycles(dir)).toEqual({ cycles: [], stale: [] });
  });
});

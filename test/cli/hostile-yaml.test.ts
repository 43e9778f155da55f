import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { HOSTILE_CASES } from '../flow/hostile-cases.js';

const run = promisify(execFile);
const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;

async function troupeCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [troupe, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A stack trace line, as Node prints one for an uncaught error. */
const STACK = /^\s+at .+:\d+:\d+\)?$/m;

// The cases that fit the CLI's default limits (the others need a raised size cap).
const cases = HOSTILE_CASES.filter((c) => c.options === undefined);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-hostile-'));
  cases.forEach((c, i) => writeFileSync(join(dir, `case-${i}.yaml`), c.source()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('troupe validate and run on hostile flows', () => {
  it('validate reports each with its position, exits with the registry’s code, no stack trace', async () => {
    const r = await troupeCli(['validate', dir]);
    expect(r.code).toBe(ERROR_CODES.TROUPE_FLOW_TOO_DEEP.exitCode);
    const blocks = r.stdout.split(/^(?=✘ )/m);
    cases.forEach((c, i) => {
      const block = blocks.find((b) => b.startsWith(`✘ ${join(dir, `case-${i}.yaml`)}\n`));
      expect(block?.split('\n')[1], c.name).toMatch(new RegExp(`^    ${c.line}:${c.column} `));
    });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
    expect(r.stderr).not.toMatch(/RangeError|Maximum call stack/);
  }, 60_000);

  it.each(['`- - - …`', '`? ? ? …` (complex keys)'])('run refuses %s with its code at file:line:column', async (prefix) => {
    const i = cases.findIndex((c) => c.name.startsWith(prefix));
    const c = cases[i]!;
    const path = join(dir, `case-${i}.yaml`);
    const r = await troupeCli(['run', path]);
    expect(r.code).toBe(ERROR_CODES[c.code].exitCode);
    expect(r.stderr.startsWith(`${c.code}: ${path}:${c.line}:${c.column}: `)).toBe(true);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(STACK);
  }, 60_000);
});

/** `troupe kv …` as a user runs it: real child processes on a real data dir (no daemon: the engine opens in the process). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;
const data = mkdtempSync(join(tmpdir(), 'troupe-cli-kv-'));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [troupe, 'kv', ...args, '--data', data], { timeout: 90_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('troupe kv', () => {
  it('sets values read as Ion (else text), gets, lists and deletes them; reports bad input', async () => {
    expect(await cli('set', 'team', 'conf', '{"retries": 3}')).toMatchObject({ code: 0, stdout: 'set team conf\n' });
    expect(await cli('set', 'team', 'greeting', 'hello world', '--ttl', 'PT1H')).toMatchObject({ code: 0 });
    expect(await cli('set', 'team', 'n', '42', '--string')).toMatchObject({ code: 0 });
    expect(await cli('get', 'team', 'conf')).toMatchObject({ code: 0, stdout: '{"retries":3}\n' });
    expect(await cli('get', 'team', 'greeting')).toMatchObject({ code: 0, stdout: 'hello world\n' });
    expect(await cli('get', 'team', 'n', '--json')).toMatchObject({ code: 0, stdout: '{"type":"STRING","value":"42"}\n' });
    const list = await cli('list', 'team');
    expect(list.stdout.trim().split('\n').map((l) => l.split('  ')[0])).toEqual(['conf', 'greeting', 'n']);
    expect(list.stdout).toMatch(/greeting {2}\S+ {2}expires \S+Z\n/);
    expect(await cli('get', 'team', 'nope')).toMatchObject({ code: 1, stderr: "TROUPE_KV_NOT_FOUND: No value found for key 'nope' in namespace 'team'\n" });
    expect(await cli('set', 'team', 'bad key', '1')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_ILLEGAL_ARGUMENT: Key must start/) });
    expect(await cli('set', 'team', 'k', '1', '--ttl', 'later')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_ILLEGAL_ARGUMENT: /) });
    expect(await cli('delete', 'team', 'conf', 'nope')).toMatchObject({ code: 0, stdout: 'deleted team conf\n' });
    expect(await cli('delete', 'team', 'nope')).toMatchObject({ code: 1, stdout: '' });
  }, 120_000);
});

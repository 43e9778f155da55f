/**
 * `troupe nsfiles …` as a user runs it: child processes of bin/troupe.js against a real daemon app
 * listening on 127.0.0.1 (with basic auth).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../server/helpers.js';

const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [troupe, ...args], { env: { ...process.env, TROUPE_AUTH: '', TROUPE_TOKEN: '', ...env }, timeout: 60_000 }, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

let t: TestApp;
let server: string;
let dir: string;
const AUTH = ['--auth', 'admin@troupe.dev:pw'];
beforeAll(async () => {
  t = await openTestApp({ auth: { basic: { username: 'admin@troupe.dev', password: 'pw' } } });
  server = await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = mkdtempSync(join(tmpdir(), 'troupe-nsfiles-cli-'));
});
afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('troupe nsfiles', () => {
  it('uploads, lists, gets and deletes through the daemon', async () => {
    const local = join(dir, 'query.sql');
    writeFileSync(local, 'select 1;\n');
    const up = await cli(['nsfiles', 'upload', 'company.team', local, '/sql/query.sql', '--server', server, ...AUTH]);
    expect(up.stderr).toBe('');
    expect(up.stdout).toBe('/sql/query.sql\n');

    expect((await cli(['nsfiles', 'list', 'company.team', '--server', server, ...AUTH])).stdout).toBe('/sql/\n');
    expect((await cli(['nsfiles', 'list', 'company.team', '/sql', '--server', server, ...AUTH])).stdout).toBe('/sql/query.sql\t10\n');
    expect((await cli(['nsfiles', 'list', 'company.team', '-r', '--server', server, ...AUTH])).stdout).toBe('/sql/query.sql\n');

    expect((await cli(['nsfiles', 'get', 'company.team', '/sql/query.sql', '--server', server, ...AUTH])).stdout).toBe('select 1;\n');
    const copy = join(dir, 'copy.sql');
    expect((await cli(['nsfiles', 'get', 'company.team', '/sql/query.sql', '-o', copy, '--server', server], { TROUPE_AUTH: 'admin@troupe.dev:pw' })).code).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe('select 1;\n');

    expect((await cli(['nsfiles', 'delete', 'company.team', '/sql/query.sql', '--server', server, ...AUTH])).code).toBe(0);
    const missing = await cli(['nsfiles', 'get', 'company.team', '/sql/query.sql', '--server', server, ...AUTH]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^TROUPE_STORAGE_NOT_FOUND: Not Found: File '\/sql\/query.sql' not found/);
  });

  it('reports a path escape, missing credentials and no daemon', async () => {
    const escape = await cli(['nsfiles', 'get', 'company.team', '/../x', '--server', server, ...AUTH]);
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/^TROUPE_ILLEGAL_ARGUMENT: .*'\.\.' is not allowed/);
    expect((await cli(['nsfiles', 'list', 'company.team', '--server', server])).stderr).toMatch(/^TROUPE_HTTP_UNAUTHORIZED/);
    const none = await cli(['nsfiles', 'list', 'company.team', '--server', 'http://127.0.0.1:1']);
    expect(none.stderr).toMatch(/^TROUPE_IPC_UNAVAILABLE: No daemon answers at http:\/\/127.0.0.1:1/);
  });
});

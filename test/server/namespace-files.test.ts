import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, openTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp({ http: { uploadLimit: 1024 } });
});
afterAll(async () => t.dispose());

const NS = '/api/v1/namespaces/company.team/files';
const q = (s: string) => encodeURIComponent(s);

function upload(path: string, content: string, filename = 'f.txt', prefix = NS) {
  const { payload, headers } = multipart({}, [{ field: 'fileContent', filename, content }]);
  return t.app.inject({ method: 'POST', url: `${prefix}?path=${q(path)}`, payload, headers });
}

/** Every file under the storage root (relative), to check that nothing was written. */
function stored(): string[] {
  const root = t.engine.storage.root;
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; parentPath: string; name: string }>)
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('namespace files over HTTP', () => {
  it('uploads (multipart fileContent), downloads, stats and lists', async () => {
    const up = await upload('/scripts/main.py', 'print("hi")');
    expect(up.statusCode).toBe(200);
    expect(up.body).toBe('');
    expect(stored()).toContain('company/team/_files/scripts/main.py');

    const get = await t.app.inject({ method: 'GET', url: `${NS}?path=${q('/scripts/main.py')}` });
    expect(get.statusCode).toBe(200);
    expect(get.headers['content-type']).toBe('application/octet-stream');
    expect(get.body).toBe('print("hi")');

    const stats = await t.app.inject({ method: 'GET', url: `/api/v1/main/namespaces/company.team/files/stats?path=${q('/scripts/main.py')}` });
    expect(stats.json()).toMatchObject({ fileName: 'main.py', type: 'File', size: 11 });

    const dir = await t.app.inject({ method: 'GET', url: `${NS}/directory` });
    expect(dir.statusCode).toBe(200);
    expect(dir.json()).toEqual([expect.objectContaining({ fileName: 'scripts', type: 'Directory', size: 0, metadata: {} })]);
    const sub = await t.app.inject({ method: 'GET', url: `${NS}/directory?path=/scripts` });
    expect(sub.json().map((e: { fileName: string }) => e.fileName)).toEqual(['main.py']);
    expect(typeof sub.json()[0].lastModifiedTime).toBe('number');

    const search = await t.app.inject({ method: 'GET', url: `${NS}/search?q=main` });
    expect(search.json()).toEqual(['/scripts/main.py']);
  });

  it('answers 404 with a Kestra body for a missing file', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${NS}?path=/nope.txt` });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/^Not Found: /);
    expect(res.json()._links.self.href).toBe(`${NS}?path=/nope.txt`);
    expect((await t.app.inject({ method: 'GET', url: `${NS}/directory?path=/nope` })).statusCode).toBe(404);
  });

  it('creates a directory, moves, deletes (empty parents pruned)', async () => {
    expect((await t.app.inject({ method: 'POST', url: `${NS}/directory?path=/empty` })).statusCode).toBe(200);
    expect((await upload('/a/b/c.txt', 'c')).statusCode).toBe(200);
    const move = await t.app.inject({ method: 'PUT', url: `${NS}?from=${q('/a/b/c.txt')}&to=${q('/moved/c.txt')}` });
    expect(move.statusCode).toBe(200);
    const names = async () => (await t.app.inject({ method: 'GET', url: `${NS}/directory?path=/` })).json().map((e: { fileName: string }) => e.fileName);
    expect(await names()).toEqual(['empty', 'moved', 'scripts']);
    expect((await t.app.inject({ method: 'DELETE', url: `${NS}?path=/moved/c.txt` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `${NS}?path=/empty` })).statusCode).toBe(200);
    expect(await names()).toEqual(['scripts']);
    const conflict = await t.app.inject({ method: 'PUT', url: `${NS}?from=/scripts&to=/scripts/main.py` });
    expect(conflict.statusCode).toBe(409);
  });

  it.each([
    ['dot-dot', '/../../../evil.txt'],
    ['encoded dot-dot', '/%2e%2e/%2e%2e/evil.txt'],
    ['backslash', '/..\\..\\evil.txt'],
    ['an absolute path', '//etc/evil.txt'],
    ['a scheme', 'file:///tmp/evil.txt'],
  ])('refuses %s with a 4xx Kestra body and writes nothing', async (_what, path) => {
    const before = stored();
    for (const res of [
      await upload(path, 'evil'),
      await t.app.inject({ method: 'GET', url: `${NS}?path=${q(path)}` }),
      await t.app.inject({ method: 'POST', url: `${NS}/directory?path=${q(path)}` }),
      await t.app.inject({ method: 'DELETE', url: `${NS}?path=${q(path)}` }),
      await t.app.inject({ method: 'PUT', url: `${NS}?from=${q('/scripts/main.py')}&to=${q(path)}` }),
      await t.app.inject({ method: 'GET', url: `/api/v1/namespaces/..%2F..%2Fx/files?path=/a.txt` }),
    ]) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(typeof res.json().message).toBe('string');
    }
    expect(stored()).toEqual(before);
  });

  it('refuses an upload without fileContent, a non-multipart body and an oversized file', async () => {
    const before = stored();
    const { payload, headers } = multipart({ other: 'x' });
    expect((await t.app.inject({ method: 'POST', url: `${NS}?path=/x.txt`, payload, headers })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: `${NS}?path=/x.txt`, payload: 'raw', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(415);
    const big = await upload('/big.txt', 'x'.repeat(4096));
    expect(big.statusCode).toBe(413);
    expect(stored()).toEqual(before);
  });

  it('deploys a flow uploaded to /_flows in this namespace', async () => {
    const res = await upload('/_flows/hello.yml', 'id: nsfile_flow\nnamespace: elsewhere\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n', 'hello.yml');
    expect(res.statusCode).toBe(200);
    const flow = await t.app.inject({ method: 'GET', url: '/api/v1/flows/company.team/nsfile_flow' });
    expect(flow.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: `${NS}/directory?path=/_flows/x` })).statusCode).toBe(422);
  });
});

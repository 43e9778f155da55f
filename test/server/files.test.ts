import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers.js';

const FLOW = `id: files
namespace: test.api
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
`;

let t: TestApp;
let id: string;
let other: string;
let base: string;
beforeAll(async () => {
  t = await openTestApp();
  await t.engine.deploy(FLOW);
  id = await t.engine.execute('test.api', 'files');
  other = await t.engine.execute('test.api', 'files');
  await t.engine.waitFor(id);
  await t.engine.waitFor(other);
  base = `kestra:///test/api/files/executions/${id}`;
  const lines = Array.from({ length: 150 }, (_, i) => `line ${i + 1}`).join('\n');
  await t.engine.storage.put(`${base}/tasks/log/r1/lines.txt`, lines);
  await t.engine.storage.put(`${base}/tasks/log/r1/rows.ion`, '{"a":1}\n{b:2}\n');
  await t.engine.storage.put(`${base}/tasks/log/r1/readme.md`, '# Title\n');
  await t.engine.storage.put(`${base}/tasks/log/r1/pic.png`, new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  await t.engine.storage.put(`${base}/tasks/log/r1/latin.txt`, new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
  await t.engine.storage.put(`${base}/inputs/f/a "b".csv`, 'x,y\n');
  await t.engine.storage.put('kestra:///test/api/other-flow/secret.txt', 'not yours');
});
afterAll(async () => t.dispose());

const get = (url: string) => t.app.inject({ method: 'GET', url });
const q = (uri: string) => encodeURIComponent(uri);

describe('GET /executions/{id}/file', () => {
  it('downloads a file of the execution as an attachment', async () => {
    const res = await get(`/api/v1/executions/${id}/file?path=${q(`${base}/inputs/f/a%20%22b%22.csv`)}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="a _b_.csv"; filename*=UTF-8''a%20%22b%22.csv`);
    expect(res.body).toBe('x,y\n');
  });

  it("redirects to the owning execution for another execution's file", async () => {
    const uri = `kestra:///test/api/files/executions/${other}/tasks/x/r/file.txt`;
    const res = await get(`/api/v1/main/executions/${id}/file?path=${q(uri)}`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/api/v1/main/executions/${other}/file?path=${q(uri)}`);
  });

  it.each([
    ['dot-dot', (b: string) => `${b}/../../../other-flow/secret.txt`],
    ['encoded dot-dot', (b: string) => `${b}/%2e%2e/%2e%2e/%2e%2e/other-flow/secret.txt`],
    ['backslash', (b: string) => `${b}/..\\..\\..\\other-flow\\secret.txt`],
    ['another scheme', () => 'file:///etc/passwd'],
    ['an absolute path', () => '/etc/passwd'],
    ['four slashes', () => 'kestra:////etc/passwd'],
  ])('refuses a path escape (%s) with 422, never reading outside', async (_what, make) => {
    const res = await get(`/api/v1/executions/${id}/file?path=${q(make(base))}`);
    expect(res.statusCode).toBe(422);
    expect(res.body).not.toContain('not yours');
  });

  it('refuses a path outside any execution with Invalid prefix path', async () => {
    const res = await get(`/api/v1/executions/${id}/file?path=${q('kestra:///test/api/other-flow/secret.txt')}`);
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toBe('Illegal argument: Invalid prefix path');
  });

  it('answers 404 for an unknown execution or a missing file, 400 without a path', async () => {
    const unknown = await get(`/api/v1/executions/nope/file?path=${q(`${base}/x`)}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe("Not Found: Unable to find execution id 'nope'");
    expect((await get(`/api/v1/executions/${id}/file?path=${q(`${base}/tasks/none.txt`)}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/executions/${id}/file?path=${q(`${base}/tasks`)}`)).statusCode).toBe(404);
    expect((await get(`/api/v1/executions/${id}/file`)).statusCode).toBe(400);
  });
});

describe('GET /executions/{id}/file/metas and /file/preview', () => {
  it('gives the size', async () => {
    const res = await get(`/api/v1/executions/${id}/file/metas?path=${q(`${base}/tasks/log/r1/readme.md`)}`);
    expect(res.json()).toEqual({ size: 8 });
  });

  it('previews text: the first maxRows lines, truncated when there are more', async () => {
    const res = await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/lines.txt`)}`);
    const body = res.json();
    expect(body).toMatchObject({ extension: 'txt', type: 'TEXT', maxLine: 100, truncated: true });
    expect(body.content.split('\n')).toHaveLength(100);
    const few = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/lines.txt`)}&maxRows=3`)).json();
    expect(few).toEqual({ extension: 'txt', type: 'TEXT', content: 'line 1\nline 2\nline 3', maxLine: 3, truncated: true });
    const all = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/lines.txt`)}&maxRows=999999`)).json();
    expect(all).toMatchObject({ maxLine: 5000, truncated: false });
  });

  it('previews markdown, ION lines, images, and another encoding; refuses an unknown encoding', async () => {
    const md = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/readme.md`)}`)).json();
    expect(md).toEqual({ extension: 'md', type: 'MARKDOWN', content: '# Title', maxLine: 100, truncated: false });
    const ion = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/rows.ion`)}`)).json();
    expect(ion).toMatchObject({ type: 'LIST', content: [{ a: 1 }, '{b:2}'] });
    const png = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/pic.png`)}`)).json();
    expect(png).toMatchObject({ type: 'IMAGE', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') });
    const latin = (await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/latin.txt`)}&encoding=ISO-8859-1`)).json();
    expect(latin.content).toBe('café');
    const bad = await get(`/api/v1/executions/${id}/file/preview?path=${q(`${base}/tasks/log/r1/latin.txt`)}&encoding=foo`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toBe("Illegal argument: Unable to preview using encoding 'foo'");
  });
});

/**
 * Namespace files as a zip (Kestra's `GET …/files/export` and a `.zip` upload): the export holds
 * every file at its path, the upload extracts at the root and deploys `_flows/*.yml`, and a bad
 * archive (traversal, a bomb, garbage) is a 4xx that writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip, writeZip, type ZipEntry } from '../../src/storage/zip.js';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp({ http: { uploadLimit: 256 * 1024 } });
});
afterAll(async () => t.dispose());

const NS = '/api/v1/namespaces/zip.team/files';
const LIMITS = { maxEntries: 100, maxTotalBytes: 1 << 20 };

/** A multipart body with one binary `fileContent` part. */
function zipUpload(zip: Buffer, filename = 'files.zip', prefix = NS): Promise<{ statusCode: number; body: string; json: () => { message: string } }> {
  const boundary = '----troupezip' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fileContent"; filename="${filename}"\r\nContent-Type: application/zip\r\n\r\n`),
    zip,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return t.app.inject({ method: 'POST', url: `${prefix}?path=/ignored.zip`, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
}

async function exported(prefix = NS): Promise<ZipEntry[]> {
  const res = await t.app.inject({ url: `${prefix}/export` });
  expect(res.statusCode).toBe(200);
  return readZip(res.rawPayload, LIMITS);
}

describe('namespace files zip', () => {
  it('exports an empty namespace as an empty zip, named <ns>_files.zip', async () => {
    const res = await t.app.inject({ url: '/api/v1/namespaces/empty.ns/files/export' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toBe('attachment; filename="empty.ns_files.zip"');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(readZip(res.rawPayload, LIMITS)).toEqual([]);
  });

  it('extracts a .zip upload at the root (path ignored, as Kestra), deploys _flows/*.yml, exports it back', async () => {
    const flow = 'id: zipped\nnamespace: elsewhere\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
    const zip = writeZip([
      { name: 'scripts/main.py', data: Buffer.from('print("hi")') },
      { name: 'data/bytes.bin', data: Buffer.from([0, 1, 2, 254, 255]) },
      { name: 'readme.md', data: Buffer.from('# zip\n'.repeat(100)) },
      { name: '_flows/zipped.yml', data: Buffer.from(flow) },
    ]);
    const res = await zipUpload(zip);
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ url: `${NS}?path=/scripts/main.py` })).body).toBe('print("hi")');
    expect((await t.app.inject({ url: `${NS}?path=/ignored.zip` })).statusCode).toBe(404);
    expect(t.engine.flow('zip.team', 'zipped')?.namespace).toBe('zip.team');

    const back = await exported('/api/v1/main/namespaces/zip.team/files');
    expect(back.map((e) => e.name)).toEqual(['data/bytes.bin', 'readme.md', 'scripts/main.py']);
    expect(back.find((e) => e.name === 'data/bytes.bin')!.data).toEqual(Buffer.from([0, 1, 2, 254, 255]));
  });

  it('refuses a bad archive with a 4xx and writes nothing: traversal, an absolute name, a bad _flows entry, garbage, a bomb', async () => {
    const before = (await exported()).map((e) => e.name);
    const cases: Array<[string, Buffer]> = [
      ['traversal', writeZip([{ name: 'ok.txt', data: Buffer.from('x') }, { name: '../../escape.txt', data: Buffer.from('x') }])],
      ['encoded traversal', writeZip([{ name: 'ok.txt', data: Buffer.from('x') }, { name: 'a/%2e%2e/%2e%2e/b', data: Buffer.from('x') }])],
      ['backslash', writeZip([{ name: 'ok.txt', data: Buffer.from('x') }, { name: '..\\..\\x', data: Buffer.from('x') }])],
      ['flows folder', writeZip([{ name: 'ok.txt', data: Buffer.from('x') }, { name: '_flows/deep/x.yml', data: Buffer.from('x') }])],
      ['garbage', Buffer.from('PK but not really a zip file at all')],
      ['bomb', writeZip([{ name: 'ok.txt', data: Buffer.from('x') }, { name: 'zeros', data: Buffer.alloc(4 * 1024 * 1024) }])],
    ];
    for (const [what, zip] of cases) {
      const res = await zipUpload(zip);
      expect(res.statusCode, what).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, what).toBeLessThan(500);
      expect(res.json().message, what).toBeTruthy();
    }
    expect((await exported()).map((e) => e.name)).toEqual(before);
    expect((await t.app.inject({ url: `${NS}?path=/ok.txt` })).statusCode).toBe(404);
  });
});

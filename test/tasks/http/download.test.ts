/** io.kestra.plugin.core.http.Download against a real HTTP server on 127.0.0.1, into real internal storage. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../../helpers/engine.js';
import { startServer, type TestServer } from './server.js';

let engine: Engine;
let dispose: () => Promise<void>;
let server: TestServer;
const CSV = 'id,name\n1,a\n2,b\n';
const BIG = 12 * 1024 * 1024;

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
  server = await startServer({
    '/data/orders.csv': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': String(CSV.length) }).end(CSV),
    '/named': (_req, res) => res.writeHead(200, { 'Content-Disposition': 'attachment; filename="../../report 1.txt"' }).end('named'),
    '/big': (_req, res) => {
      // Chunked, larger than Request's 10 MiB cap: Download has none.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'z');
      let sent = 0;
      const pump = (): void => {
        while (sent < BIG) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    },
    '/empty': (_req, res) => res.writeHead(200).end(),
    '/missing': (_req, res) => res.writeHead(404, { 'Content-Length': '9' }).end('not here!'),
    '/cut': (req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('only part', () => req.socket.destroy());
    },
    '/stall': (_req, res) => {
      res.writeHead(200);
      res.write('first bytes');
      // then nothing: a kill ends it
    },
    '/echo': (req, res, body) => res.writeHead(200).end(`${req.headers['content-type']}\n${body.toString()}`),
  });
});
afterAll(async () => {
  await server.close();
  await dispose();
});

async function run(id: string, tasks: string) {
  const x = await runFlow(engine, `id: ${id}\nnamespace: http.test\ntasks:\n${tasks}`);
  const logs = engine.logs(x.id);
  return { x, logs, tr: x.taskRunList![0]!, errors: logs.filter((l) => l.level === 'ERROR').map((l) => l.message) };
}

function download(props: string, type = 'io.kestra.plugin.core.http.Download'): string {
  return `  - id: dl\n    type: ${type}\n${props.replace(/^\n/, '').replace(/^/gm, '    ')}\n`;
}

async function stored(uri: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await engine.storage.get(uri)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('http.Download', () => {
  it('streams the body into the run directory of internal storage: outputs uri, code, length, headers; response.length metric', async () => {
    const { x, tr } = await run('csv', download(`uri: ${server.url}/data/orders.csv`));
    expect(x.state.current).toBe('SUCCESS');
    const uri = tr.outputs!.uri as string;
    expect(uri).toMatch(new RegExp(`^kestra:///http/test/csv/executions/${x.id}/tasks/dl/${tr.id}/\\d{19}\\.csv$`));
    expect((await stored(uri)).toString()).toBe(CSV);
    expect(tr.outputs).toMatchObject({ code: 200, length: CSV.length, headers: { 'Content-Type': ['text/csv'] } });
    expect(tr.attempts?.[0]?.metrics).toEqual([{ name: 'response.length', type: 'counter', value: CSV.length, tags: { 'request.method': 'GET' } }]);
  });

  it('the legacy io.kestra.plugin.fs.http.Download; Content-Disposition names the file (no directory kept)', async () => {
    const { tr } = await run('named', download(`uri: ${server.url}/named`, 'io.kestra.plugin.fs.http.Download'));
    expect(tr.outputs!.uri as string).toMatch(/\/report%201\.txt$/);
    expect((await stored(tr.outputs!.uri as string)).toString()).toBe('named');
  });

  it('has no size cap: a body larger than Request maxContentLength is stored whole', async () => {
    const { x, tr } = await run('big', download(`uri: ${server.url}/big`));
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs?.length).toBe(BIG);
    expect((await engine.storage.stat(tr.outputs!.uri as string)).size).toBe(BIG);
  });

  it('an empty body fails (No response from server) unless failOnEmptyResponse is false: then a WARN', async () => {
    const failed = await run('empty', download(`uri: ${server.url}/empty`));
    expect(failed.x.state.current).toBe('FAILED');
    expect(failed.errors).toContain('No response from server');
    const warned = await run('empty2', download(`uri: ${server.url}/empty\nfailOnEmptyResponse: false`));
    expect(warned.x.state.current).toBe('SUCCESS');
    expect(warned.tr.outputs).toMatchObject({ code: 200, length: 0 });
    expect(warned.logs.some((l) => l.level === 'WARN' && l.message === `File '${server.url}/empty' is empty`)).toBe(true);
  });

  it('a status ≥ 400 fails with the reason phrase; allowFailed keeps code and the announced length', async () => {
    const failed = await run('missing', download(`uri: ${server.url}/missing`));
    expect(failed.x.state.current).toBe('FAILED');
    expect(failed.errors).toContain('Not Found');
    const allowed = await run('missing2', download(`uri: ${server.url}/missing\nallowFailed: true`));
    expect(allowed.x.state.current).toBe('SUCCESS');
    expect(allowed.tr.outputs).toMatchObject({ code: 404, length: 9 });
  });

  it('a response cut short fails and leaves no file', async () => {
    const { x, errors } = await run('cut', download(`uri: ${server.url}/cut`));
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/^The download broke off after \d+ bytes: /);
    expect(await engine.storage.list(`kestra:///http/test/cut/executions/${x.id}/`)).toEqual([]);
  });

  it('kill aborts the download in flight: KILLED, the connection closed, no file left', async () => {
    const rec = await engine.deploy(`id: stall\nnamespace: http.test\ntasks:\n${download(`uri: ${server.url}/stall`)}`);
    const id = await engine.execute(rec.namespace, rec.id);
    const closed = server.closedConnection();
    await server.next('/stall');
    await engine.kill(id);
    await closed;
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('KILLED');
    expect(await engine.storage.list(`kestra:///http/test/stall/executions/${id}/`)).toEqual([]);
  });

  it('Request sends a downloaded file as a multipart file part, streamed from storage', async () => {
    const { x } = await run('upload', `${download(`uri: ${server.url}/data/orders.csv`)}  - id: up
    type: io.kestra.plugin.core.http.Request
    uri: ${server.url}/echo
    method: POST
    contentType: multipart/form-data
    formData:
      file: "{{ outputs.dl.uri }}"
      named:
        name: my.csv
        content: "{{ outputs.dl.uri }}"
`);
    expect(x.state.current).toBe('SUCCESS');
    const body = x.taskRunList![1]!.outputs!.body as string;
    expect(body).toMatch(/^multipart\/form-data; boundary=/);
    expect(body).toMatch(/Content-Disposition: form-data; name="file"; filename="\d{19}\.csv"\r\nContent-Type: application\/octet-stream\r\n\r\nid,name\n1,a\n2,b\n\r\n/);
    expect(body).toContain(`Content-Disposition: form-data; name="named"; filename="my.csv"\r\nContent-Type: application/octet-stream\r\n\r\n${CSV}\r\n`);
  });

  it('a multipart file part naming a file of another execution fails before anything is sent', async () => {
    const { x, errors } = await run('foreign', `  - id: up
    type: io.kestra.plugin.core.http.Request
    uri: ${server.url}/echo/foreign
    method: POST
    contentType: multipart/form-data
    formData:
      file: kestra:///other/flow/executions/abc/tasks/t/r/secret.csv
`);
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toBe("Unable to read the file 'kestra:///other/flow/executions/abc/tasks/t/r/secret.csv' as it didn't belong to the current execution");
    expect(server.received.some((r) => r.url === '/echo/foreign')).toBe(false);
  });
});

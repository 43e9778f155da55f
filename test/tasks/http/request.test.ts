/** io.kestra.plugin.core.http.Request against a real HTTP server on 127.0.0.1. */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../../helpers/engine.js';
import { startServer, type TestServer } from './server.js';

let engine: Engine;
let dispose: () => Promise<void>;
let server: TestServer;

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
  server = await startServer({
    '/hello': (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'X-Test': 'yes', 'Content-Length': '20' }).end('{ "hello": "world" }'),
    '/417': (_req, res) => res.writeHead(417, 'Expectation Failed').end('{ "hello": "world" }'),
    '/echo': (req, res, body) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null, test: req.headers.test ?? null, body: body.toString() })),
    '/redirect/loop': (_req, res) => res.writeHead(302, { Location: '/redirect/loop' }).end(),
    '/redirect/once': (_req, res) => res.writeHead(302, { Location: '/hello' }).end(),
    '/redirect/post': (_req, res) => res.writeHead(307, { Location: '/echo/after-307' }).end(),
    '/big': (_req, res) => res.writeHead(200).end('x'.repeat(1000)),
    '/gzip': (_req, res) => res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('compressed text')),
    '/latin1': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=ISO-8859-1' }).end(Buffer.from([0x63, 0x61, 0x66, 0xe9])),
    '/unassigned': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('a\u0378b'),
    '/empty': (_req, res) => res.writeHead(204).end(),
    '/never': () => {
      // never answers: a read timeout, or a kill, ends the request
    },
  });
});
afterAll(async () => {
  await server.close();
  await dispose();
});

async function run(id: string, task: string, inputs?: Record<string, unknown>, head = '') {
  const x = await runFlow(engine, `id: ${id}\nnamespace: http.test\n${head}tasks:\n${task}`, inputs);
  const logs = engine.logs(x.id).filter((l) => l.taskId === 'http');
  return { x, logs, tr: x.taskRunList![0]!, errors: logs.filter((l) => l.level === 'ERROR').map((l) => l.message) };
}

function request(props: string): string {
  return `  - id: http\n    type: io.kestra.plugin.core.http.Request\n${props.replace(/^\n/, '').replace(/^/gm, '    ')}\n`;
}

describe('http.Request', () => {
  it('GET: outputs uri, code, headers as the server spelt them, body as a string (never parsed); response.length metric', async () => {
    const { x, tr } = await run('get', request(`uri: ${server.url}/hello`));
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs).toMatchObject({ uri: `${server.url}/hello`, code: 200, body: '{ "hello": "world" }' });
    const headers = tr.outputs!.headers as Record<string, string[]>;
    expect(headers['X-Test']).toEqual(['yes']);
    expect(headers['Content-Type']).toEqual(['application/json']);
    expect(tr.attempts?.[0]?.metrics).toEqual([{ name: 'response.length', type: 'counter', value: 20, tags: { 'request.method': 'GET', 'response.code': '200' } }]);
  });

  it('the legacy name io.kestra.plugin.fs.http.Request runs the same task', async () => {
    const { x, tr } = await run('legacy', `  - id: http\n    type: io.kestra.plugin.fs.http.Request\n    uri: ${server.url}/hello\n`);
    expect(x.state.current).toBe('SUCCESS');
    expect(tr.outputs?.code).toBe(200);
  });

  it('a status ≥ 400 fails with the reason phrase; allowFailed keeps code and body', async () => {
    const failed = await run('s417', request(`uri: ${server.url}/417`));
    expect(failed.x.state.current).toBe('FAILED');
    expect(failed.errors).toContain('Expectation Failed');
    expect(failed.tr.outputs ?? {}).toEqual({});
    const allowed = await run('s417ok', request(`uri: ${server.url}/417\nallowFailed: true`));
    expect(allowed.x.state.current).toBe('SUCCESS');
    expect(allowed.tr.outputs).toMatchObject({ code: 417, body: '{ "hello": "world" }' });
  });

  it('url-encoded formData with rendered headers', async () => {
    const { tr } = await run('form', request(`
uri: ${server.url}/echo/form
method: POST
contentType: application/x-www-form-urlencoded
headers:
  test: "{{ inputs.test }}"
formData:
  hello: world
  two words: a&b`), { test: 'value' }, 'inputs:\n  - id: test\n    type: STRING\n');
    expect(JSON.parse(tr.outputs!.body as string)).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded', auth: null, test: 'value', body: 'hello=world&two+words=a%26b' });
  });

  it('a body without contentType is sent as application/json (Micronaut); contentType overrides', async () => {
    const json = await run('body', request(`uri: ${server.url}/echo/body\nmethod: PUT\nbody: '{"a": {{ 1 + 1 }}}'`));
    expect(JSON.parse(json.tr.outputs!.body as string)).toMatchObject({ method: 'PUT', type: 'application/json', body: '{"a": 2}' });
    const text = await run('body2', request(`uri: ${server.url}/echo/body2\nmethod: POST\ncontentType: text/plain\nbody: hi`));
    expect(JSON.parse(text.tr.outputs!.body as string)).toMatchObject({ type: 'text/plain', body: 'hi' });
  });

  it('multipart formData: text parts, a non-string value as JSON', async () => {
    const { tr } = await run('multi', request(`
uri: ${server.url}/echo/multi
method: POST
contentType: multipart/form-data
formData:
  user: John Doe
  meta: {a: 1}`));
    const echoed = JSON.parse(tr.outputs!.body as string) as { type: string; body: string };
    const boundary = /boundary=(.+)$/.exec(echoed.type)![1]!;
    expect(echoed.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="user"\r\n`);
    expect(echoed.body).toContain('\r\n\r\nJohn Doe\r\n');
    expect(echoed.body).toContain('\r\n\r\n{"a":1}\r\n');
    expect(echoed.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it('options.basicAuthUser/basicAuthPassword send basic auth', async () => {
    const { tr } = await run('basic', request(`uri: ${server.url}/echo/auth\noptions:\n  basicAuthUser: admin\n  basicAuthPassword: "{{ 'se' ~ 'cret' }}"`));
    expect(JSON.parse(tr.outputs!.body as string).auth).toBe(`Basic ${Buffer.from('admin:secret').toString('base64')}`);
  });

  it('redirects: followed by default (307 keeps method and body), not with followRedirects false, a loop fails', async () => {
    const once = await run('redir', request(`uri: ${server.url}/redirect/once`));
    expect(once.tr.outputs).toMatchObject({ code: 200, uri: `${server.url}/redirect/once`, body: '{ "hello": "world" }' });
    const post = await run('redir307', request(`uri: ${server.url}/redirect/post\nmethod: POST\nbody: kept`));
    expect(JSON.parse(post.tr.outputs!.body as string)).toMatchObject({ method: 'POST', body: 'kept' });
    const not = await run('noredir', request(`uri: ${server.url}/redirect/once\noptions:\n  followRedirects: false`));
    expect(not.tr.outputs).toMatchObject({ code: 302, headers: { Location: ['/hello'] } });
    const loop = await run('loop', request(`uri: ${server.url}/redirect/loop`));
    expect(loop.x.state.current).toBe('FAILED');
    expect(loop.errors[0]).toMatch(/^Too many redirects \(more than 20\)/);
  });

  it('a body larger than options.maxContentLength fails with a clear message', async () => {
    const { x, errors } = await run('big', request(`uri: ${server.url}/big\noptions:\n  maxContentLength: 100`));
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/exceeds the maximum allowed content length \[100\].*Download/);
    const ok = await run('bigok', request(`uri: ${server.url}/big\noptions:\n  maxContentLength: 1000`));
    expect((ok.tr.outputs!.body as string).length).toBe(1000);
  });

  it('decodes gzip bodies and the charset the Content-Type names; an empty body leaves no body output', async () => {
    expect((await run('gzip', request(`uri: ${server.url}/gzip`))).tr.outputs?.body).toBe('compressed text');
    expect((await run('latin1', request(`uri: ${server.url}/latin1`))).tr.outputs?.body).toBe('café');
    const empty = await run('empty', request(`uri: ${server.url}/empty`));
    expect(empty.tr.outputs).toMatchObject({ code: 204 });
    expect(empty.tr.outputs).not.toHaveProperty('body');
  });

  it('a body with an unassigned code point fails as Kestra', async () => {
    const { errors } = await run('unassigned', request(`uri: ${server.url}/unassigned`));
    expect(errors[0]).toMatch(/^Illegal unicode code point in request body: 888,/);
  });

  it('HEAD has no body; encryptBody without a key: a WARN and encryptedBody holds the text', async () => {
    const head = await run('head', request(`uri: ${server.url}/hello\nmethod: HEAD`));
    expect(head.tr.outputs).toMatchObject({ code: 200 });
    expect(head.tr.outputs).not.toHaveProperty('body');
    const enc = await run('enc', request(`uri: ${server.url}/hello\nencryptBody: true`));
    expect(enc.tr.outputs).not.toHaveProperty('body');
    expect(enc.tr.outputs?.encryptedBody).toEqual({ value: '{ "hello": "world" }', type: 'io.kestra.datatype:aes_encrypted' });
    expect(enc.logs.some((l) => l.level === 'WARN' && l.message === 'Unable to encrypt the output as encryption is not configured')).toBe(true);
  });

  it('options.readTimeout: a server that never answers fails the task', async () => {
    const { x, errors } = await run('readtimeout', request(`uri: ${server.url}/never/1\noptions:\n  readTimeout: PT0.3S`));
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/^Read timeout after 300 ms on http:\/\/127\.0\.0\.1:\d+\/never\/\*\*\*/);
  });

  it('an option Kestra does not have fails the task, naming the ones it has', async () => {
    const { x, errors } = await run('badoption', request(`uri: ${server.url}/hello\noptions:\n  readTimeOut: PT1S`));
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/^Unknown property 'readTimeOut' in options; expected one of connectTimeout, readTimeout, /);
  });

  it('an unreachable server and a bad URI fail with a clear message', async () => {
    const closed = await startServer({});
    const url = closed.url;
    await closed.close();
    const { x, errors } = await run('unreachable', request(`uri: ${url}/x`));
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/^Unable to reach http:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
    const bad = await run('baduri', request('uri: "not a url"'));
    expect(bad.errors[0]).toBe("Invalid uri 'not a url': expected an absolute http(s) URL");
  });

  it('kill aborts the request in flight: the connection closes and the task is KILLED', async () => {
    const rec = await engine.deploy(`id: kill\nnamespace: http.test\ntasks:\n${request(`uri: ${server.url}/never/kill\noptions:\n  readTimeout: PT1H`)}`);
    const id = await engine.execute(rec.namespace, rec.id);
    const closed = server.closedConnection();
    await server.next('/never/kill');
    await engine.kill(id);
    await closed;
    const x = await engine.waitFor(id);
    expect(x.state.current).toBe('KILLED');
  });

  it('the task timeout aborts the request in flight: FAILED on the timeout, the connection closed', async () => {
    const closed = server.closedConnection();
    const { x, errors } = await run('tasktimeout', `  - id: http\n    type: io.kestra.plugin.core.http.Request\n    timeout: PT0.5S\n    uri: ${server.url}/never/timeout\n    options:\n      readTimeout: PT1H\n`);
    await closed;
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toBe('Timeout after 00:00:00.500');
  });

  it('https: a self-signed certificate fails the request unless sslOptions.insecureTrustAllCertificates', async () => {
    // A self-signed certificate for CN=127.0.0.1 (openssl req -x509 -days 36500), kept as a fixture.
    const fixture = (name: string): Buffer => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url));
    const tls = createHttpsServer({ key: fixture('self-signed.key'), cert: fixture('self-signed.crt') }, (_req, res) => res.writeHead(200).end('secure'));
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/tls`;
    try {
      const refused = await run('tls', request(`uri: ${url}`));
      expect(refused.x.state.current).toBe('FAILED');
      expect(refused.errors[0]).toMatch(/^Unable to reach https:\/\/127\.0\.0\.1:\d+\/tls: self[- ]signed certificate/);
      const trusted = await run('tlsok', request(`uri: ${url}\nsslOptions:\n  insecureTrustAllCertificates: true`));
      expect(trusted.tr.outputs).toMatchObject({ code: 200, body: 'secure' });
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

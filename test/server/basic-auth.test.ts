/**
 * `POST /api/v1/basicAuth` (kestra-api.md §10): Kestra's checks, auth turned on by the route and
 * required on the next request, the salted hash kept in the data dir across a restart (a real
 * daemon on a socket, closed and started again), and credentials never in /configs, logs or files.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { BASIC_AUTH_FILE } from '../../src/server/basic-auth.js';
import { startServer } from '../../src/server/start.js';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const USER = 'admin@troupe.dev';
const PASSWORD = 'Sup3r:secret pass';

describe('POST /api/v1/basicAuth', () => {
  it('refuses malformed and weak bodies with Kestra error bodies, and sets nothing', async () => {
    t = await openTestApp();
    const { app } = t;
    const cases: Array<[unknown, string | undefined, number, string]> = [
      [{ username: 'not-an-email', password: 'pw' }, 'application/json', 422, 'Illegal argument: Invalid username for Basic Authentication. Please provide a valid email address.'],
      [{ password: 'pw' }, 'application/json', 422, 'Illegal argument: Invalid username for Basic Authentication. Please provide a valid email address.'],
      [{ username: 'a:b@x.io', password: 'pw' }, 'application/json', 422, 'Illegal argument: Invalid username for Basic Authentication. Please provide a valid email address.'],
      [{ username: USER }, 'application/json', 422, 'Illegal argument: No password set for Basic Authentication. Please provide a password.'],
      [{ username: USER, password: null }, 'application/json', 422, 'Illegal argument: No password set for Basic Authentication. Please provide a password.'],
      [{ username: USER, password: 12345 }, 'application/json', 422, 'Illegal argument: Invalid password for Basic Authentication. The password must be a string.'],
      [{ username: USER, password: '   ' }, 'application/json', 422, 'Illegal argument: Invalid password for Basic Authentication. The password must not be empty or blank.'],
      [{ username: USER, password: 'x'.repeat(257) }, 'application/json', 422, 'Illegal argument: The length of email or password should not exceed 256 characters.'],
      [{ username: `${'a'.repeat(260)}@x.io`, password: 'pw' }, 'application/json', 422, 'Illegal argument: The length of email or password should not exceed 256 characters.'],
      [[USER, 'pw'], 'application/json', 422, 'Illegal argument: Failed to convert argument [basicAuthCredentials]: the body must be a JSON object {uid, username, password}'],
      ['{"username": ', 'application/json', 422, 'Illegal argument: Invalid json:'],
      [undefined, undefined, 400, 'Bad Request: Required Body [basicAuthCredentials] not specified'],
      ['username: a@b.c', 'text/plain', 422, 'Illegal argument: Failed to convert argument [basicAuthCredentials]'],
    ];
    for (const [payload, type, status, message] of cases) {
      for (const url of ['/api/v1/basicAuth', '/api/v1/main/basicAuth']) {
        const res = await app.inject({ method: 'POST', url, ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}), headers: type ? { 'content-type': type } : {} });
        expect(res.statusCode, JSON.stringify(payload)).toBe(status);
        expect(res.json().message.startsWith(message), res.body).toBe(true);
        expect(res.json()._links.self.href).toBe(url);
        if (typeof payload === 'object' && payload && 'password' in payload && typeof payload.password === 'string' && payload.password.trim()) expect(res.body).not.toContain(payload.password);
      }
    }
    // Nothing was set: still open, no file.
    expect((await app.inject({ url: '/api/v1/configs' })).json().isBasicAuthEnabled).toBe(false);
    expect((await app.inject({ url: '/api/v1/flows/search' })).statusCode).toBe(200);
    expect(() => statSync(join(t!.dataDir, BASIC_AUTH_FILE))).toThrow();
  });

  it('turns auth on for the next request; then needs the current credentials to change them', async () => {
    t = await openTestApp();
    const { app } = t;
    expect((await app.inject({ url: '/api/v1/configs' })).json().isBasicAuthEnabled).toBe(false);
    const set = await app.inject({ method: 'POST', url: '/api/v1/basicAuth', payload: { uid: 'ui-1', username: USER, password: PASSWORD } });
    expect(set.statusCode).toBe(204);
    expect(set.body).toBe('');

    const open = await app.inject({ url: '/api/v1/flows/search' });
    expect(open.statusCode).toBe(401);
    expect(open.headers['www-authenticate']).toBe('Basic realm="Kestra"');
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic(USER, 'wrong') } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic('other@troupe.dev', PASSWORD) } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic(USER, PASSWORD) } })).statusCode).toBe(200);
    // Open paths stay open.
    expect((await app.inject({ url: '/ping' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/webhook/a/b/c' })).statusCode).toBe(404);

    const configs = await app.inject({ url: '/api/v1/configs', headers: { authorization: basic(USER, PASSWORD) } });
    expect(configs.json().isBasicAuthEnabled).toBe(true);
    expect(configs.body).not.toContain(USER);
    expect(configs.body).not.toContain('Sup3r');

    // Changing them needs the current ones, as every route.
    expect((await app.inject({ method: 'POST', url: '/api/v1/basicAuth', payload: { username: 'evil@x.io', password: 'takeover' } })).statusCode).toBe(401);
    const change = await app.inject({ method: 'POST', url: '/api/v1/basicAuth', payload: { username: 'ops@troupe.dev', password: 'n3w-pass' }, headers: { authorization: basic(USER, PASSWORD) } });
    expect(change.statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic(USER, PASSWORD) } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic('ops@troupe.dev', 'n3w-pass') } })).statusCode).toBe(200);

    // The data dir holds a salted hash only.
    const file = join(t.dataDir, BASIC_AUTH_FILE);
    const stored = readFileSync(file, 'utf8');
    expect(JSON.parse(stored)).toMatchObject({ version: 1, algorithm: 'scrypt', salt: expect.any(String), hash: expect.any(String) });
    for (const secret of ['ops@troupe.dev', 'n3w-pass', USER, PASSWORD]) expect(stored).not.toContain(secret);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('with a token configured, needs it; basic auth set beside it, both are accepted', async () => {
    t = await openTestApp({ auth: { token: 'tok' } });
    const { app } = t;
    expect((await app.inject({ method: 'POST', url: '/api/v1/basicAuth', payload: { username: USER, password: PASSWORD } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/configs', headers: { authorization: 'Bearer tok' } })).json().isBasicAuthEnabled).toBe(false);
    expect((await app.inject({ method: 'POST', url: '/api/v1/basicAuth', payload: { username: USER, password: PASSWORD }, headers: { authorization: 'Bearer tok' } })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/configs', headers: { authorization: 'Bearer tok' } })).json().isBasicAuthEnabled).toBe(true);
    expect((await app.inject({ url: '/api/v1/flows/search', headers: { authorization: basic(USER, PASSWORD) } })).statusCode).toBe(200);
  });
});

describe('basic auth across a restart (a real daemon on a socket)', () => {
  it('keeps the credentials set by the route; --auth wins over them at start; never logs them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-basicauth-'));
    const dataDir = join(dir, 'data');
    let logs = '';
    const logDestination = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    try {
      let server = await startServer({ port: 0, dataDir, logLevel: 'debug', logDestination, engine: { poolThreads: 1 } });
      const set = await fetch(`${server.url}/api/v1/basicAuth`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASSWORD }) });
      expect(set.status).toBe(204);
      expect((await fetch(`${server.url}/api/v1/flows/search`)).status).toBe(401);
      await server.close();

      // Restarted: still required, and the right pair still accepted (verified against the stored hash).
      server = await startServer({ port: 0, dataDir, logLevel: 'debug', logDestination, engine: { poolThreads: 1 } });
      expect((await fetch(`${server.url}/api/v1/flows/search`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: { authorization: basic(USER, 'nope') } })).status).toBe(401);
      const [a, b] = await Promise.all([
        fetch(`${server.url}/api/v1/flows/search`, { headers: { authorization: basic(USER, PASSWORD) } }),
        fetch(`${server.url}/api/v1/configs`, { headers: { authorization: basic(USER, PASSWORD) } }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(((await b.json()) as { isBasicAuthEnabled: boolean }).isBasicAuthEnabled).toBe(true);
      await server.close();

      // Stored credentials are credentials: a non-loopback address may be bound.
      server = await startServer({ host: '0.0.0.0', port: 0, dataDir, logLevel: 'silent', engine: { poolThreads: 1 } });
      const port = server.port;
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/flows/search`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/flows/search`, { headers: { authorization: basic(USER, PASSWORD) } })).status).toBe(200);
      await server.close();

      // --auth wins at start (as Kestra's configured credentials).
      server = await startServer({ port: 0, dataDir, logLevel: 'silent', auth: { basic: { username: 'cli@troupe.dev', password: 'cli-pass' } }, engine: { poolThreads: 1 } });
      expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: { authorization: basic(USER, PASSWORD) } })).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/flows/search`, { headers: { authorization: basic('cli@troupe.dev', 'cli-pass') } })).status).toBe(200);
      await server.close();

      expect(logs).toMatch(/basic auth credentials set/);
      for (const secret of [PASSWORD, 'Sup3r', Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]) expect(logs).not.toContain(secret);

      // A file this build did not write: the daemon does not start open.
      writeFileSync(join(dataDir, BASIC_AUTH_FILE), '{"user":"x"}');
      await expect(startServer({ port: 0, dataDir, logLevel: 'silent', engine: { poolThreads: 1 } })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

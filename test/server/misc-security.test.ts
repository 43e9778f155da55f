import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, openTestApp, type TestApp } from './helpers.js';
import { hostGuard, isLoopback, parseBasicAuth } from '../../src/server/security.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

describe('ping, health, version, configs', () => {
  it('answers each, and /configs holds no secret', async () => {
    t = await openTestApp();
    const { app } = t;
    expect((await app.inject({ url: '/ping' })).body).toBe('pong');
    expect((await app.inject({ url: '/health' })).json()).toMatchObject({ status: 'UP' });
    expect((await app.inject({ url: '/health/liveness' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/version' })).json()).toMatchObject({ version: '0.0.0-test', type: 'STANDALONE' });
    for (const url of ['/api/v1/configs', '/api/v1/main/configs']) {
      const c = (await app.inject({ url })).json();
      expect(c).toMatchObject({ uuid: 'test-instance', isBasicAuthEnabled: false, preview: { initial: 100, max: 5000 }, hiddenLabelsPrefixes: ['system.', 'internal.'] });
    }
  });

  it('answers unknown routes and other tenants with a Kestra 404', async () => {
    t = await openTestApp();
    const { app } = t;
    for (const url of ['/nope', '/api/v1/other/flows/search', '/api/v2/flows']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ message: 'Not Found', _links: { self: { href: url, templated: false } } });
    }
  });
});

describe('credentials', () => {
  const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('asks for credentials on every route but ping, health, version and webhooks', async () => {
    t = await openTestApp({ auth: { basic: { username: 'admin@troupe.dev', password: 's3cret:x' }, token: 'tok' } });
    const { app, engine } = t;
    await engine.deploy(LOG_FLOW);
    for (const url of ['/api/v1/configs', '/api/v1/flows/search', '/api/v1/main/executions/search', '/api/v1/flows/test.api/hello']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Kestra"');
      expect(res.body).toBe('');
      expect((await app.inject({ url, headers: { authorization: basic('admin@troupe.dev', 'wrong') } })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
      expect((await app.inject({ url, headers: { authorization: basic('admin@troupe.dev', 's3cret:x') } })).statusCode, url).toBe(200);
      expect((await app.inject({ url, headers: { authorization: 'Bearer tok' } })).statusCode).toBe(200);
    }
    for (const url of ['/ping', '/health', '/version']) expect((await app.inject({ url })).statusCode, url).toBe(200);
    // Webhooks need no credentials: an unknown flow is a 404, not a 401.
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/webhook/a/b/c' })).statusCode).toBe(404);
    const configs = await app.inject({ url: '/api/v1/configs', headers: { authorization: 'Bearer tok' } });
    expect(configs.json().isBasicAuthEnabled).toBe(true);
    expect(configs.body).not.toMatch(/s3cret|tok"/);
  });

  it('parses user:password and refuses empty parts', () => {
    expect(parseBasicAuth('a:b:c')).toEqual({ username: 'a', password: 'b:c' });
    expect(() => parseBasicAuth('a:')).toThrow(/user:password/);
    expect(() => parseBasicAuth(':b')).toThrow(/user:password/);
  });
});

describe('DNS rebinding guard', () => {
  it('serves loopback Host names only when bound to loopback, and same-origin browsers only', async () => {
    t = await openTestApp();
    const { app } = t;
    expect((await app.inject({ url: '/api/v1/configs', headers: { host: 'localhost:8080' } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/configs', headers: { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' } })).statusCode).toBe(200);
    const rebound = await app.inject({ url: '/api/v1/configs', headers: { host: 'evil.example:8080' } });
    expect(rebound.statusCode).toBe(403);
    expect(rebound.json().message).toMatch(/^Forbidden: /);
    expect((await app.inject({ url: '/api/v1/configs', headers: { host: 'localhost:8080', origin: 'http://evil.example' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/configs', headers: { host: 'localhost:8080', origin: 'null' } })).statusCode).toBe(403);
  });

  it('knows loopback addresses and allowed hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', 'example.com', '::'].some(isLoopback)).toBe(false);
    const guard = hostGuard('0.0.0.0', ['troupe.example']);
    expect(guard('troupe.example', undefined)).toBeUndefined();
    expect(guard('other.example', undefined)).toMatch(/not served/);
    expect(hostGuard('0.0.0.0')('anything.example:80', undefined)).toBeUndefined();
  });
});

describe('limits', () => {
  it('answers an oversized body with a 413 and stores nothing', async () => {
    t = await openTestApp({ http: { bodyLimit: 1024 } });
    const { app, engine } = t;
    const res = await app.inject({ method: 'POST', url: '/api/v1/flows', headers: { 'content-type': 'application/x-yaml' }, payload: LOG_FLOW + `# ${'x'.repeat(2000)}\n` });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/^Request Entity Too Large/);
    expect(engine.listFlows()).toEqual([]);
  });

  it('answers 503 with Retry-After beyond the in-flight bound', async () => {
    t = await openTestApp({ http: { maxInFlight: 1 } });
    const { app } = t;
    // One request held open by a body that has not arrived yet.
    const { PassThrough } = await import('node:stream');
    const body = new PassThrough();
    const held = app.inject({ method: 'POST', url: '/api/v1/flows/validate', headers: { 'content-type': 'application/x-yaml' }, payload: body });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await app.inject({ url: '/api/v1/configs' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    body.end(LOG_FLOW);
    expect((await held).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/configs' })).statusCode).toBe(200);
  });
});

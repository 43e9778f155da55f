/** The web view's routes without a browser: page shell, static and vendor files, headers, auth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from '../server/helpers.js';

const HOST = { host: '127.0.0.1:8080' };

describe('web view routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp();
  });
  afterAll(async () => t.dispose());

  it('redirects /ui and /ui/ to the executions page', async () => {
    for (const url of ['/ui', '/ui/']) {
      const res = await t.app.inject({ url, headers: HOST });
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/ui/executions');
    }
  });

  it('serves the page shell on every page URL, with a CSP that allows no inline script', async () => {
    for (const url of ['/ui/executions', '/ui/flows', '/ui/flows/edit/a.b/c', '/ui/executions/a.b/c/xyz', '/ui/triggers']) {
      const res = await t.app.inject({ url, headers: HOST });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self';");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      // Scripts only by URL: no inline script element, no import map.
      expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.body).toContain('src="/ui/static/js/main.js"');
    }
  });

  it('serves preact, hooks and htm as ES modules, the bare specifier of hooks made relative', async () => {
    for (const file of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const res = await t.app.inject({ url: `/ui/vendor/${file}`, headers: HOST });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.body).toMatch(/export\s*(\{|default)/);
      expect(res.body).not.toMatch(/from\s*["']preact["']/);
    }
    const hooks = await t.app.inject({ url: '/ui/vendor/hooks.mjs', headers: HOST });
    expect(hooks.body).toContain('from"./preact.mjs"');
    const etag = String(hooks.headers.etag);
    const again = await t.app.inject({ url: '/ui/vendor/hooks.mjs', headers: { ...HOST, 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('serves only the files of ui/: unknown names and paths outside it are 404', async () => {
    expect((await t.app.inject({ url: '/ui/static/app.css', headers: HOST })).headers['content-type']).toMatch(/^text\/css/);
    expect((await t.app.inject({ url: '/ui/static/js/main.js', headers: HOST })).statusCode).toBe(200);
    for (const url of ['/ui/static/nope.js', '/ui/static/%2e%2e/%2e%2e/package.json', '/ui/static/..%2f..%2fpackage.json', '/ui/vendor/react.mjs', '/ui/vendor/..%2fpreact.mjs', '/ui/static/index.html']) {
      const res = await t.app.inject({ url, headers: HOST });
      expect(res.statusCode, url).toBe(404);
    }
    // A dotted path is a page URL at most: the shell, never a file outside ui/.
    const dotted = await t.app.inject({ url: '/ui/static/../../package.json', headers: HOST });
    expect(dotted.body).not.toContain('devDependencies');
  });

  it('is refused to another Host (DNS rebinding) like the API', async () => {
    const res = await t.app.inject({ url: '/ui/executions', headers: { host: 'evil.example:8080' } });
    expect(res.statusCode).toBe(403);
  });
});

describe('web view routes with credentials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp({ auth: { basic: { username: 'u', password: 'p' } } });
  });
  afterAll(async () => t.dispose());

  it('asks for the same credentials as the API', async () => {
    for (const url of ['/ui/executions', '/ui/static/js/main.js', '/ui/vendor/preact.mjs']) {
      const res = await t.app.inject({ url, headers: HOST });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="Kestra"');
      const ok = await t.app.inject({ url, headers: { ...HOST, authorization: `Basic ${Buffer.from('u:p').toString('base64')}` } });
      expect(ok.statusCode).toBe(200);
    }
  });
});

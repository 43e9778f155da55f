/**
 * The web view at `/ui/` (docs/ui.md): the page shell for every `/ui/…` page URL (Kestra's
 * URLs), the view's own static files (`ui/` at the package root) under `/ui/static/`, and preact,
 * preact/hooks and htm's ES modules from node_modules under `/ui/vendor/` — no build step, no CDN.
 * Every answer carries a Content-Security-Policy without inline scripts (`script-src 'self'`):
 * the one bare specifier of the vendor files (`preact` in preact/hooks) is rewritten to a relative
 * URL when served, so the page needs no inline import map. The view reads the API like any client,
 * behind the same credentials and Host/Origin guard (app.ts's hook runs first).
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TroupeError } from '../../errors.js';

/** The view's files: `ui/` at the package root (the same depth from src/ and dist/). */
const UI_DIR = fileURLToPath(new URL('../../../ui/', import.meta.url));

/** The policy of every `/ui` answer: nothing inline, nothing from elsewhere. */
export const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function asset(body: Buffer | string, file: string): Asset {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return { body: buf, type: TYPES[extname(file)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(buf).digest('base64url')}"` };
}

/** Every file under `dir`, by its `/`-separated path relative to it. */
function readTree(dir: string, out = new Map<string, Asset>(), root = dir): Map<string, Asset> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) readTree(path, out, root);
    else if (TYPES[extname(name)]) out.set(relative(root, path).split(sep).join('/'), asset(readFileSync(path), name));
  }
  return out;
}

/** preact, preact/hooks and htm as the browser loads them, resolved from this package's dependencies. */
function vendorFiles(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const read = (path: string): string => readFileSync(path, 'utf8');
  // Their ES module builds: preact's entries are `.mjs` whatever the condition; htm's sits beside its CommonJS main.
  const preact = require.resolve('preact');
  const hooksPath = require.resolve('preact/hooks');
  const htm = join(dirname(require.resolve('htm')), 'htm.mjs');
  const files = new Map<string, Asset>();
  files.set('preact.mjs', asset(read(preact), 'preact.mjs'));
  // preact/hooks imports "preact" by name: point it at the file served beside it.
  files.set('hooks.mjs', asset(read(hooksPath).replace(/from\s*["']preact["']/g, 'from"./preact.mjs"'), 'hooks.mjs'));
  files.set('htm.mjs', asset(read(htm), 'htm.mjs'));
  return files;
}

function send(req: FastifyRequest, reply: FastifyReply, file: Asset): FastifyReply {
  reply.header('etag', file.etag).header('cache-control', 'no-cache');
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/** Registers the web view's routes at the root (no API prefix). */
export function uiRoutes(app: FastifyInstance): void {
  if (!existsSync(join(UI_DIR, 'index.html'))) throw new TroupeError('TROUPE_INTERNAL', `the web view's files are missing (${UI_DIR}index.html)`);
  // Read on the first /ui request, not at start: a daemon driven by tools never serves them.
  let files: { statics: Map<string, Asset>; shell: Asset; vendor: Map<string, Asset> } | undefined;
  const assets = (): NonNullable<typeof files> => {
    if (!files) {
      const statics = readTree(UI_DIR);
      files = { statics, shell: statics.get('index.html')!, vendor: vendorFiles() };
    }
    return files;
  };

  app.register(async (ui) => {
    ui.addHook('onSend', async (_req, reply, payload) => {
      reply
        .header('content-security-policy', UI_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
      return payload;
    });
    ui.get('/ui', async (_req, reply) => reply.redirect('/ui/executions'));
    ui.get('/ui/', async (_req, reply) => reply.redirect('/ui/executions'));
    ui.get<{ Params: { file: string } }>('/ui/vendor/:file', async (req, reply) => {
      const file = assets().vendor.get(req.params.file);
      if (!file) throw new TroupeError('TROUPE_HTTP_NOT_FOUND', '');
      return send(req, reply, file);
    });
    ui.get<{ Params: { '*': string } }>('/ui/static/*', async (req, reply) => {
      const file = req.params['*'] === 'index.html' ? undefined : assets().statics.get(req.params['*']);
      if (!file) throw new TroupeError('TROUPE_HTTP_NOT_FOUND', '');
      return send(req, reply, file);
    });
    // Every other /ui/… URL is a page: the shell, whose script routes on the path.
    ui.get('/ui/*', async (req, reply) => send(req, reply, assets().shell));
  });
}

/**
 * The files of an execution (kestra-api.md §3.5): download, size and preview of a `kestra:///…`
 * file under the execution's folder. The path is parsed and checked first (no `..`, `%2e%2e`,
 * backslash or other scheme: 422); a path under another execution's folder redirects (302) to the
 * same route for that execution, as Kestra does; any other path is 422 `Invalid prefix path`.
 * @module
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TextDecoder } from 'node:util';
import { TroupeError } from '../../errors.js';
import type { Engine } from '../../runtime/engine.js';
import { executionIdOf, executionPrefix, fileNameOf, isUnder, parseStorageUri, type StoragePath } from '../../storage/uri.js';
import type { ServerContext } from '../context.js';

const IMAGE = new Set(['jpg', 'jpeg', 'png', 'svg', 'gif', 'bmp', 'webp']);
/** Kestra's preview: 100 rows unless asked, at most 5,000; text content at most 2 MB. */
const PREVIEW_ROWS = 100;
const PREVIEW_MAX_ROWS = 5_000;
const PREVIEW_MAX_BYTES = 2 * 1024 * 1024;
/** Images and PDFs are previewed whole, base64: up to this size. */
const PREVIEW_MAX_BINARY = 10 * 1024 * 1024;

const params = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['id'] } as const;
const pathQuery = { path: { type: 'string', minLength: 1, maxLength: 4096 } } as const;

type FileRequest = FastifyRequest<{ Params: { id: string }; Querystring: { path: string; maxRows?: number; encoding?: string } }>;

/** Checks `uri` for execution `id`: its path, or a redirect to the execution that owns it. */
function locate(engine: Engine, id: string, uri: string): { path: StoragePath } | { redirectTo: string } {
  const execution = engine.get(id);
  if (!execution) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `Unable to find execution id '${id}'`, { executionId: id });
  const path = parseStorageUri(uri);
  if (isUnder(path, executionPrefix(execution.namespace, execution.flowId, execution.id))) return { path };
  const other = executionIdOf(path);
  if (other !== undefined && other !== id) return { redirectTo: other };
  throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Invalid prefix path', { uri });
}

function redirect(req: FileRequest, reply: FastifyReply, to: string): FastifyReply {
  const url = req.originalUrl.replace(`/executions/${encodeURIComponent(req.params.id)}/`, `/executions/${encodeURIComponent(to)}/`);
  return reply.redirect(url, 302);
}

/** The extension Kestra previews by: what follows the last dot of the file name. */
function extensionOf(path: StoragePath): string {
  const name = fileNameOf(path);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Kestra's DefaultFileRender: the first `maxRows` lines (Java's line breaks), joined by `\n`, content ≤ 2 MB. */
async function previewText(engine: Engine, path: StoragePath, maxRows: number, decoder: TextDecoder): Promise<{ content: string; truncated: boolean }> {
  const stream = await engine.storage.get(path);
  const out: string[] = [];
  let bytes = 0;
  let pending = '';
  let truncated = false;
  /** Adds a line; false once the preview is full. */
  const add = (line: string): boolean => {
    if (out.length === maxRows) {
      truncated = true;
      return false;
    }
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > PREVIEW_MAX_BYTES) {
      truncated = true;
      out.push(line.slice(0, Math.max(0, line.length - (bytes - PREVIEW_MAX_BYTES))));
      return false;
    }
    out.push(line);
    return true;
  };
  const take = (text: string, last: boolean): boolean => {
    pending += text;
    const parts = pending.split(/\r\n|\n|\r(?!$)/);
    pending = last ? '' : parts.pop()!;
    if (last && parts.length && parts[parts.length - 1] === '') parts.pop();
    for (const line of parts) if (!add(line.endsWith('\r') && last ? line.slice(0, -1) : line)) return false;
    return true;
  };
  try {
    let going = true;
    for await (const chunk of stream) {
      if (!(going = take(decoder.decode(chunk as Buffer, { stream: true }), false))) break;
    }
    if (going) take(decoder.decode(), true);
  } finally {
    stream.destroy();
  }
  return { content: out.join('\n'), truncated };
}

/** Registers the execution file routes on `app` (under a prefix). */
export function fileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;

  app.get('/executions/:id/file', { schema: { params, querystring: { type: 'object', properties: pathQuery, required: ['path'] } } }, async (req: FileRequest, reply) => {
    const where = locate(engine, req.params.id, req.query.path);
    if ('redirectTo' in where) return redirect(req, reply, where.redirectTo);
    const stat = await engine.storage.stat(where.path);
    const name = fileNameOf(where.path);
    const stream = await engine.storage.get(where.path);
    return reply
      .type('application/octet-stream')
      .header('content-length', String(stat.size))
      .header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(stream);
  });

  app.get('/executions/:id/file/metas', { schema: { params, querystring: { type: 'object', properties: pathQuery, required: ['path'] } } }, async (req: FileRequest, reply) => {
    const where = locate(engine, req.params.id, req.query.path);
    if ('redirectTo' in where) return redirect(req, reply, where.redirectTo);
    return { size: (await engine.storage.stat(where.path)).size };
  });

  app.get(
    '/executions/:id/file/preview',
    { schema: { params, querystring: { type: 'object', properties: { ...pathQuery, maxRows: { type: 'integer', minimum: 1 }, encoding: { type: 'string', maxLength: 64, default: 'UTF-8' } }, required: ['path'] } } },
    async (req: FileRequest, reply) => {
      const where = locate(engine, req.params.id, req.query.path);
      if ('redirectTo' in where) return redirect(req, reply, where.redirectTo);
      const extension = extensionOf(where.path);
      const maxLine = Math.min(req.query.maxRows ?? PREVIEW_ROWS, PREVIEW_MAX_ROWS);
      const ext = extension.toLowerCase();
      if (IMAGE.has(ext) || ext === 'pdf') {
        const stat = await engine.storage.stat(where.path);
        if (stat.size > PREVIEW_MAX_BINARY) throw new TroupeError('TROUPE_STORAGE_TOO_LARGE', `File '${req.query.path}' is too large to preview (${stat.size} bytes, at most ${PREVIEW_MAX_BINARY})`, { uri: req.query.path });
        const chunks: Buffer[] = [];
        for await (const c of await engine.storage.get(where.path)) chunks.push(c as Buffer);
        return { extension, type: ext === 'pdf' ? 'PDF' : 'IMAGE', content: Buffer.concat(chunks).toString('base64'), maxLine, truncated: false };
      }
      let decoder: TextDecoder;
      try {
        decoder = new TextDecoder(ext === 'md' ? 'utf-8' : (req.query.encoding ?? 'UTF-8'));
      } catch {
        throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Unable to preview using encoding '${req.query.encoding}'`);
      }
      const { content, truncated } = await previewText(engine, where.path, maxLine, decoder);
      if (ext === 'ion') {
        // One record per line; Troupe reads a line as JSON when it is, else keeps its text.
        const list = content === '' ? [] : content.split('\n').map((l) => parseLine(l));
        return { extension, type: 'LIST', content: list, maxLine, truncated };
      }
      return { extension, type: ext === 'md' ? 'MARKDOWN' : 'TEXT', content, maxLine, truncated };
    },
  );
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}

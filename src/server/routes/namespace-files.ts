/**
 * Namespace files (kestra-api.md §7), over {@link NamespaceFiles}: download, list a directory,
 * stats, search, upload (multipart part `fileContent`), create a directory, move, delete. Every
 * path is checked before anything is read or written: `..`, `%2e%2e`, a backslash, an empty
 * segment or a scheme is a 422 and nothing is written. An upload to `/_flows/<name>.yml` deploys
 * the flow in this namespace (its `namespace:` line rewritten), as Kestra imports it. A `.zip`
 * upload is extracted at the namespace root (Kestra ignores `path` then), every entry checked
 * before anything is written; `/files/export` answers every file as a zip (src/storage/zip.ts).
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TroupeError } from '../../errors.js';
import { NamespaceFiles, namespacePathSegments, type NamespaceEntry } from '../../storage/namespace-files.js';
import type { ServerContext } from '../context.js';
import { readZip, writeZip, type ZipEntry } from '../../storage/zip.js';
import { readBytes, untruncated, ZIP_MAX_ENTRIES } from '../uploads.js';

const params = { type: 'object', properties: { namespace: { type: 'string', minLength: 1, maxLength: 255 } }, required: ['namespace'] } as const;
const path = { type: 'string', maxLength: 4096 } as const;
const pathRequired = { type: 'object', properties: { path: { ...path, minLength: 1 } }, required: ['path'] } as const;
const pathOptional = { type: 'object', properties: { path } } as const;

type Req<Q> = FastifyRequest<{ Params: { namespace: string }; Querystring: Q }>;

/** Kestra's FileAttributes JSON of an entry. */
function entryJson(e: NamespaceEntry): Record<string, unknown> {
  return { fileName: e.fileName, lastModifiedTime: e.modifiedMs, creationTime: e.modifiedMs, type: e.type, size: e.size, metadata: {} };
}

async function readAll(stream: AsyncIterable<Buffer>, max: number): Promise<string> {
  return (await readBytes(stream, max, 'The flow source')).toString('utf8');
}

/** A flow file of the reserved `/_flows` folder: `/_flows/<name>.yml` only. */
function isFlowFile(segments: readonly string[]): boolean {
  return segments.length === 2 && /\.ya?ml$/i.test(segments[1]!);
}

/** A flow's YAML with its top-level `namespace:` set to `namespace` (added when absent). */
function withNamespace(yaml: string, namespace: string): string {
  return /^namespace:.*$/m.test(yaml) ? yaml.replace(/^namespace:.*$/m, `namespace: ${namespace}`) : `namespace: ${namespace}\n${yaml}`;
}

/** Registers the namespace file routes on `app` (under a prefix). */
export function namespaceFileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const files = new NamespaceFiles(ctx.engine.storage);
  const base = '/namespaces/:namespace/files';

  /**
   * Kestra's `.zip` upload: each file entry lands at `/<its name>`; `_flows/<name>.yml` entries
   * deploy flows of this namespace. Every name is checked and every entry inflated (bounded by
   * the upload limit) before anything is written or deployed: a bad archive writes nothing.
   */
  const extractZip = async (namespace: string, zip: Buffer): Promise<void> => {
    const entries = readZip(zip, { maxEntries: ZIP_MAX_ENTRIES, maxTotalBytes: ctx.http.uploadLimit });
    const flows: string[] = [];
    const plain: ZipEntry[] = [];
    for (const e of entries) {
      const segments = namespacePathSegments(`/${e.name}`);
      if (segments[0] === '_flows') {
        if (!isFlowFile(segments)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid flow file path: /${e.name}`, { path: `/${e.name}` });
        flows.push(withNamespace(e.data.toString('utf8'), namespace));
      } else plain.push(e);
    }
    for (const source of flows) await ctx.engine.deploy(source);
    for (const e of plain) await files.put(namespace, `/${e.name}`, e.data);
  };

  app.get(`${base}`, { schema: { params, querystring: pathRequired } }, async (req: Req<{ path: string }>, reply) => {
    const { namespace } = req.params;
    const stream = await files.get(namespace, req.query.path);
    const stat = await files.stat(namespace, req.query.path);
    return reply.type('application/octet-stream').header('content-length', String(stat.size)).send(stream);
  });

  app.get(`${base}/directory`, { schema: { params, querystring: pathOptional } }, async (req: Req<{ path?: string }>) => {
    return (await files.children(req.params.namespace, req.query.path ?? '/')).map(entryJson);
  });

  app.get(`${base}/stats`, { schema: { params, querystring: pathOptional } }, async (req: Req<{ path?: string }>) => {
    return entryJson(await files.stat(req.params.namespace, req.query.path ?? '/'));
  });

  app.get(`${base}/search`, { schema: { params, querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 4096 } } } } }, async (req: Req<{ q?: string }>) => {
    return files.search(req.params.namespace, req.query.q ?? '');
  });

  app.get(`${base}/export`, { schema: { params } }, async (req: Req<unknown>, reply) => {
    const { namespace } = req.params;
    const entries: ZipEntry[] = [];
    for (const f of await files.list(namespace)) {
      entries.push({ name: f.path.slice(1), data: await readBytes(await files.get(namespace, f.path), Number.MAX_SAFE_INTEGER, f.path), modifiedMs: f.modifiedMs });
    }
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${namespace.replace(/["\\\r\n]/g, '_')}_files.zip"`)
      .header('cache-control', 'no-cache')
      .send(writeZip(entries));
  });

  app.post(`${base}`, { schema: { params, querystring: pathRequired } }, async (req: Req<{ path: string }>, reply) => {
    const { namespace } = req.params;
    // Checked before the body is read: a bad path writes nothing.
    const segments = namespacePathSegments(req.query.path);
    if (!req.isMultipart()) throw new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the file as multipart/form-data (part 'fileContent'), not ${req.headers['content-type'] ?? 'no content type'}`);
    let written = false;
    for await (const part of req.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'fileContent' || written) {
        if (part.type === 'file') part.file.resume();
        continue;
      }
      if (part.filename.toLowerCase().endsWith('.zip')) {
        await extractZip(namespace, await readBytes(untruncated(part.file, ctx.http.uploadLimit), ctx.http.uploadLimit, 'The zip'));
        written = true;
        continue;
      }
      if (segments[0] === '_flows') {
        if (!isFlowFile(segments)) {
          part.file.resume();
          throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `'/_flows' takes flow files only (/_flows/<name>.yml)`, { path: req.query.path });
        }
        await ctx.engine.deploy(withNamespace(await readAll(part.file, ctx.http.bodyLimit), namespace));
      } else {
        await files.put(namespace, req.query.path, untruncated(part.file, ctx.http.uploadLimit), { maxBytes: ctx.http.uploadLimit });
      }
      written = true;
    }
    if (!written) throw new TroupeError('TROUPE_HTTP_BAD_REQUEST', 'Required argument [fileContent] not specified');
    return reply.code(200).send();
  });

  app.post(`${base}/directory`, { schema: { params, querystring: pathRequired } }, async (req: Req<{ path: string }>, reply) => {
    await files.mkdir(req.params.namespace, req.query.path);
    return reply.code(200).send();
  });

  app.put(
    `${base}`,
    { schema: { params, querystring: { type: 'object', properties: { from: { ...path, minLength: 1 }, to: { ...path, minLength: 1 } }, required: ['from', 'to'] } } },
    async (req: Req<{ from: string; to: string }>, reply) => {
      await files.move(req.params.namespace, req.query.from, req.query.to);
      return reply.code(200).send();
    },
  );

  app.delete(`${base}`, { schema: { params, querystring: pathRequired } }, async (req: Req<{ path: string }>, reply) => {
    await files.delete(req.params.namespace, req.query.path);
    return reply.code(200).send();
  });
}

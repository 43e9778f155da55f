/**
 * `/flows`: create, read, update, delete, search, revisions, validate and the namespace bulk
 * update, with YAML bodies (kestra-api.md §2).
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES, FlowError, TroupeError } from '../../errors.js';
import { flowGraph, validateFlow, type FlowGraphJson } from '../../flow/index.js';
import type { Flow } from '../../model/flow.js';
import type { FlowRecord } from '../../store/index.js';
import { namespacePathSegments } from '../../storage/namespace-files.js';
import { readZip } from '../../storage/zip.js';
import { triggerToJson } from '../../triggers/index.js';
import type { ServerContext } from '../context.js';
import { flowToJson, latestFlows, type FlowJson } from '../flow-json.js';
import { readBytes, untruncated, ZIP_MAX_ENTRIES } from '../uploads.js';
import { hasLabels, inNamespace, pageOf, pagingSchema, parseLabels, parseSort, sortBy, stringList } from '../query.js';

const nsParams = { type: 'object', properties: { namespace: { type: 'string', maxLength: 150 } }, required: ['namespace'] } as const;
const flowParams = { type: 'object', properties: { namespace: { type: 'string', maxLength: 150 }, id: { type: 'string', maxLength: 100 } }, required: ['namespace', 'id'] } as const;

interface FlowParams {
  namespace: string;
  id: string;
}

/** The YAML text of a request, or a 415 when the body is not text. */
export function yamlBody(req: FastifyRequest): string {
  if (typeof req.body === 'string') return req.body;
  if (req.body === undefined || req.body === null) throw new TroupeError('TROUPE_FLOW_INVALID', 'the request has no body: send the flow as YAML (Content-Type: application/x-yaml)', { errors: [{ message: 'flow: must not be empty', path: 'flow' }] });
  throw new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the flow as YAML (application/x-yaml, application/yaml or text/yaml), not ${req.headers['content-type'] ?? 'this content type'}`);
}

/** A flow parsed from YAML, or the 422 with every problem's line:column. */
function parseOrThrow(source: string): Flow {
  const result = validateFlow(source);
  if (!result.ok) throw result.error;
  return result.flow;
}

function invalid(path: string, message: string): FlowError {
  return new FlowError('TROUPE_FLOW_INVALID', `${path}: ${message}`, { path }, { errors: [{ message: `${path}: ${message}`, path }] });
}

/** The live (not deleted) latest revision of a flow. */
function live(ctx: ServerContext, namespace: string, id: string): FlowRecord | undefined {
  const r = ctx.engine.flow(namespace, id);
  return r && !r.deleted ? r : undefined;
}

const flowNotFound = (): TroupeError => new TroupeError('TROUPE_HTTP_NOT_FOUND', '');

/** Registers the flow routes on `app` (under a prefix). */
export function flowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;

  app.post('/flows', async (req) => {
    const source = yamlBody(req);
    const flow = parseOrThrow(source);
    if (live(ctx, flow.namespace, flow.id)) throw invalid('flow.id', 'Flow id already exists');
    return flowToJson(await engine.deploy(source), true);
  });

  app.post('/flows/validate', async (req) => {
    const source = yamlBody(req);
    return source.split(/\n+---\n/).map((doc, index) => validateItem(ctx, doc, index));
  });

  app.get<{ Querystring: { page: number; size: number; sort?: string[]; q?: string; namespace?: string; labels?: string[] } }>(
    '/flows/search',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, q: { type: 'string', maxLength: 1000 }, namespace: { type: 'string', maxLength: 150 }, labels: stringList, scope: stringList } } } },
    async (req) => {
      const { page, size, q, namespace } = req.query;
      const labels = parseLabels(req.query.labels);
      const sorts = parseSort(req.query.sort, ['id', 'namespace', 'revision']);
      const needle = q?.toLowerCase();
      let flows = latestFlows(engine.listFlows())
        .filter((r) => !r.deleted && inNamespace(r.namespace, namespace))
        .map((r) => flowToJson(r))
        .filter((f) => (!needle || f.id.toLowerCase().includes(needle) || f.namespace.toLowerCase().includes(needle)) && hasLabels(f['labels'] as never, labels));
      flows = sortBy(flows, sorts, (f, field) => f[field] as string | number);
      return pageOf(flows, page, size);
    },
  );

  app.get<{ Params: { namespace: string } }>('/flows/:namespace', { schema: { params: nsParams } }, async (req) =>
    latestFlows(engine.listFlows())
      .filter((r) => !r.deleted && r.namespace === req.params.namespace)
      .map((r) => flowToJson(r)),
  );

  app.post<{ Params: { namespace: string }; Querystring: { delete: boolean } }>(
    '/flows/:namespace',
    { schema: { params: nsParams, querystring: { type: 'object', properties: { delete: { type: 'boolean', default: true } } } } },
    async (req) => bulkUpdate(ctx, req.params.namespace, yamlBody(req), req.query.delete),
  );

  app.get<{ Params: FlowParams; Querystring: { source: boolean; revision?: number; allowDeleted: boolean } }>(
    '/flows/:namespace/:id',
    { schema: { params: flowParams, querystring: { type: 'object', properties: { source: { type: 'boolean', default: false }, revision: { type: 'integer', minimum: 1 }, allowDeleted: { type: 'boolean', default: false } } } } },
    async (req) => {
      const { namespace, id } = req.params;
      const record = engine.flow(namespace, id, req.query.revision);
      if (!record || (record.deleted && !req.query.allowDeleted)) throw flowNotFound();
      return flowToJson(record, req.query.source);
    },
  );

  app.put<{ Params: FlowParams }>('/flows/:namespace/:id', { schema: { params: flowParams } }, async (req) => {
    const { namespace, id } = req.params;
    const source = yamlBody(req);
    if (!live(ctx, namespace, id)) throw flowNotFound();
    const flow = parseOrThrow(source);
    if (flow.id !== id) throw invalid('flow.id', 'Illegal flow id update');
    if (flow.namespace !== namespace) throw invalid('flow.namespace', 'Illegal namespace update');
    return flowToJson(await engine.deploy(source), true);
  });

  app.delete<{ Params: FlowParams }>('/flows/:namespace/:id', { schema: { params: flowParams } }, async (req, reply) => {
    const { namespace, id } = req.params;
    if (!live(ctx, namespace, id)) throw flowNotFound();
    await engine.deleteFlow(namespace, id);
    return reply.code(204).send();
  });

  app.get<{ Params: FlowParams }>('/flows/:namespace/:id/revisions', { schema: { params: flowParams } }, async (req) => {
    const { namespace, id } = req.params;
    return engine
      .listFlows()
      .filter((r) => r.namespace === namespace && r.id === id)
      .map((r) => flowToJson(r, true));
  });

  const graphQuery = { subflows: stringList } as const;
  app.get<{ Params: FlowParams; Querystring: { revision?: number; subflows?: string[] } }>(
    '/flows/:namespace/:id/graph',
    { schema: { params: flowParams, querystring: { type: 'object', properties: { revision: { type: 'integer', minimum: 1 }, ...graphQuery } } } },
    async (req) => {
      const { namespace, id } = req.params;
      const { revision } = req.query;
      const record = engine.flow(namespace, id, revision);
      if (!record || record.deleted) throw new TroupeError('TROUPE_HTTP_NOT_FOUND', `Unable to find flow ${namespace}_${id}${revision !== undefined ? `_${revision}` : ''}`);
      let flow: Flow;
      try {
        flow = ctx.parsed(record);
      } catch (e) {
        throw new TroupeError('TROUPE_ILLEGAL_STATE', `Unable to generate graph for flow ${namespace}_${id} because of exception ${e instanceof Error ? e.message : String(e)}`);
      }
      return graphOf(ctx, flow, req.query.subflows);
    },
  );
  app.post<{ Querystring: { subflows?: string[] } }>('/flows/graph', { schema: { querystring: { type: 'object', properties: graphQuery } } }, async (req) =>
    graphOf(ctx, parseOrThrow(yamlBody(req)), req.query.subflows),
  );
  app.post<{ Querystring: { delete: boolean } }>('/flows/bulk', { schema: { querystring: { type: 'object', properties: { delete: { type: 'boolean', default: true } } } } }, async (req) =>
    bulkUpdate(ctx, undefined, yamlBody(req), req.query.delete),
  );
  app.post('/flows/import', async (req) => importFlows(ctx, req));
}

/** Whether a failure is the flow's fault (it is listed as failed) rather than the daemon's (it is thrown). */
function isFlowFault(e: unknown): boolean {
  return e instanceof TroupeError && ERROR_CODES[e.code].httpStatus < 500;
}

/**
 * `POST /flows/import` (Kestra's `importFlows`): the multipart part `fileUpload`, a `.yml`/`.yaml`
 * file of flows separated by `---` or a `.zip` of such files. Each flow is created or updated;
 * one that fails does not stop the others: the answer lists them (a document's index in the YAML
 * file, an entry's name in the zip). The archive is checked whole first — a bomb, a malformed
 * archive or an entry name with `..`, a backslash or an absolute path is a 422, nothing deployed.
 */
async function importFlows(ctx: ServerContext, req: FastifyRequest): Promise<string[]> {
  if (!req.isMultipart()) throw new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', `send the file as multipart/form-data (part 'fileUpload'), not ${req.headers['content-type'] ?? 'no content type'}`);
  const limit = ctx.http.uploadLimit;
  let upload: { name: string; data: Buffer } | undefined;
  for await (const part of req.parts()) {
    if (part.type !== 'file' || part.fieldname !== 'fileUpload' || upload) {
      if (part.type === 'file') part.file.resume();
      continue;
    }
    upload = { name: part.filename, data: await readBytes(untruncated(part.file, limit), limit, 'The file') };
  }
  if (!upload) throw new TroupeError('TROUPE_HTTP_BAD_REQUEST', 'Required argument [fileUpload] not specified');
  const name = upload.name.toLowerCase();
  const sources: Array<{ key: string; source: string }> = [];
  if (/\.ya?ml$/.test(name)) {
    // Kestra splits on every `---` and names a failed document by its index.
    upload.data.toString('utf8').split('---').forEach((doc, i) => {
      if (doc.trim() !== '') sources.push({ key: String(i), source: doc.trim() });
    });
  } else if (name.endsWith('.zip')) {
    const entries = readZip(upload.data, { maxEntries: ZIP_MAX_ENTRIES, maxTotalBytes: limit });
    for (const e of entries) {
      try {
        if (e.name.startsWith('/')) throw new Error('an absolute path');
        namespacePathSegments(e.name);
      } catch (err) {
        throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid zip archive: the entry name '${e.name}' is not a relative path (${err instanceof Error ? err.message : String(err)})`);
      }
    }
    for (const e of entries) if (/\.ya?ml$/.test(e.name)) sources.push({ key: e.name, source: e.data.toString('utf8') });
  } else {
    const dot = upload.name.lastIndexOf('.');
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Cannot import file of type ${dot >= 0 ? upload.name.slice(dot) : upload.name}`);
  }
  const failed: string[] = [];
  for (const { key, source } of sources) {
    try {
      await ctx.engine.deploy(source);
    } catch (e) {
      if (!isFlowFault(e)) throw e;
      failed.push(key);
    }
  }
  return failed;
}

/** Kestra's FlowGraph of `flow`, with the subflow tasks named in `subflows` (repeated or comma-separated) expanded. */
function graphOf(ctx: ServerContext, flow: Flow, subflows: readonly string[] | undefined): FlowGraphJson {
  const triggers = flow.triggers.length ? ctx.engine.triggers.list().filter((v) => v.row.namespace === flow.namespace && v.row.flowId === flow.id) : [];
  return flowGraph(flow, {
    subflows: (subflows ?? []).flatMap((s) => s.split(',')).filter((s) => s !== ''),
    findFlow: (namespace, id, revision) => {
      const record = ctx.engine.flow(namespace, id, revision);
      return record && !record.deleted ? ctx.parsed(record) : undefined;
    },
    triggerState: (_namespace, _flowId, triggerId) => {
      const view = triggers.find((v) => v.row.triggerId === triggerId);
      return view ? triggerToJson(view) : undefined;
    },
  });
}

/** One item of `POST /flows/validate`. */
function validateItem(ctx: ServerContext, doc: string, index: number): Record<string, unknown> {
  const result = validateFlow(doc);
  const item: Record<string, unknown> = { index };
  if (result.ok) {
    item['flow'] = result.flow.id;
    item['namespace'] = result.flow.namespace;
    const declared = /^revision:\s*(\d+)\s*$/m.exec(doc);
    const last = ctx.engine.flow(result.flow.namespace, result.flow.id);
    item['outdated'] = declared !== null && Number(declared[1]) !== (last?.revision ?? 0) + 1;
  } else {
    item['constraints'] = result.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n');
    item['outdated'] = false;
  }
  item['deprecationPaths'] = [];
  item['warnings'] = [];
  item['infos'] = [];
  return item;
}

/**
 * `POST /flows/{namespace}`: replace a namespace's flows with the documents of the body;
 * `POST /flows/bulk` (no namespace): the same across every namespace.
 */
async function bulkUpdate(ctx: ServerContext, namespace: string | undefined, body: string, deleteOthers: boolean): Promise<FlowJson[]> {
  const docs = body.split('---').filter((d) => d.trim() !== '');
  const parsed = docs.map((source) => ({ source, flow: parseOrThrow(source) }));
  const ids = new Set<string>();
  for (const { flow } of parsed) {
    if (namespace !== undefined && flow.namespace !== namespace) throw invalid('flow.namespace', 'Flow namespace is invalid');
    const key = `${flow.namespace}\u0000${flow.id}`;
    if (ids.has(key)) throw invalid('flow.id', 'Duplicate flow id');
    ids.add(key);
  }
  const out: FlowJson[] = [];
  if (deleteOthers) {
    for (const r of latestFlows(ctx.engine.listFlows())) {
      if (r.deleted || (namespace !== undefined && r.namespace !== namespace) || ids.has(`${r.namespace}\u0000${r.id}`)) continue;
      await ctx.engine.deleteFlow(r.namespace, r.id);
      out.push(flowToJson(r));
    }
  }
  for (const { source } of parsed) out.push(flowToJson(await ctx.engine.deploy(source), true));
  return out;
}

/**
 * `/namespaces/{namespace}/kv`: a namespace's KV store (kestra-api.md §6) — list the live keys,
 * read a typed value (404 absent, 410 expired), put an Ion/JSON body with an optional `ttl`
 * header, delete one key (`true`/`false`) or several (`{"keys": [...]}`).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TroupeError } from '../../errors.js';
import { parseIonValue, validateKey } from '../../kv/index.js';
import type { ServerContext } from '../context.js';

type KeyParams = { namespace: string; key: string };
const nsParams = { type: 'object', properties: { namespace: { type: 'string', minLength: 1, maxLength: 1000 } }, required: ['namespace'] } as const;
const keyParams = { type: 'object', properties: { namespace: { type: 'string', minLength: 1, maxLength: 1000 }, key: { type: 'string', maxLength: 1000 } }, required: ['namespace', 'key'] } as const;

/** The `keys` of a bulk delete body (Kestra's `ApiDeleteBulkRequest`; absent keys: none). */
function bulkKeys(body: unknown): string[] {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    if (body.trim() === '') return [];
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid json: ${(err as Error).message}`);
    }
  }
  if (parsed === null || parsed === undefined) return [];
  const keys = (parsed as { keys?: unknown }).keys;
  if (keys === undefined || keys === null) return [];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Invalid json: `keys` must be a list of strings', { errors: [{ path: 'keys', message: 'must be a list of strings' }] });
  }
  return keys;
}

/** Registers the KV routes on `app` (under a prefix). */
export async function kvRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const { engine } = ctx;
  // Bodies are read as text: a PUT is Ion (a JSON superset), whatever its content type says.
  await app.register(async (scope) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scope.get<{ Params: { namespace: string } }>('/namespaces/:namespace/kv', { schema: { params: nsParams } }, async (req) => engine.kvList(req.params.namespace));

    scope.get<{ Params: KeyParams }>('/namespaces/:namespace/kv/:key', { schema: { params: keyParams } }, async (req) => {
      const { namespace, key } = req.params;
      validateKey(key);
      const value = await engine.kvGet(namespace, key);
      if (!value) throw new TroupeError('TROUPE_KV_NOT_FOUND', `No value found for key '${key}' in namespace '${namespace}'`, { namespace, key });
      return value;
    });

    scope.put<{ Params: KeyParams; Body: unknown }>('/namespaces/:namespace/kv/:key', { schema: { params: keyParams } }, async (req, reply) => {
      const { namespace, key } = req.params;
      validateKey(key);
      const ttl = req.headers['ttl'];
      const text = typeof req.body === 'string' ? req.body : req.body === undefined || req.body === null ? '' : String(req.body);
      const { value, dateType } = parseIonValue(text);
      await engine.kvPut(namespace, key, value, { ...(typeof ttl === 'string' ? { ttl } : {}), ...(dateType ? { dateType } : {}) });
      return reply.code(200).send();
    });

    scope.delete<{ Params: KeyParams }>('/namespaces/:namespace/kv/:key', { schema: { params: keyParams } }, async (req, reply) => {
      const { namespace, key } = req.params;
      validateKey(key);
      const deleted = await engine.kvDelete(namespace, [key]);
      return reply.type('application/json').send(JSON.stringify(deleted.length > 0));
    });

    scope.delete<{ Params: { namespace: string }; Body: unknown }>('/namespaces/:namespace/kv', { schema: { params: nsParams } }, async (req) => {
      const keys = bulkKeys(req.body);
      // Kestra ignores a failed deletion in a bulk: a key it cannot delete (a bad one) is just not listed.
      const valid = keys.filter((k) => /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(k));
      return { keys: await engine.kvDelete(req.params.namespace, valid) };
    });
  });
}

/**
 * `GET|POST|PUT /executions/webhook/{namespace}/{flowId}/{key}` (kestra-api.md §4): any content
 * type, the body read as text; the engine finds the Webhook, checks its conditions and creates the
 * execution (src/triggers/webhooks.ts). 200 with the execution, 204 when a condition says no,
 * 404 `Flow not found` / `Webhook not found`, 409 for a disabled flow.
 * @module
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';

const params = {
  type: 'object',
  properties: { namespace: { type: 'string', maxLength: 150 }, flowId: { type: 'string', maxLength: 100 }, key: { type: 'string', maxLength: 256 } },
  required: ['namespace', 'flowId', 'key'],
} as const;

/** Header names as the client sent them (rawHeaders), each with its values. */
function headersOf(req: FastifyRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const raw = req.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) (out[raw[i]!] ??= []).push(raw[i + 1]!);
  return out;
}

/** Query parameters, each with its values (`?age=12&age=13` → `{age: ['12', '13']}`). */
function parametersOf(req: FastifyRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const q = req.url.indexOf('?');
  if (q < 0) return out;
  for (const [k, v] of new URLSearchParams(req.url.slice(q + 1))) (out[k] ??= []).push(v);
  return out;
}

/** Registers the webhook route on `app` (under a prefix), in a scope that reads every body as text. */
export async function webhookRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.route<{ Params: { namespace: string; flowId: string; key: string }; Body: string | undefined }>({
      method: ['GET', 'POST', 'PUT'],
      url: '/executions/webhook/:namespace/:flowId/:key',
      schema: { params },
      handler: async (req, reply) => {
        const { namespace, flowId, key } = req.params;
        const body = typeof req.body === 'string' && req.body !== '' ? req.body : undefined;
        const result = await ctx.engine.webhook(namespace, flowId, key, { ...(body !== undefined ? { body } : {}), headers: headersOf(req), parameters: parametersOf(req) });
        if (!result.executionId) return reply.code(204).send();
        return ctx.engine.get(result.executionId);
      },
    });
  });
}

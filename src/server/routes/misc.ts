/**
 * Outside the API and beside it: `/ping`, `/health*`, `/version` (open, as Kestra's management
 * endpoints), and Kestra's MiscController: `/api/v1/configs` (behind auth, never any secret),
 * `/usages/all` (../usage.ts) and `POST /basicAuth` (../credentials.ts) — kestra-api.md §10.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TroupeError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { usageOf } from '../usage.js';

/** Routes served at the root (no prefix). */
export function rootRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/ping', async (_req, reply) => reply.type('text/plain').send('pong'));
  const health = async () => ({ name: 'troupe', status: 'UP', details: { engine: { status: 'UP' } } });
  app.get('/health', health);
  app.get('/health/liveness', health);
  app.get('/health/readiness', health);
  app.get('/version', async () => ({ version: ctx.version, type: 'STANDALONE' }));
}

/** Routes under the API prefix. */
export function configRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/configs', async () => ({
    uuid: ctx.instanceId,
    version: ctx.version,
    isCustomDashboardsEnabled: false,
    isTaskRunEnabled: false,
    isAnonymousUsageEnabled: false,
    isTemplateEnabled: false,
    preview: { initial: 100, max: 5000 },
    isBasicAuthEnabled: ctx.credentials.basicEnabled,
    systemNamespace: 'system',
    hiddenLabelsPrefixes: ['system.', 'internal.'],
  }));
}

/**
 * Kestra's `usages/all` and `basicAuth`. Setting basic auth is open on a daemon without
 * credentials (loopback only: it refuses other addresses), as on a Kestra without basic auth;
 * once credentials are on, it needs them, as every route.
 */
export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/usages/all', async () => usageOf(ctx, Date.now()));

  app.post<{ Body: unknown }>('/basicAuth', async (req, reply) => {
    const body = req.body;
    if (body === undefined || body === null || body === '') throw new TroupeError('TROUPE_HTTP_BAD_REQUEST', 'Required Body [basicAuthCredentials] not specified');
    if (typeof body !== 'object' || Array.isArray(body)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Failed to convert argument [basicAuthCredentials]: the body must be a JSON object {uid, username, password}');
    const { username, password } = body as Record<string, unknown>;
    await ctx.credentials.setBasic(username, password);
    req.log.info('basic auth credentials set');
    return reply.code(204).send();
  });
}

/**
 * Outside the API and beside it: `/ping`, `/health*`, `/version` (open, as Kestra's management
 * endpoints) and `/api/v1/configs` (behind auth, never any secret) — kestra-api.md §10.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

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
    isBasicAuthEnabled: ctx.authEnabled,
    systemNamespace: 'system',
    hiddenLabelsPrefixes: ['system.', 'internal.'],
  }));
}

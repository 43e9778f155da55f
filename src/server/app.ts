/**
 * The daemon's HTTP application: fastify with the Kestra routes under `/api/v1` and
 * `/api/v1/main`, the web view at `/ui/`, Kestra error bodies, credentials, the Host/Origin guard and the in-flight
 * bound. Built without listening, so tests drive it with `inject()`.
 * @module
 */
import fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Logger } from 'pino';
import { TroupeError } from '../errors.js';
import type { ServerContext } from './context.js';
import { errorResponse, toTroupeError } from './errors.js';
import { hostGuard, isOpenPath } from './security.js';
import { flowRoutes } from './routes/flows.js';
import { executionRoutes } from './routes/executions.js';
import { bulkRoutes } from './routes/bulk.js';
import { fileRoutes } from './routes/files.js';
import { namespaceFileRoutes } from './routes/namespace-files.js';
import { followRoutes } from './routes/follow.js';
import { logRoutes } from './routes/logs.js';
import { adminRoutes, configRoutes, rootRoutes } from './routes/misc.js';
import { pluginRoutes } from './routes/plugins.js';
import { uiRoutes } from './routes/ui.js';
import { metricsRoutes, ServerMetrics } from './metrics.js';
import { requestLogController } from './logging.js';
import { webhookRoutes } from './routes/webhooks.js';
import { triggerRoutes } from './routes/triggers.js';
import { kvRoutes } from './routes/kv.js';

/** What {@link buildApp} needs beside the shared context. */
export interface AppOptions {
  /** The address the daemon binds (decides the Host guard). */
  bindHost: string;
  /** Host names the daemon answers to besides loopback ones (behind a proxy). */
  allowedHosts?: string[];
  logger?: Logger;
}

/** The API prefix (Kestra's OSS form). */
export const API_PREFIX = '/api/v1';
/** The tenant form of newer Kestra releases: served by the same routes (see {@link tenantless}). */
export const TENANT_PREFIX = '/api/v1/main';

/**
 * `/api/v1/main/X` as `/api/v1/X`: the routes are registered once (half the routes, schemas and
 * start-up time of registering them under both prefixes); `request.originalUrl` keeps the form asked.
 */
export function tenantless(url: string): string {
  if (!url.startsWith(TENANT_PREFIX)) return url;
  const next = url.charCodeAt(TENANT_PREFIX.length);
  // '/' or '?' or the end: '/api/v1/mainx' is not the tenant form.
  return Number.isNaN(next) || next === 47 || next === 63 ? API_PREFIX + url.slice(TENANT_PREFIX.length) : url;
}

const YAML_TYPES = ['application/x-yaml', 'application/yaml', 'text/yaml', 'application/yml', 'text/x-yaml'];

function isStream(req: FastifyRequest): boolean {
  return req.method === 'GET' && /\/follow(\?|$)/.test(req.url);
}

/** Builds the application (routes registered, not listening). */
export async function buildApp(ctx: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const app = fastify({
    ...(options.logger ? { loggerInstance: options.logger as unknown as FastifyBaseLogger } : { logger: false }),
    logController: requestLogController(options.logger),
    bodyLimit: ctx.http.bodyLimit,
    routerOptions: { maxParamLength: 500 },
    return503OnClosing: true,
    rewriteUrl: (req) => tenantless(req.url ?? '/'),
    forceCloseConnections: 'idle',
    // A malformed URL or an over-long path parameter, refused before routing: a Kestra 400 too.
    frameworkErrors: (error, req, reply) => {
      const { status, body } = errorResponse(new TroupeError('TROUPE_HTTP_BAD_REQUEST', error.message), req.originalUrl);
      void (reply as FastifyReply).code(status).type('application/json').send(body);
    },
    // Route schemas are ours (and tested): not checked against the JSON Schema meta-schema, whose
    // compilation was the largest part of the daemon's start.
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false, validateSchema: false } },
  });

  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(multipart, {
    limits: { fileSize: ctx.http.uploadLimit, fieldSize: 1024 * 1024, fields: 1000, files: 100, parts: 1100, headerPairs: 200 },
  });

  const guard = hostGuard(options.bindHost, options.allowedHosts);
  const credentials = ctx.credentials;
  const challenge = `Basic realm="${credentials.realm}"`;
  let inFlight = 0;
  const metrics = new ServerMetrics(ctx.engine, ctx.followers, () => inFlight);

  app.addHook('onRequest', async (req, reply) => {
    const refused = guard(req.headers.host, req.headers.origin);
    if (refused) throw new TroupeError('TROUPE_HTTP_FORBIDDEN', refused);
    if (credentials.enabled && !isOpenPath(req.url)) {
      const ok = credentials.check(req.headers.authorization);
      if (ok !== true && (ok === false || !(await ok))) return reply.code(401).header('www-authenticate', challenge).send();
    }
    if (isStream(req)) {
      if (ctx.followers.streams >= ctx.http.maxStreams) throw overloaded(reply);
      return;
    }
    if (inFlight >= ctx.http.maxInFlight) throw overloaded(reply);
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
    });
  });

  app.setErrorHandler(async (error, req, reply) => {
    const err = toTroupeError(error);
    const { status, body } = errorResponse(err, req.originalUrl);
    if (status >= 500 && status !== 501 && status !== 503) req.log.error({ err: error }, 'request failed');
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler(async (req, reply) => {
    const { status, body } = errorResponse(new TroupeError('TROUPE_HTTP_NOT_FOUND', ''), req.originalUrl);
    return reply.code(status).send(body);
  });

  metricsRoutes(app, metrics);
  rootRoutes(app, ctx);
  uiRoutes(app);
  await app.register(
    async (api) => {
      configRoutes(api, ctx);
      adminRoutes(api, ctx);
      flowRoutes(api, ctx);
      executionRoutes(api, ctx);
      bulkRoutes(api, ctx);
      fileRoutes(api, ctx);
      namespaceFileRoutes(api, ctx);
      followRoutes(api, ctx);
      logRoutes(api, ctx);
      triggerRoutes(api, ctx);
      await webhookRoutes(api, ctx);
      await kvRoutes(api, ctx);
      pluginRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );
  app.addHook('preClose', async () => ctx.followers.closeAll());
  return app;
}

/** The 503 of an overloaded daemon, with Retry-After. */
function overloaded(reply: { header: (k: string, v: string) => unknown }): TroupeError {
  reply.header('retry-after', '1');
  return new TroupeError('TROUPE_HTTP_OVERLOADED', 'too many requests in flight, retry later');
}

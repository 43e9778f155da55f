/**
 * The plugin catalogue (kestra-api.md §9, Kestra's PluginController): the plugins (groups) and
 * their types, a type's documentation and JSON Schema, the schema of a flow/task/trigger, the
 * input types — read from the task registry through ../plugin-catalogue.ts, so what it lists is
 * what this build runs. Documentation and schemas carry Kestra's `Cache-Control`.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TroupeError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { inputTypes, listPluginSubgroups, listPlugins, pluginDoc, SCHEMA_KINDS, schemaFor } from '../plugin-catalogue.js';

const CACHE = 'public, max-age=3600';
const clsParams = { type: 'object', properties: { cls: { type: 'string', minLength: 1, maxLength: 300 } }, required: ['cls'] } as const;

function notFound(what: string): TroupeError {
  return new TroupeError('TROUPE_HTTP_NOT_FOUND', what);
}

/** Registers the plugin routes on `app` (under the API prefix). */
export function pluginRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/plugins', async () => listPlugins(ctx.version));
  app.get('/plugins/groups/subgroups', async () => listPluginSubgroups(ctx.version));

  app.get<{ Params: { type: string }; Querystring: { arrayOf: boolean } }>(
    '/plugins/schemas/:type',
    { schema: { params: { type: 'object', properties: { type: { type: 'string', maxLength: 50 } }, required: ['type'] }, querystring: { type: 'object', properties: { arrayOf: { type: 'boolean', default: false } } } } },
    async (req, reply) => {
      const kind = SCHEMA_KINDS.find((k) => k === req.params.type.toLowerCase());
      if (!kind) throw notFound(`No schema for '${req.params.type}': this build describes ${SCHEMA_KINDS.join(', ')}`);
      return reply.header('cache-control', CACHE).send(schemaFor(kind, req.query.arrayOf));
    },
  );

  app.get('/plugins/inputs', async () => inputTypes());
  app.get<{ Params: { type: string } }>('/plugins/inputs/:type', { schema: { params: { type: 'object', properties: { type: { type: 'string', maxLength: 50 } }, required: ['type'] } } }, async (req, reply) => {
    const input = inputTypes().find((i) => i.type === req.params.type);
    if (!input) throw notFound(`No input type '${req.params.type}'`);
    const properties = {
      type: 'object',
      properties: { id: { type: 'string' }, type: { const: input.type }, description: { type: 'string' }, displayName: { type: 'string' }, required: { type: 'boolean' }, defaults: {} },
      required: ['id', 'type'],
    };
    return reply.header('cache-control', CACHE).send({ markdown: `# ${input.type}\n\n\`\`\`yaml\ntype: "${input.type}"\n\`\`\``, schema: { properties, definitions: {} } });
  });

  const doc = (cls: string): NonNullable<ReturnType<typeof pluginDoc>> => {
    const found = pluginDoc(cls);
    if (!found) throw notFound(`No plugin type '${cls}' in this build (GET /api/v1/plugins lists them)`);
    return found;
  };
  app.get<{ Params: { cls: string } }>('/plugins/:cls', { schema: { params: clsParams } }, async (req, reply) => reply.header('cache-control', CACHE).send(doc(req.params.cls)));
  app.get<{ Params: { cls: string } }>('/plugins/:cls/versions', { schema: { params: clsParams } }, async (req) => {
    doc(req.params.cls);
    return { type: req.params.cls, versions: [ctx.version] };
  });
  app.get<{ Params: { cls: string; version: string } }>(
    '/plugins/:cls/versions/:version',
    { schema: { params: { type: 'object', properties: { cls: { type: 'string', minLength: 1, maxLength: 300 }, version: { type: 'string', maxLength: 50 } }, required: ['cls', 'version'] } } },
    async (req, reply) => {
      const found = doc(req.params.cls);
      if (req.params.version !== ctx.version && req.params.version !== 'latest') throw notFound(`No version '${req.params.version}' of '${req.params.cls}': this build serves ${ctx.version}`);
      return reply.header('cache-control', CACHE).send(found);
    },
  );
}

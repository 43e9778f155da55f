/**
 * `/triggers` (kestra-api.md §8): the Schedule state rows of the engine's trigger service —
 * search, a flow's triggers, unlock, restart, enable/disable (one, by ids, by query) and backfills
 * through `PUT /triggers`.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TroupeError } from '../../errors.js';
import type { Label } from '../../model/execution.js';
import { declaredTriggerJson, triggerToJson, type BackfillRequest, type TriggerView } from '../../triggers/index.js';
import type { ServerContext } from '../context.js';
import { inNamespace, pageOf, pagingSchema } from '../query.js';

const triggerParams = {
  type: 'object',
  properties: { namespace: { type: 'string', maxLength: 150 }, flowId: { type: 'string', maxLength: 100 }, triggerId: { type: 'string', maxLength: 100 } },
  required: ['namespace', 'flowId', 'triggerId'],
} as const;

interface TriggerRef {
  namespace: string;
  flowId: string;
  triggerId: string;
}

function matchesQuery(v: TriggerView, q: string | undefined): boolean {
  if (!q) return true;
  const needle = q.toLowerCase();
  return [v.row.namespace, v.row.flowId, v.row.triggerId].some((s) => s.toLowerCase().includes(needle));
}

function date(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `${name}: '${String(value)}' is not a date`);
  return ms;
}

function labelsOf(value: unknown): Label[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((l: Record<string, unknown>) => ({ key: String(l['key']), value: String(l['value']) }));
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: String(v) }));
}

function refOf(body: unknown): TriggerRef {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const k of ['namespace', 'flowId', 'triggerId']) if (typeof b[k] !== 'string') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid entity: ${k} must not be null`);
  return { namespace: String(b['namespace']), flowId: String(b['flowId']), triggerId: String(b['triggerId']) };
}

/** Registers the trigger routes on `app` (under a prefix). */
export function triggerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const service = () => ctx.engine.triggers;

  app.get<{ Querystring: { page: number; size: number; q?: string; namespace?: string; flowId?: string } }>(
    '/triggers/search',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, q: { type: 'string' }, namespace: { type: 'string' }, flowId: { type: 'string' }, workerId: { type: 'string' } } } } },
    async (req) => {
      const { page, size, q, namespace, flowId } = req.query;
      const views = service().list().filter((v) => inNamespace(v.row.namespace, namespace) && (flowId === undefined || v.row.flowId === flowId) && matchesQuery(v, q));
      const paged = pageOf(views, page, size);
      return { ...paged, results: paged.results.map((v) => ({ abstractTrigger: declaredTriggerJson(v), triggerContext: triggerToJson(v) })) };
    },
  );

  app.get<{ Params: { namespace: string; flowId: string }; Querystring: { page: number; size: number } }>(
    '/triggers/:namespace/:flowId',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, q: { type: 'string' } } } } },
    async (req) => {
      const views = service().list().filter((v) => v.row.namespace === req.params.namespace && v.row.flowId === req.params.flowId);
      const paged = pageOf(views, req.query.page, req.query.size);
      return { ...paged, results: paged.results.map(triggerToJson) };
    },
  );

  app.post<{ Params: TriggerRef }>('/triggers/:namespace/:flowId/:triggerId/unlock', { schema: { params: triggerParams } }, async (req) => {
    const { namespace, flowId, triggerId } = req.params;
    return triggerToJson(await service().unlock(namespace, flowId, triggerId));
  });

  app.post<{ Params: TriggerRef }>('/triggers/:namespace/:flowId/:triggerId/restart', { schema: { params: triggerParams } }, async (req) => {
    const { namespace, flowId, triggerId } = req.params;
    return triggerToJson(await service().restart(namespace, flowId, triggerId));
  });

  app.put<{ Body: unknown }>('/triggers', async (req) => {
    const ref = refOf(req.body);
    const body = req.body as Record<string, unknown>;
    const current = service().list().find((v) => v.row.namespace === ref.namespace && v.row.flowId === ref.flowId && v.row.triggerId === ref.triggerId);
    let view: TriggerView | undefined = current;
    const backfill = body['backfill'] as Record<string, unknown> | null | undefined;
    if (backfill) {
      const start = date('backfill.start', backfill['start']);
      if (start === undefined) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Invalid entity: backfill.start must not be null');
      const request: BackfillRequest = { start };
      const end = date('backfill.end', backfill['end']);
      if (end !== undefined) request.end = end;
      if (backfill['inputs'] && typeof backfill['inputs'] === 'object') request.inputs = backfill['inputs'] as Record<string, unknown>;
      const labels = labelsOf(backfill['labels']);
      if (labels) request.labels = labels;
      if (typeof backfill['paused'] === 'boolean') request.paused = backfill['paused'];
      view = await service().backfill(ref.namespace, ref.flowId, ref.triggerId, request);
    }
    const disabled = body['disabled'] === true;
    if (!view || view.row.disabled !== disabled) view = await service().setDisabled(ref.namespace, ref.flowId, ref.triggerId, disabled, { recover: true });
    return triggerToJson(view);
  });

  app.post<{ Body: { triggers?: unknown[]; disabled?: boolean } }>('/triggers/set-disabled/by-triggers', async (req) => {
    const triggers = Array.isArray(req.body?.triggers) ? req.body.triggers : [];
    const disabled = req.body?.disabled === true;
    for (const t of triggers) {
      const ref = refOf(t);
      await service().setDisabled(ref.namespace, ref.flowId, ref.triggerId, disabled);
    }
    return { count: triggers.length };
  });

  app.post<{ Querystring: { namespace?: string; q?: string; disabled?: boolean } }>(
    '/triggers/set-disabled/by-query',
    { schema: { querystring: { type: 'object', properties: { namespace: { type: 'string' }, q: { type: 'string' }, disabled: { type: 'boolean' } } } } },
    async (req) => {
      const { namespace, q } = req.query;
      const views = service().list().filter((v) => inNamespace(v.row.namespace, namespace) && matchesQuery(v, q));
      for (const v of views) await service().setDisabled(v.row.namespace, v.row.flowId, v.row.triggerId, req.query.disabled === true);
      return { count: views.length };
    },
  );
}

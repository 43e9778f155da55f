/**
 * `/triggers` (kestra-api.md §8): the state rows of the engine's trigger service — search, a
 * flow's triggers, unlock (one, by ids, by query), restart, enable/disable (one through
 * `PUT /triggers`, by ids, by query), backfills (started by `PUT /triggers`; pause, unpause and
 * delete, one, by ids, by query). Every route goes through the engine's public trigger operations
 * (TroupeApi), the ones `troupe/client` and `troupe triggers` use.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { TroupeError } from '../../errors.js';
import type { Label } from '../../model/execution.js';
import type { TriggerBackfill } from '../../troupe-api.js';
import type { ServerContext } from '../context.js';
import { pageOf, pagingSchema } from '../query.js';

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

/** A date of a request body as text: Kestra's ZonedDateTime strings, or epoch milliseconds. */
function dateText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? new Date(value).toISOString() : String(value);
}

function labelsOf(value: unknown): Label[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((l: Record<string, unknown>) => ({ key: String(l['key']), value: String(l['value']) }));
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: String(v) }));
}

/** A `backfill` of a request body as the API's {@link TriggerBackfill}. */
function backfillOf(b: Record<string, unknown>): TriggerBackfill {
  const start = dateText(b['start']);
  if (start === undefined) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'backfill.start must not be null');
  const out: TriggerBackfill = { start };
  const end = dateText(b['end']);
  if (end !== undefined) out.end = end;
  if (b['inputs'] && typeof b['inputs'] === 'object') out.inputs = b['inputs'] as Record<string, unknown>;
  const labels = labelsOf(b['labels']);
  if (labels) out.labels = labels;
  if (typeof b['paused'] === 'boolean') out.paused = b['paused'];
  return out;
}

function refOf(body: unknown): TriggerRef {
  const b = (body ?? {}) as Record<string, unknown>;
  for (const k of ['namespace', 'flowId', 'triggerId']) if (typeof b[k] !== 'string') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid entity: ${k} must not be null`);
  return { namespace: String(b['namespace']), flowId: String(b['flowId']), triggerId: String(b['triggerId']) };
}

/** The triggers of a bulk request body: a list, or `{triggers: [...]}`. */
function refsOf(body: unknown): TriggerRef[] {
  const list = Array.isArray(body) ? body : Array.isArray((body as Record<string, unknown> | null)?.['triggers']) ? ((body as Record<string, unknown>)['triggers'] as unknown[]) : [];
  return list.map(refOf);
}

/** What a bulk action skips: a trigger not in the state the action needs (not locked, no backfill). */
const isIllegalState = (e: unknown): boolean => e instanceof TroupeError && e.code === 'TROUPE_ILLEGAL_STATE';
/** What a bulk set-disabled skips, as Kestra does: a trigger without a state row. */
const isNotFound = (e: unknown): boolean => e instanceof TroupeError && (e.code === 'TROUPE_TRIGGER_NOT_FOUND' || e.code === 'TROUPE_FLOW_NOT_FOUND');

/** Registers the trigger routes on `app` (under a prefix). */
export function triggerRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const engine = ctx.engine;
  const query = { type: 'object', properties: { namespace: { type: 'string' }, q: { type: 'string' } } } as const;

  app.get<{ Querystring: { page: number; size: number; q?: string; namespace?: string; flowId?: string } }>(
    '/triggers/search',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, q: { type: 'string' }, namespace: { type: 'string' }, flowId: { type: 'string' }, workerId: { type: 'string' } } } } },
    async (req) => {
      const { page, size, q, namespace, flowId } = req.query;
      const items = await engine.listTriggers({ ...(namespace !== undefined ? { namespace } : {}), ...(flowId !== undefined ? { flowId } : {}), ...(q !== undefined ? { q } : {}) });
      return pageOf(items, page, size);
    },
  );

  app.get<{ Params: { namespace: string; flowId: string }; Querystring: { page: number; size: number } }>(
    '/triggers/:namespace/:flowId',
    { schema: { querystring: { type: 'object', properties: { ...pagingSchema, q: { type: 'string' } } } } },
    async (req) => {
      const items = (await engine.listTriggers({ namespace: req.params.namespace, flowId: req.params.flowId })).filter((t) => t.triggerContext.namespace === req.params.namespace);
      return pageOf(items.map((t) => t.triggerContext), req.query.page, req.query.size);
    },
  );

  app.post<{ Params: TriggerRef }>('/triggers/:namespace/:flowId/:triggerId/unlock', { schema: { params: triggerParams } }, async (req) => {
    const { namespace, flowId, triggerId } = req.params;
    return engine.unlockTrigger(namespace, flowId, triggerId);
  });

  app.post<{ Body: unknown }>('/triggers/unlock/by-triggers', async (req) => {
    let count = 0;
    for (const ref of refsOf(req.body)) {
      await engine.unlockTrigger(ref.namespace, ref.flowId, ref.triggerId).then(
        () => (count += 1),
        (e: unknown) => {
          if (!isIllegalState(e) && !isNotFound(e)) throw e;
        },
      );
    }
    return { count };
  });

  app.post<{ Querystring: { namespace?: string; q?: string } }>('/triggers/unlock/by-query', { schema: { querystring: query } }, async (req) => {
    const { namespace, q } = req.query;
    let count = 0;
    for (const { triggerContext: t } of await engine.listTriggers({ ...(namespace !== undefined ? { namespace } : {}), ...(q !== undefined ? { q } : {}) })) {
      if (t.executionId === undefined && t.evaluateRunningDate === undefined) continue;
      await engine.unlockTrigger(t.namespace, t.flowId, t.triggerId);
      count += 1;
    }
    return { count };
  });

  app.post<{ Params: TriggerRef }>('/triggers/:namespace/:flowId/:triggerId/restart', { schema: { params: triggerParams } }, async (req) => {
    const { namespace, flowId, triggerId } = req.params;
    return engine.restartTrigger(namespace, flowId, triggerId);
  });

  // Kestra's update: only `disabled` and a new backfill (when none is in progress) are applied.
  app.put<{ Body: unknown }>('/triggers', async (req) => {
    const ref = refOf(req.body);
    const body = req.body as Record<string, unknown>;
    let current = await engine.getTrigger(ref.namespace, ref.flowId, ref.triggerId);
    const backfill = body['backfill'] as Record<string, unknown> | null | undefined;
    if (backfill && typeof backfill === 'object' && !current?.backfill) current = await engine.backfillTrigger(ref.namespace, ref.flowId, ref.triggerId, backfillOf(backfill));
    const disabled = body['disabled'] === true;
    if (!current || current.disabled !== disabled) current = disabled ? await engine.disableTrigger(ref.namespace, ref.flowId, ref.triggerId) : await engine.enableTrigger(ref.namespace, ref.flowId, ref.triggerId);
    return current;
  });

  const backfillAction = (action: 'pause' | 'unpause' | 'delete') => (ref: TriggerRef) =>
    action === 'pause' ? engine.pauseBackfill(ref.namespace, ref.flowId, ref.triggerId) : action === 'unpause' ? engine.unpauseBackfill(ref.namespace, ref.flowId, ref.triggerId) : engine.deleteBackfill(ref.namespace, ref.flowId, ref.triggerId);
  for (const action of ['pause', 'unpause', 'delete'] as const) {
    const run = backfillAction(action);
    const one = async (req: { body: unknown }) => run(refOf(req.body));
    if (action === 'delete') app.post<{ Body: unknown }>('/triggers/backfill/delete', one);
    else app.put<{ Body: unknown }>(`/triggers/backfill/${action}`, one);
    // Bulk: triggers without a backfill are skipped (Kestra counts the others).
    const bulk = async (refs: TriggerRef[]): Promise<{ count: number }> => {
      let count = 0;
      for (const ref of refs) {
        await run(ref).then(
          () => (count += 1),
          (e: unknown) => {
            if (!isIllegalState(e)) throw e;
          },
        );
      }
      return { count };
    };
    app.post<{ Body: unknown }>(`/triggers/backfill/${action}/by-triggers`, async (req) => bulk(refsOf(req.body)));
    app.post<{ Querystring: { namespace?: string; q?: string } }>(`/triggers/backfill/${action}/by-query`, { schema: { querystring: query } }, async (req) => {
      const { namespace, q } = req.query;
      const items = await engine.listTriggers({ ...(namespace !== undefined ? { namespace } : {}), ...(q !== undefined ? { q } : {}) });
      return bulk(items.map((t) => t.triggerContext));
    });
  }

  // Kestra's bulk set-disabled flips `disabled` only (no recoverMissedSchedules), as the Toggle task does.
  app.post<{ Body: { triggers?: unknown[]; disabled?: boolean } }>('/triggers/set-disabled/by-triggers', async (req) => {
    const refs = refsOf(req.body);
    const disabled = req.body?.disabled === true;
    for (const ref of refs) {
      await engine.setTriggerDisabled(ref.namespace, ref.flowId, ref.triggerId, disabled).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
    }
    return { count: refs.length };
  });

  app.post<{ Querystring: { namespace?: string; q?: string; disabled?: boolean } }>(
    '/triggers/set-disabled/by-query',
    { schema: { querystring: { type: 'object', properties: { namespace: { type: 'string' }, q: { type: 'string' }, disabled: { type: 'boolean' } } } } },
    async (req) => {
      const { namespace, q } = req.query;
      const items = await engine.listTriggers({ ...(namespace !== undefined ? { namespace } : {}), ...(q !== undefined ? { q } : {}) });
      for (const { triggerContext: t } of items) await engine.setTriggerDisabled(t.namespace, t.flowId, t.triggerId, req.query.disabled === true);
      return { count: items.length };
    },
  );
}

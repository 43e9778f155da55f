/**
 * Webhook triggers (io.kestra.plugin.core.trigger.Webhook, Kestra's `ExecutionController#webhook`):
 * the first Webhook of the flow whose key — rendered with the flow's context (so `{{ flow.id }}`
 * and `secret()` work) and trimmed — equals the key of the call starts an execution whose
 * `trigger` is `{body, headers, parameters}` of the request, if its conditions hold. The trigger's
 * own `disabled` is not checked and its labels are ignored (Kestra); webhook executions carry no
 * correlation-id label. The daemon's route only routes (src/server/routes/webhooks.ts).
 */
import { TroupeError } from '../errors.js';
import type { ExecutionTrigger } from '../model/execution.js';
import { testCondition } from './conditions.js';
import { isPublicHoliday } from './holidays.js';
import type { TriggerHost } from './host.js';

/** Kestra's Webhook trigger type. */
export const WEBHOOK_TYPE = 'io.kestra.plugin.core.trigger.Webhook';

/** A webhook call as the route read it. */
export interface WebhookRequest {
  /** The body as text; absent or empty when the request had none. */
  body?: string;
  /** Header names as the client sent them, each with its values. */
  headers: Record<string, string[]>;
  /** Query parameters, each with its values. */
  parameters: Record<string, string[]>;
}

/** What a webhook call did: created an execution (200 with it), or its conditions said no (204). */
export type WebhookResult = { executionId: string } | { executionId?: undefined };

/** The body as Kestra reads it: a JSON object, else a JSON array, else the raw string. */
export function webhookBody(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed;
  } catch {
    // not JSON: the raw string
  }
  return text;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Answers webhook calls against the deployed flows. */
export class WebhookTriggers {
  readonly #host: TriggerHost;

  constructor(host: TriggerHost) {
    this.#host = host;
  }

  /**
   * Finds the flow's Webhook for `key`, checks its conditions and creates the execution.
   * @param track given the creation, so the service can wait for it
   * @throws TroupeError TROUPE_FLOW_NOT_FOUND (`Flow not found`), TROUPE_ILLEGAL_STATE for a
   *   disabled flow, TROUPE_TRIGGER_NOT_FOUND (`Webhook not found`)
   */
  async call(namespace: string, flowId: string, key: string, request: WebhookRequest, track: (p: Promise<void>) => Promise<void>): Promise<WebhookResult> {
    const host = this.#host;
    const record = host.store.getFlow(namespace, flowId);
    if (!record || record.deleted) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', 'Flow not found', { namespace, flowId });
    const flow = host.flow(record);
    if (flow.disabled) throw new TroupeError('TROUPE_ILLEGAL_STATE', 'Cannot execute a disabled flow', { namespace, flowId });
    const flowVars = { ...host.hostVars(), flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision } };
    const webhook = flow.triggers.find((t) => {
      if (host.canonical(t.canonicalType ?? t.type) !== WEBHOOK_TYPE) return false;
      try {
        return host.render(String(t.props['key'] ?? ''), flowVars).trim() === key;
      } catch (e) {
        host.warn(`Webhook ${namespace}.${flowId}.${t.id}: its key cannot be rendered: ${errorMessage(e)}`);
        return false;
      }
    });
    if (!webhook) throw new TroupeError('TROUPE_TRIGGER_NOT_FOUND', 'Webhook not found', { namespace, flowId });
    const id = host.newId();
    const variables: Record<string, unknown> = { headers: request.headers, parameters: request.parameters };
    if (request.body !== undefined && request.body !== '') variables['body'] = webhookBody(request.body);
    const trigger: ExecutionTrigger = { id: webhook.id, type: webhook.type, variables };
    const conditions = Array.isArray(webhook.props['conditions']) ? (webhook.props['conditions'] as Array<Record<string, unknown>>) : [];
    const labels = flow.labels.filter((l) => !l.key.startsWith('system.'));
    const ctx = {
      vars: { ...flowVars, execution: { id }, trigger: variables, labels: Object.fromEntries(labels.map((l) => [l.key, l.value])) },
      execution: { id, namespace, flowId, state: { current: 'CREATED' }, labels },
      render: (t: string, v: Record<string, unknown>) => host.render(t, v),
      canonical: (t: string) => host.canonical(t),
      publicHoliday: isPublicHoliday,
    };
    for (const c of conditions) {
      let holds: boolean;
      try {
        holds = testCondition(c, ctx);
      } catch (e) {
        host.warn(`[namespace: ${namespace}] [flow: ${flowId}] [condition: ${String(c['type'])}] Evaluate Condition Failed with error '${errorMessage(e)}'`);
        holds = false;
      }
      if (!holds) return {};
    }
    await track(host.create(record, { id, inputs: {}, labels: [], trigger, noCorrelationId: true }));
    return { executionId: id };
  }
}

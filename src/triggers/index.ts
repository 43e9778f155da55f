/**
 * @module triggers
 * Schedule, Flow and Webhook triggers inside the engine: {@link TriggerService} (main thread,
 * driven by the engine's clock, state rows in LMDB) over pure parts — cron dates with Kestra's
 * DST behaviour (./cron.ts), Schedule arithmetic (./schedule.ts), conditions (./conditions.ts).
 * Imports nothing of the runtime: the engine hands it a {@link TriggerHost}.
 */
export { TriggerService } from './service.js';
export { triggerToJson } from './json.js';
export type { TriggerJson, TriggerBackfillJson, TriggerSearchItem } from './json.js';
export type { TriggerHost } from './host.js';
export { flowTriggerInterest } from './flow-listeners.js';
export { interestTest, listenersEffect, type ListenerInterest, type InterestTest } from './outbox.js';
export type { WebhookRequest, WebhookResult } from './webhooks.js';

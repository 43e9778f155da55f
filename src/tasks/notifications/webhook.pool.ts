/**
 * The webhook notification tasks of plugin-notifications 0.20: each is one `POST url` of a JSON
 * payload (`application/json`), a status ≥ 400 failing the task with its reason phrase (Sentry:
 * only 401 and 404 of the envelope endpoint, as Kestra), no outputs. `*IncomingWebhook` sends `payload` rendered twice (as Kestra); `*Execution` builds the
 * payload from the execution summary (./summary.ts, ./payloads.ts). The URL is never logged: it
 * holds the webhook's secret; errors name only its host and first path segment.
 */
import type { Task } from '../../model/flow.js';
import { exchange, readBody } from '../http/client.pool.js';
import { httpSettings, NOTIFICATION_OPTIONS, redactUrl } from '../http/options.js';
import { statusError } from '../http/request.pool.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';
import { randomUUID } from 'node:crypto';
import { discordEmbed, discordPayload, discordSummaryEmbed, googleChatPayload, sentryTemplatePayload, slackPayload, teamsPayload, zendutyTemplatePayload, type DiscordEmbed, type SummaryExtras } from './payloads.js';
import { summarize, type ExecutionSummary, type SummarySource } from './summary.js';

/**
 * Posts `payload` to the task's `url` (or `urlText`, already rendered); a status ≥ 400 fails the
 * task unless `tolerate` takes it (true: the task goes on).
 */
async function post(task: Task, ctx: RunnableContext, service: string, payload: string | undefined, urlText?: string, tolerate?: (code: number, reason: string) => boolean): Promise<void> {
  const text = urlText ?? ctx.render(String(task.props.url ?? ''));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Invalid url for the ${service} webhook: expected an absolute http(s) URL`);
  }
  const settings = httpSettings(ctx.renderObject(task.props.options), undefined, 'POST', NOTIFICATION_OPTIONS);
  ctx.log('DEBUG', `Send ${service} webhook: ${payload ?? ''}`);
  const headers: Array<[string, string]> = [['User-Agent', 'Troupe']];
  if (payload !== undefined) headers.push(['Content-Type', 'application/json']);
  const res = await exchange({ method: 'POST', url, headers, ...(payload !== undefined ? { body: Buffer.from(payload) } : {}) }, settings, ctx.signal, 'response');
  if (res.code >= 400) {
    res.close();
    if (tolerate?.(res.code, res.reason)) return;
    throw statusError(res.code, res.reason);
  }
  await readBody(res, settings.maxContentLength);
  ctx.log('DEBUG', `${service} webhook ${redactUrl(url)} answered ${res.code}`);
}

/** A property rendered as a string, or undefined when absent. */
function opt(task: Task, ctx: RunnableContext, name: string): string | undefined {
  const v = task.props[name];
  return v === undefined || v === null ? undefined : ctx.render(typeof v === 'string' ? v : JSON.stringify(v));
}

/** `*IncomingWebhook`: the payload rendered twice (first to get the template, then to fill it). */
function incomingWebhook(service: string): PoolTask {
  return {
    async run(task, ctx) {
      const first = opt(task, ctx, 'payload');
      await post(task, ctx, service, first === undefined ? undefined : ctx.render(first));
      return { outputs: {} };
    },
  };
}

/** A payload built by a template task: the webhook task it extends renders its payload twice, as Kestra. */
function renderTwice(ctx: RunnableContext, payload: Record<string, unknown>): string {
  return ctx.render(ctx.render(JSON.stringify(payload)));
}

/** Reads a root variable of the run's context (null when absent). */
function rootVar(ctx: RunnableContext, name: string): unknown {
  return JSON.parse(ctx.render(`{{ (${name} ?? null) | toJson }}`)) as unknown;
}

/** The summary of the execution the task's `executionId` names (the current one by default), and its extras. */
function summaryOf(task: Task, ctx: RunnableContext): { summary: ExecutionSummary; extras: SummaryExtras } {
  const executionId = opt(task, ctx, 'executionId') ?? ctx.render('{{ execution.id }}');
  const source: SummarySource = {
    flow: rootVar(ctx, 'flow') as SummarySource['flow'],
    execution: rootVar(ctx, 'execution') as SummarySource['execution'],
    trigger: rootVar(ctx, 'trigger') as SummarySource['trigger'],
    errorLogs: JSON.parse(ctx.render('{{ errorLogs() | toJson }}')) as SummarySource['errorLogs'],
  };
  const summary = summarize(executionId, source, ctx.nowMs());
  if (executionId === source.execution?.id) ctx.log('INFO', 'Loading execution data for the current execution.');
  const extras: SummaryExtras = {};
  const customMessage = opt(task, ctx, 'customMessage');
  if (customMessage !== undefined) extras.customMessage = customMessage;
  const fields = task.props.customFields;
  if (fields && typeof fields === 'object' && !Array.isArray(fields) && Object.keys(fields).length > 0) extras.customFields = ctx.renderObject(fields) as Record<string, unknown>;
  return { summary, extras };
}

const slackExecution: PoolTask = {
  async run(task, ctx) {
    const { summary, extras } = summaryOf(task, ctx);
    const payload = slackPayload(summary, extras);
    for (const [prop, key] of [['channel', 'channel'], ['username', 'username'], ['iconUrl', 'icon_url'], ['iconEmoji', 'icon_emoji']] as const) {
      const v = opt(task, ctx, prop);
      if (v !== undefined) payload[key] = v;
    }
    await post(task, ctx, 'Slack', renderTwice(ctx, payload));
    return { outputs: {} };
  },
};

function embedsOf(task: Task, ctx: RunnableContext, avatarUrl: string | undefined): Array<Record<string, unknown>> | undefined {
  const list = task.props.embedList;
  if (!Array.isArray(list)) return undefined;
  return list.map((raw) => {
    const e = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
    const s = (k: string): string | undefined => (e[k] === undefined || e[k] === null ? undefined : ctx.render(String(e[k])));
    const embed: DiscordEmbed = {};
    for (const k of ['title', 'description', 'websiteUrl', 'thumbnail', 'authorName', 'footer'] as const) {
      const v = s(k);
      if (v !== undefined) embed[k] = v;
    }
    if (Array.isArray(e.color)) embed.color = e.color.map(Number);
    return discordEmbed(embed, avatarUrl);
  });
}

const discordExecution: PoolTask = {
  async run(task, ctx) {
    const given = opt(task, ctx, 'payload');
    if (given !== undefined && given.trim() !== '') {
      await post(task, ctx, 'Discord', ctx.render(given));
      return { outputs: {} };
    }
    const { summary, extras } = summaryOf(task, ctx);
    const avatarUrl = opt(task, ctx, 'avatarUrl');
    const o: Parameters<typeof discordPayload>[1] = {};
    const username = opt(task, ctx, 'username');
    if (username !== undefined) o.username = username;
    if (avatarUrl !== undefined) o.avatarUrl = avatarUrl;
    const embeds = embedsOf(task, ctx, avatarUrl);
    if (embeds) o.embeds = embeds;
    const content = opt(task, ctx, 'content');
    if (content !== undefined) o.content = content;
    await post(task, ctx, 'Discord', renderTwice(ctx, discordPayload(discordSummaryEmbed(summary, extras), o)));
    return { outputs: {} };
  },
};

const teamsExecution: PoolTask = {
  async run(task, ctx) {
    const { summary, extras } = summaryOf(task, ctx);
    const more: Parameters<typeof teamsPayload>[1] = { ...extras, themeColor: opt(task, ctx, 'themeColor') ?? '0076D7' };
    const title = opt(task, ctx, 'activityTitle');
    if (title !== undefined) more.activityTitle = title;
    const subtitle = opt(task, ctx, 'activitySubtitle');
    if (subtitle !== undefined) more.activitySubtitle = subtitle;
    await post(task, ctx, 'Microsoft Teams', renderTwice(ctx, teamsPayload(summary, more)));
    return { outputs: {} };
  },
};

const googleChatExecution: PoolTask = {
  async run(task, ctx) {
    const { summary, extras } = summaryOf(task, ctx);
    const payload = googleChatPayload(summary, extras);
    const text = opt(task, ctx, 'text');
    if (text !== undefined) payload.text = text;
    await post(task, ctx, 'Google Chat', renderTwice(ctx, payload));
    return { outputs: {} };
  },
};

/** A Sentry DSN of sentry.io, whose endpoint URL the task derives (any other DSN is posted to as written). */
const SENTRY_DSN = /^(https?:\/\/[a-f0-9]+@o[0-9]+\.ingest\.sentry\.io\/[0-9]+)$/;
const SENTRY_PAYLOAD_LIMIT = 1024 * 1024;
const SENTRY_ENVELOPE_LIMIT = 100 * 1024 * 1024;
/** SentryAlert's payload when the task has none (rendered). */
const SENTRY_DEFAULT_PAYLOAD = `{
  "timestamp": "{{ execution.startDate }}",
  "platform": "java",
  "level": "error",
  "message": {
    "message": "Execution {{ execution.id }} failed"
  },
  "extra": {
    "Namespace": "{{ flow.namespace }}",
    "Flow ID": "{{ flow.id }}",
    "Execution ID": "{{ execution.id }}"
  }
}`;

/** The URL a Sentry DSN posts to: sentry.io's `…/api/<project>/envelope/` (or `store/`) with the key as a parameter. */
export function sentryUrl(dsn: string, endpoint: 'ENVELOPE' | 'STORE'): string {
  if (!SENTRY_DSN.test(dsn)) return dsn;
  const protocol = dsn.split('://')[0]!;
  const [host, project] = dsn.split('@')[1]!.split('/');
  const key = dsn.split('@')[0]!.replace(`${protocol}://`, '');
  return `${protocol}://${host}/api/${project}/${endpoint === 'STORE' ? 'store' : 'envelope'}/?sentry_version=7&sentry_client=java&sentry_key=${key}`;
}

const hex32 = (): string => randomUUID().replaceAll('-', '');

/**
 * SentryAlert's request: for the envelope endpoint, the envelope's header line (a random event id,
 * the DSN as the flow wrote it, unrendered, as Kestra does), the item's, then the payload.
 */
async function sendSentry(task: Task, ctx: RunnableContext, payload: string): Promise<void> {
  const endpoint = String(task.props.endpointType ?? 'ENVELOPE').toUpperCase();
  if (endpoint !== 'ENVELOPE' && endpoint !== 'STORE') throw new Error(`Invalid endpointType '${endpoint}': expected ENVELOPE or STORE`);
  const url = sentryUrl(ctx.render(String(task.props.dsn ?? '')), endpoint);
  let body = payload;
  if (endpoint === 'ENVELOPE') {
    const header = `{"event_id":"${hex32()}","dsn":"${String(task.props.dsn ?? '')}","sdk":{"name":"java","version":"7"},"sent_at":"${new Date(ctx.nowMs()).toISOString()}"}`;
    const item = `{"type":"event","length":${payload.length},"content_type":"application/json","filename":"application.log"}`;
    body = `${header}\n${item}\n${payload}\n`;
    if (Buffer.byteLength(body) > SENTRY_ENVELOPE_LIMIT) throw new Error('Envelope size exceeds 100MB limit for decompressed data');
    if (Buffer.byteLength(payload) > SENTRY_PAYLOAD_LIMIT) throw new Error('Event payload size exceeds 1MB limit');
  }
  await post(task, ctx, 'Sentry', body, url, (code, reason) => {
    if ((code === 401 || code === 404) && endpoint === 'ENVELOPE') {
      ctx.log('ERROR', 'Envelope endpoint not supported; Please try to configure the store endpoint instead: endpointType: store');
      return false;
    }
    // Kestra 0.20 ignores the other error answers of Sentry; Troupe says so.
    ctx.log('WARN', `Sentry answered ${code} ${reason}; the task succeeds, as on Kestra`);
    return true;
  });
}

const sentryAlert: PoolTask = {
  async run(task, ctx) {
    await sendSentry(task, ctx, opt(task, ctx, 'payload') ?? ctx.render(SENTRY_DEFAULT_PAYLOAD));
    return { outputs: {} };
  },
};

const sentryExecution: PoolTask = {
  async run(task, ctx) {
    const { summary, extras } = summaryOf(task, ctx);
    const map = sentryTemplatePayload(summary, extras);
    map.event_id = opt(task, ctx, 'eventId') ?? hex32();
    map.timestamp = new Date(ctx.nowMs()).toISOString();
    map.platform = (opt(task, ctx, 'platform') ?? 'JAVA').toLowerCase();
    map.level = (opt(task, ctx, 'level') ?? 'ERROR').toLowerCase();
    const transaction = opt(task, ctx, 'transaction');
    if (transaction !== undefined) map.transaction = transaction;
    const serverName = opt(task, ctx, 'serverName');
    if (serverName !== undefined) map.server_name = serverName;
    const extra = renderedMap(task, ctx, 'extra');
    if (extra) map.extra = { ...(map.extra as Record<string, unknown>), ...extra };
    const errors = renderedMap(task, ctx, 'errors');
    if (errors) map.errors = errors;
    await sendSentry(task, ctx, ctx.render(JSON.stringify(map)));
    return { outputs: {} };
  },
};

/** A map property rendered, or undefined when absent or empty. */
function renderedMap(task: Task, ctx: RunnableContext, name: string): Record<string, unknown> | undefined {
  const v = task.props[name];
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return undefined;
  return ctx.renderObject(v) as Record<string, unknown>;
}

const zendutyAlert: PoolTask = {
  async run(task, ctx) {
    const payload = opt(task, ctx, 'payload');
    await post(task, ctx, 'Zenduty', payload);
    return { outputs: {} };
  },
};

const ZENDUTY_ALERT_TYPES = ['CRITICAL', 'ACKNOWLEDGED', 'RESOLVED', 'ERROR', 'WARNING', 'INFO'];

const zendutyExecution: PoolTask = {
  async run(task, ctx) {
    const { summary, extras } = summaryOf(task, ctx);
    const map = zendutyTemplatePayload(summary, extras);
    for (const [prop, key] of [['message', 'message'], ['summary', 'summary'], ['entityId', 'entity_id']] as const) {
      const v = opt(task, ctx, prop);
      if (v !== undefined) map[key] = v;
    }
    const alertType = opt(task, ctx, 'alertType');
    if (alertType !== undefined) {
      if (!ZENDUTY_ALERT_TYPES.includes(alertType.toUpperCase())) throw new Error(`Invalid alertType '${alertType}': expected one of ${ZENDUTY_ALERT_TYPES.join(', ')}`);
      map.alert_type = alertType.toLowerCase();
    }
    if (Array.isArray(task.props.urls) && task.props.urls.length > 0) map.urls = task.props.urls.map((u) => ctx.render(String(u)));
    await post(task, ctx, 'Zenduty', ctx.render(JSON.stringify(map)));
    return { outputs: {} };
  },
};

/** The pool behaviour of each notification type, by its name under `io.kestra.plugin.notifications.`. */
export const NOTIFICATION_TASKS: Readonly<Record<string, PoolTask>> = {
  'slack.SlackIncomingWebhook': incomingWebhook('Slack'),
  'discord.DiscordIncomingWebhook': incomingWebhook('Discord'),
  'teams.TeamsIncomingWebhook': incomingWebhook('Microsoft Teams'),
  'google.GoogleChatIncomingWebhook': incomingWebhook('Google Chat'),
  'zulip.ZulipIncomingWebhook': incomingWebhook('Zulip'),
  'whatsapp.WhatsAppIncomingWebhook': incomingWebhook('WhatsApp'),
  'slack.SlackExecution': slackExecution,
  'discord.DiscordExecution': discordExecution,
  'teams.TeamsExecution': teamsExecution,
  'google.GoogleChatExecution': googleChatExecution,
  'sentry.SentryAlert': sentryAlert,
  'sentry.SentryExecution': sentryExecution,
  'zenduty.ZendutyAlert': zendutyAlert,
  'zenduty.ZendutyExecution': zendutyExecution,
};

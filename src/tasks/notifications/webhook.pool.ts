/**
 * The webhook notification tasks of plugin-notifications 0.20: each is one `POST url` of a JSON
 * payload (`application/json`), a status ≥ 400 failing the task with its reason phrase, no
 * outputs. `*IncomingWebhook` sends `payload` rendered twice (as Kestra); `*Execution` builds the
 * payload from the execution summary (./summary.ts, ./payloads.ts). The URL is never logged: it
 * holds the webhook's secret; errors name only its host and first path segment.
 */
import type { Task } from '../../model/flow.js';
import { exchange, readBody } from '../http/client.pool.js';
import { httpSettings, NOTIFICATION_OPTIONS, redactUrl } from '../http/options.js';
import { statusError } from '../http/request.pool.js';
import type { PoolTask, RunnableContext } from '../run-spec.js';
import { discordEmbed, discordPayload, discordSummaryEmbed, googleChatPayload, slackPayload, teamsPayload, type DiscordEmbed, type SummaryExtras } from './payloads.js';
import { summarize, type ExecutionSummary, type SummarySource } from './summary.js';

/** Posts `payload` to the task's `url`. */
async function post(task: Task, ctx: RunnableContext, service: string, payload: string | undefined): Promise<void> {
  const text = ctx.render(String(task.props.url ?? ''));
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
};

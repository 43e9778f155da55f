/**
 * The webhook tasks of Kestra's plugin-notifications 0.20 whose whole behaviour is one HTTP POST
 * (./webhook.pool.ts): the `*IncomingWebhook` tasks (a payload of your own), Sentry's and
 * Zenduty's `*Alert` tasks, and the `*Execution` tasks (a summary of an execution). docs/reference/http.md, "Notifications".
 */
import type { TypeDefinition } from '../definition.js';

const PREFIX = 'io.kestra.plugin.notifications.';

/** Properties of every webhook task (`AbstractHttpOptionsTask` + the webhook's `url` and `payload`). */
const WEBHOOK_PROPS = { url: 'string!', payload: 'string', options: 'map' };
/** SentryAlert's properties: the DSN instead of a URL. */
const SENTRY_PROPS = { dsn: 'string!', endpointType: 'string', payload: 'string', options: 'map' };
/** `ExecutionInterface`: which execution, and what to add to its summary. */
const EXECUTION_PROPS = { executionId: 'string', customFields: 'map', customMessage: 'string' };
/** What an execution summary reads beyond the task's templates: the execution, its flow, a Flow trigger, its ERROR lines. */
const SUMMARY_READS = ['flow', 'execution', 'trigger', 'errorLogs'];

function notification(name: string, props: Record<string, string>, summary: string, reads?: readonly string[]): TypeDefinition {
  return {
    type: `${PREFIX}${name}`,
    category: 'task',
    kind: 'runnable',
    props,
    summary,
    ...(reads ? { reads } : {}),
    behaviour: { runs: 'pool', load: async () => (await import('./webhook.pool.js')).NOTIFICATION_TASKS[name]! },
  };
}

function incoming(name: string, service: string): TypeDefinition {
  return notification(name, WEBHOOK_PROPS, `POST \`payload\` (rendered twice) as JSON to a ${service} incoming webhook \`url\``);
}

export const NOTIFICATION_TASKS: readonly TypeDefinition[] = [
  incoming('slack.SlackIncomingWebhook', 'Slack (or Mattermost, Rocket.Chat)'),
  incoming('discord.DiscordIncomingWebhook', 'Discord'),
  incoming('teams.TeamsIncomingWebhook', 'Microsoft Teams'),
  incoming('google.GoogleChatIncomingWebhook', 'Google Chat'),
  incoming('zulip.ZulipIncomingWebhook', 'Zulip'),
  incoming('whatsapp.WhatsAppIncomingWebhook', 'WhatsApp'),
  notification('slack.SlackExecution', { ...WEBHOOK_PROPS, ...EXECUTION_PROPS, channel: 'string', username: 'string', iconUrl: 'string', iconEmoji: 'string' }, 'POST a summary of an execution to a Slack incoming webhook', SUMMARY_READS),
  notification('discord.DiscordExecution', { ...WEBHOOK_PROPS, ...EXECUTION_PROPS, username: 'string', avatarUrl: 'string', embedList: 'list', content: 'string' }, 'POST a summary of an execution (an embed) to a Discord webhook', SUMMARY_READS),
  notification('teams.TeamsExecution', { ...WEBHOOK_PROPS, ...EXECUTION_PROPS, themeColor: 'string', activityTitle: 'string', activitySubtitle: 'string' }, 'POST a summary of an execution (a MessageCard) to a Microsoft Teams webhook', SUMMARY_READS),
  notification('sentry.SentryAlert', SENTRY_PROPS, 'POST `payload` (rendered; a default event when absent) to Sentry: as an envelope (`endpointType: ENVELOPE`, the default) or an event (`STORE`); a sentry.io `dsn` gives the endpoint URL, any other `dsn` is the URL', ['flow', 'execution']),
  notification('sentry.SentryExecution', { ...SENTRY_PROPS, ...EXECUTION_PROPS, eventId: 'string', platform: 'string', level: 'string', transaction: 'string', serverName: 'string', extra: 'map', errors: 'map' }, 'POST a summary of an execution (an event with an exception) to Sentry, as SentryAlert', SUMMARY_READS),
  notification('zenduty.ZendutyAlert', WEBHOOK_PROPS, 'POST `payload` (rendered) to a Zenduty integration `url`'),
  notification('zenduty.ZendutyExecution', { ...WEBHOOK_PROPS, ...EXECUTION_PROPS, message: 'string', summary: 'string', alertType: 'string', entityId: 'string', urls: 'list' }, 'POST a summary of an execution (an event) to a Zenduty integration `url`', SUMMARY_READS),
  notification('google.GoogleChatExecution', { ...WEBHOOK_PROPS, ...EXECUTION_PROPS, text: 'string' }, 'POST a summary of an execution to a Google Chat webhook', SUMMARY_READS),
];

/**
 * The JSON messages the `*Execution` notification tasks post, shaped as plugin-notifications
 * 0.20's bundled templates shape them (Slack blocks and attachment, a Discord embed, a Teams
 * MessageCard, a Google Chat text, a Sentry event, a Zenduty event), built from an
 * {@link ExecutionSummary}. Pure.
 */
import { facts, headline, outcomeLine, type ExecutionSummary } from './summary.js';

/** The options a task adds to the summary (already rendered). */
export interface SummaryExtras {
  link?: string;
  customMessage?: string;
  customFields?: Record<string, unknown>;
}

/** SlackExecution's message, before `channel`, `username`, `icon_url`, `icon_emoji` are added. */
export function slackPayload(s: ExecutionSummary, x: SummaryExtras): Record<string, unknown> {
  const line = headline(s, x.link);
  const main: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text: line } };
  if (x.link) main.accessory = { type: 'button', text: { type: 'plain_text', text: 'Details' }, url: x.link };
  const blocks: unknown[] = [];
  if (x.customMessage !== undefined) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: x.customMessage } });
  blocks.push(main);
  const fields: unknown[] = facts(s).map(([title, value]) => ({ title, value, short: true }));
  for (const [title, value] of Object.entries(x.customFields ?? {})) fields.push({ title, value, short: true });
  const attachment: Record<string, unknown> = { color: s.state === 'SUCCESS' ? 'good' : s.state === 'WARNING' ? 'warning' : 'danger', fields };
  if (s.startDate !== undefined) {
    const ms = Date.parse(s.startDate);
    if (Number.isFinite(ms)) attachment.ts = Math.floor(ms / 1000);
  }
  return { text: line, blocks, attachments: [attachment] };
}

/** DiscordExecution's summary embed (the template's one embed). */
export function discordSummaryEmbed(s: ExecutionSummary, x: SummaryExtras): Record<string, unknown> {
  const description = `${facts(s).map(([k, v]) => `${k}: ${v}`).join('\n')} ${x.link ? `\n\n[Link to the Execution page](${x.link})` : ''}`;
  return { description, footer: { text: outcomeLine(s) } };
}

/** One `embedList` entry of a Discord task, rendered. */
export interface DiscordEmbed {
  title?: string;
  description?: string;
  websiteUrl?: string;
  thumbnail?: string;
  authorName?: string;
  color?: number[];
  footer?: string;
}

/** A Discord embed from an `embedList` entry (colour `[r, g, b]` packed into one integer). */
export function discordEmbed(e: DiscordEmbed, avatarUrl: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.title !== undefined) out.title = e.title;
  if (e.description !== undefined) out.description = e.description;
  if (e.websiteUrl !== undefined) out.url = e.websiteUrl;
  if (e.thumbnail !== undefined) out.thumbnail = { url: e.thumbnail };
  if (e.authorName !== undefined) out.author = { name: e.authorName, url: e.websiteUrl ?? null, icon_url: avatarUrl ?? null };
  if (e.color !== undefined) out.color = e.color.length >= 3 ? ((Number(e.color[0]) << 16) + (Number(e.color[1]) << 8) + Number(e.color[2])) : 0;
  if (e.footer !== undefined) out.footer = { text: e.footer };
  return out;
}

/** Discord's message: the summary embed merged into the first of `embedList` (as Kestra), then username, avatar, tts, content. */
export function discordPayload(summaryEmbed: Record<string, unknown>, o: { username?: string; avatarUrl?: string; embeds?: Array<Record<string, unknown>>; content?: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (o.username !== undefined) out.username = o.username;
  if (o.avatarUrl !== undefined) out.avatar_url = o.avatarUrl;
  out.tts = false;
  if (o.embeds && o.embeds.length > 0) {
    const embeds = o.embeds.map((e) => ({ ...e }));
    Object.assign(embeds[0]!, summaryEmbed);
    out.embeds = embeds;
  } else out.embeds = [summaryEmbed];
  if (o.content !== undefined) out.content = o.content;
  return out;
}

/** TeamsExecution's MessageCard. */
export function teamsPayload(s: ExecutionSummary, x: SummaryExtras & { themeColor: string; activityTitle?: string; activitySubtitle?: string }): Record<string, unknown> {
  const section: Record<string, unknown> = {};
  if (x.activityTitle !== undefined) section.activityTitle = x.activityTitle;
  if (x.activitySubtitle !== undefined) section.activitySubtitle = x.activitySubtitle;
  section.facts = facts(s).map(([name, value]) => ({ name, value }));
  section.markdown = true;
  return { '@type': 'MessageCard', '@context': 'http://schema.org/extensions', themeColor: x.themeColor, summary: headline(s, x.link), sections: [section] };
}

/** GoogleChatExecution's message. */
export function googleChatPayload(s: ExecutionSummary, x: SummaryExtras): Record<string, unknown> {
  const list = facts(s).map(([k, v]) => `${k} ${v}`).join(', ');
  return { text: `Kestra Google notification: ${list}. ${headline(s, x.link)}` };
}

/** `Failed on task \`t\` after <duration>`, as the Sentry template writes it (the id empty when none failed). */
function failedOnLine(s: ExecutionSummary): string {
  return `Failed on task \`${s.failedTaskId === false || s.failedTaskId === undefined ? '' : s.failedTaskId}\` after ${s.duration ?? ''}`;
}

/** What SentryExecution's template gives before the task's own fields are put over it. */
export function sentryTemplatePayload(s: ExecutionSummary, x: SummaryExtras): Record<string, unknown> {
  return {
    exception: { values: [{ type: `${s.flowId} ➛ ${s.state}`, value: failedOnLine(s), module: s.namespace, stacktrace: {} }] },
    extra: { ...Object.fromEntries(facts(s)), Link: x.link ?? '' },
  };
}

/** What ZendutyExecution's template gives before the task's own fields are put over it. */
export function zendutyTemplatePayload(s: ExecutionSummary, x: SummaryExtras): Record<string, unknown> {
  return {
    message: 'Kestra workflow execution',
    alert_type: s.failedTaskId === false ? 'resolved' : 'error',
    entity_id: s.id,
    urls: [{ link_url: x.link ?? '', link_text: 'Execution link' }],
    payload: { ...Object.fromEntries(facts(s)), Duration: s.duration ?? '' },
    summary: `Kestra workflow execution ${s.id} of a flow ${s.flowId} in the namespace ${s.namespace} changed status to ${s.state}`,
  };
}

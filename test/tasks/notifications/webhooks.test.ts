/** The webhook notification tasks against a real HTTP server on 127.0.0.1 (never the internet). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../../helpers/engine.js';
import { startServer, type TestServer } from '../http/server.js';
import { formatDurationHms, summarize } from '../../../src/tasks/notifications/summary.js';
import { sentryUrl } from '../../../src/tasks/notifications/webhook.pool.js';

let engine: Engine;
let dispose: () => Promise<void>;
let server: TestServer;
const SECRET_PATH = '/services/T000/B000/XXXXSECRETXXXX';

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
  server = await startServer({
    '/services/': (_req, res) => res.writeHead(200).end('ok'),
    '/gone/': (_req, res) => res.writeHead(404, 'No Such Hook').end('no_service'),
    '/busy/': (_req, res) => res.writeHead(503, 'Busy').end('later'),
  });
});
afterAll(async () => {
  await server.close();
  await dispose();
});

async function run(id: string, body: string) {
  const x = await runFlow(engine, `id: ${id}\nnamespace: notify.test\n${body}`);
  const logs = engine.logs(x.id);
  return { x, logs, errors: logs.filter((l) => l.level === 'ERROR').map((l) => l.message) };
}

function json(prefix: string) {
  return server.next(prefix).then((r) => ({ ...r, json: JSON.parse(r.body.toString()) as Record<string, unknown> }));
}

describe('incoming webhooks', () => {
  it('SlackIncomingWebhook POSTs the payload rendered twice as application/json; no outputs; the URL is never logged', async () => {
    const url = `${server.url}${SECRET_PATH}/slack1`;
    const got = json(`${SECRET_PATH}/slack1`);
    const { x, logs } = await run('slack', `variables:\n  tpl: "{{ flow.id }}"\ntasks:
  - id: n
    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook
    url: "${url}"
    payload: |
      {"text": "Failure alert for flow {{ flow.namespace }}.{{ flow.id }} with ID {{ execution.id }}", "twice": "{{ vars.tpl }}"}
`);
    expect(x.state.current).toBe('SUCCESS');
    const r = await got;
    expect(r.method).toBe('POST');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.json).toEqual({ text: `Failure alert for flow notify.test.slack with ID ${x.id}`, twice: 'slack' });
    expect(x.taskRunList![0]!.outputs ?? {}).toEqual({});
    expect(logs.every((l) => !l.message.includes('XXXXSECRETXXXX'))).toBe(true);
  });

  it.each([
    ['discord.DiscordIncomingWebhook'],
    ['teams.TeamsIncomingWebhook'],
    ['google.GoogleChatIncomingWebhook'],
    ['zulip.ZulipIncomingWebhook'],
    ['whatsapp.WhatsAppIncomingWebhook'],
  ])('%s POSTs its payload the same way', async (type) => {
    const path = `${SECRET_PATH}/${type}`;
    const got = json(path);
    const { x } = await run(type.split('.')[1]!.toLowerCase(), `tasks:\n  - id: n\n    type: io.kestra.plugin.notifications.${type}\n    url: "${server.url}${path}"\n    payload: '{"content": "{{ flow.id }}"}'\n`);
    expect(x.state.current).toBe('SUCCESS');
    expect((await got).json).toEqual({ content: type.split('.')[1]!.toLowerCase() });
  });

  it('a status ≥ 400 fails with the reason phrase, and neither the error nor the logs show the secret path', async () => {
    const { x, errors, logs } = await run('gone', `tasks:\n  - id: n\n    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook\n    url: "${server.url}/gone/T1/B1/SECRETTOKEN"\n    payload: '{"text": "x"}'\n`);
    expect(x.state.current).toBe('FAILED');
    expect(errors).toEqual(['No Such Hook']);
    expect(logs.every((l) => !l.message.includes('SECRETTOKEN'))).toBe(true);
  });

  it('an unreachable webhook fails naming only the host and first path segment', async () => {
    const closed = await startServer({});
    await closed.close();
    const { errors } = await run('down', `tasks:\n  - id: n\n    type: io.kestra.plugin.notifications.slack.SlackIncomingWebhook\n    url: "${closed.url}/services/T1/SECRETTOKEN"\n    payload: '{}'\n    options:\n      connectTimeout: PT5S\n`);
    expect(errors[0]).toMatch(/^Unable to reach http:\/\/127\.0\.0\.1:\d+\/services\/\*\*\*: /);
    expect(errors[0]).not.toContain('SECRETTOKEN');
  });
});

describe('execution summaries', () => {
  it('SlackExecution in an errors branch: the current execution, RUNNING, failed on the task that logged the error', async () => {
    const got = json(`${SECRET_PATH}/slackexec`);
    const { x } = await run('slackexec', `tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
errors:
  - id: alert
    type: io.kestra.plugin.notifications.slack.SlackExecution
    url: "${server.url}${SECRET_PATH}/slackexec"
    channel: "#general"
    username: Troupe
    iconEmoji: ":robot_face:"
    customMessage: "see {{ flow.id }}"
    customFields:
      env: prod
`);
    expect(x.state.current).toBe('FAILED');
    const alert = x.taskRunList!.find((t) => t.taskId === 'alert')!;
    expect(alert.state.current).toBe('SUCCESS');
    const p = (await got).json as { text: string; blocks: unknown[]; attachments: Array<{ color: string; fields: unknown[]; ts: number }>; channel: string; username: string; icon_emoji: string };
    expect(p.text).toMatch(/^\*\[notify\.test\] slackexec ➛ RUNNING\*\n> Failed on task `boom` after \d+:\d\d:\d\d\.\d{3}$/);
    expect(p.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'see slackexec' } }, { type: 'section', text: { type: 'mrkdwn', text: p.text } }]);
    expect(p.attachments[0]!.color).toBe('danger');
    expect(p.attachments[0]!.fields).toEqual([
      { title: 'Namespace', value: 'notify.test', short: true },
      { title: 'Flow ID', value: 'slackexec', short: true },
      { title: 'Execution ID', value: x.id, short: true },
      { title: 'Execution Status', value: 'RUNNING', short: true },
      { title: 'env', value: 'prod', short: true },
    ]);
    expect(p.attachments[0]!.ts).toBe(Math.floor(Date.parse(x.state.histories[0]!.date) / 1000));
    expect([p.channel, p.username, p.icon_emoji]).toEqual(['#general', 'Troupe', ':robot_face:']);
  });

  it('DiscordExecution merges the summary embed into the first embedList entry; Teams and Google Chat send their cards', async () => {
    const d = json(`${SECRET_PATH}/discord-exec`);
    const t = json(`${SECRET_PATH}/teams-exec`);
    const g = json(`${SECRET_PATH}/google-exec`);
    const { x } = await run('cards', `tasks:
  - id: d
    type: io.kestra.plugin.notifications.discord.DiscordExecution
    url: "${server.url}${SECRET_PATH}/discord-exec"
    username: MyUsername
    embedList:
      - title: Discord Notification
        color: [255, 0, 1]
  - id: t
    type: io.kestra.plugin.notifications.teams.TeamsExecution
    url: "${server.url}${SECRET_PATH}/teams-exec"
    activityTitle: Kestra
  - id: g
    type: io.kestra.plugin.notifications.google.GoogleChatExecution
    url: "${server.url}${SECRET_PATH}/google-exec"
`);
    expect(x.state.current).toBe('SUCCESS');
    const discord = (await d).json as { username: string; tts: boolean; embeds: Array<Record<string, unknown>> };
    expect(discord.username).toBe('MyUsername');
    expect(discord.tts).toBe(false);
    expect(discord.embeds).toHaveLength(1);
    expect(discord.embeds[0]).toMatchObject({ title: 'Discord Notification', color: 0xff0001, description: `Namespace: notify.test\nFlow ID: cards\nExecution ID: ${x.id}\nExecution Status: RUNNING ` });
    expect((discord.embeds[0]!.footer as { text: string }).text).toMatch(/^Succeeded after \d+:\d\d:\d\d\.\d{3}$/);
    const teams = (await t).json as { themeColor: string; summary: string; sections: Array<{ activityTitle: string; facts: unknown[] }> };
    expect(teams).toMatchObject({ '@type': 'MessageCard', themeColor: '0076D7' });
    expect(teams.summary).toMatch(/^\*\[notify\.test\] cards ➛ RUNNING\*\n> Succeeded after /);
    expect(teams.sections[0]!.activityTitle).toBe('Kestra');
    expect(teams.sections[0]!.facts).toHaveLength(4);
    const google = (await g).json as { text: string };
    expect(google.text).toMatch(new RegExp(`^Kestra Google notification: Namespace notify\\.test, Flow ID cards, Execution ID ${x.id}, Execution Status RUNNING\\. \\*\\[notify\\.test\\] cards ➛ RUNNING\\*\\n> Succeeded after `));
  });

  it('SentryAlert posts an envelope (header line with the DSN as written, item line with the length, the payload rendered once) to a non-sentry.io DSN as its URL', async () => {
    const got = server.next(`${SECRET_PATH}/sentry`);
    const byDefault = server.next(`${SECRET_PATH}/sentry-default`);
    const { x } = await run('sentry', `tasks:
  - id: fail
    type: io.kestra.plugin.core.execution.Fail
errors:
  - id: alert
    type: io.kestra.plugin.notifications.sentry.SentryAlert
    dsn: "${server.url}${SECRET_PATH}/sentry{{ '' }}"
    payload: '{"level": "error", "transaction": "/execution/id/{{ execution.id }}", "extra": {"Flow ID": "{{ flow.id }}"}}'
  - id: default
    type: io.kestra.plugin.notifications.sentry.SentryAlert
    dsn: "${server.url}${SECRET_PATH}/sentry-default"
`);
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList!.find((t) => t.taskId === 'alert')!.state.current).toBe('SUCCESS');
    const lines = (await got).body.toString().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const header = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(header).toMatchObject({ dsn: `${server.url}${SECRET_PATH}/sentry{{ '' }}`, sdk: { name: 'java', version: '7' } });
    expect(header.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(lines[1]!)).toEqual({ type: 'event', length: lines[2]!.length, content_type: 'application/json', filename: 'application.log' });
    expect(JSON.parse(lines[2]!)).toEqual({ level: 'error', transaction: `/execution/id/${x.id}`, extra: { 'Flow ID': 'sentry' } });
    const event = JSON.parse((await byDefault).body.toString().split('\n').slice(2).join('\n')) as Record<string, unknown>;
    expect(event).toEqual({ timestamp: x.state.histories[0]!.date, platform: 'java', level: 'error', message: { message: `Execution ${x.id} failed` }, extra: { Namespace: 'notify.test', 'Flow ID': 'sentry', 'Execution ID': x.id } });
  });

  it('SentryExecution (STORE) posts the event with the exception and the task\'s fields; only 401/404 of the envelope endpoint fail', async () => {
    const got = json(`${SECRET_PATH}/sentry-store`);
    const { x } = await run('sentryexec', `tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
errors:
  - id: alert
    type: io.kestra.plugin.notifications.sentry.SentryExecution
    dsn: "${server.url}${SECRET_PATH}/sentry-store"
    endpointType: STORE
    level: WARNING
    transaction: "/execution/id/{{ execution.id }}"
    extra:
      team: data
  - id: busy
    type: io.kestra.plugin.notifications.sentry.SentryAlert
    dsn: "${server.url}/busy/x"
  - id: gone
    type: io.kestra.plugin.notifications.sentry.SentryAlert
    dsn: "${server.url}/gone/x"
`);
    const p = (await got).json;
    expect(p).toMatchObject({ platform: 'java', level: 'warning', transaction: `/execution/id/${x.id}`, extra: { Namespace: 'notify.test', 'Flow ID': 'sentryexec', 'Execution ID': x.id, 'Execution Status': 'RUNNING', Link: '', team: 'data' } });
    expect(p.event_id).toMatch(/^[0-9a-f]{32}$/);
    const exception = (p.exception as { values: Array<Record<string, unknown>> }).values[0]!;
    expect(exception).toMatchObject({ type: 'sentryexec ➛ RUNNING', module: 'notify.test', stacktrace: {} });
    expect(exception.value).toMatch(/^Failed on task `boom` after \d+:\d\d:\d\d\.\d{3}$/);
    const state = (id: string): string => x.taskRunList!.find((t) => t.taskId === id)!.state.current;
    expect([state('alert'), state('busy'), state('gone')]).toEqual(['SUCCESS', 'SUCCESS', 'FAILED']);
    const logs = engine.logs(x.id);
    expect(logs.some((l) => l.taskId === 'busy' && l.level === 'WARN' && l.message.startsWith('Sentry answered 503 Busy'))).toBe(true);
    expect(logs.some((l) => l.taskId === 'gone' && l.message.includes('configure the store endpoint'))).toBe(true);
    expect(sentryUrl('https://abc123@o42.ingest.sentry.io/77', 'ENVELOPE')).toBe('https://o42.ingest.sentry.io/api/77/envelope/?sentry_version=7&sentry_client=java&sentry_key=abc123');
    expect(sentryUrl('https://abc123@o42.ingest.sentry.io/77', 'STORE')).toBe('https://o42.ingest.sentry.io/api/77/store/?sentry_version=7&sentry_client=java&sentry_key=abc123');
  });

  it('ZendutyAlert posts its payload rendered once; ZendutyExecution the template event with the task\'s fields over it', async () => {
    const a = json(`${SECRET_PATH}/zenduty-alert`);
    const e = json(`${SECRET_PATH}/zenduty-exec`);
    const { x } = await run('zenduty', `tasks:
  - id: a
    type: io.kestra.plugin.notifications.zenduty.ZendutyAlert
    url: "${server.url}${SECRET_PATH}/zenduty-alert"
    payload: '{"alert_type": "info", "message": "{{ flow.id }}"}'
  - id: e
    type: io.kestra.plugin.notifications.zenduty.ZendutyExecution
    url: "${server.url}${SECRET_PATH}/zenduty-exec"
    message: "run {{ execution.id }}"
    alertType: WARNING
    urls: ["https://example.invalid/{{ flow.id }}"]
`);
    expect(x.state.current).toBe('SUCCESS');
    expect((await a).json).toEqual({ alert_type: 'info', message: 'zenduty' });
    const p = (await e).json;
    expect(p).toMatchObject({ message: `run ${x.id}`, alert_type: 'warning', entity_id: x.id, urls: ['https://example.invalid/zenduty'], payload: { Namespace: 'notify.test', 'Flow ID': 'zenduty', 'Execution ID': x.id, 'Execution Status': 'RUNNING' } });
    expect(p.summary).toBe(`Kestra workflow execution ${x.id} of a flow zenduty in the namespace notify.test changed status to RUNNING`);
  });

  it('an executionId that is neither the current execution nor a Flow trigger\'s fails clearly', async () => {
    const { x, errors } = await run('otherexec', `tasks:\n  - id: n\n    type: io.kestra.plugin.notifications.slack.SlackExecution\n    url: "${server.url}${SECRET_PATH}/none"\n    executionId: nope\n`);
    expect(x.state.current).toBe('FAILED');
    expect(errors[0]).toMatch(/^Unable to find execution 'nope': Troupe summarizes the current execution or the one a Flow trigger names/);
  });

  it('summarize: a Flow trigger\'s execution from the trigger variables; durations as H:mm:ss.SSS', () => {
    const s = summarize('e1', { execution: { id: 'me' }, trigger: { executionId: 'e1', namespace: 'prod', flowId: 'etl', state: 'FAILED' } }, 0);
    expect(s).toEqual({ id: 'e1', namespace: 'prod', flowId: 'etl', state: 'FAILED' });
    expect(summarize('e1', { trigger: { executionId: 'e1', namespace: 'prod', flowId: 'etl', state: 'WARNING' } }, 0).failedTaskId).toBe(false);
    expect(formatDurationHms(3_723_045)).toBe('1:02:03.045');
    expect(formatDurationHms(5)).toBe('0:00:00.005');
  });
});

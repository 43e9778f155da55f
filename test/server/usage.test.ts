/**
 * `GET /api/v1/usages/all` (kestra-api.md §10): Kestra's Usage record from what the store holds —
 * flows (count, namespaces, top-level task, trigger and task-runner types), executions of
 * yesterday and today by state, plugins, host and storage kinds — and never a secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, openTestApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const SCHEDULED = `id: nightly
namespace: team.ops
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: inner
        type: io.kestra.plugin.core.log.Log
        message: not counted (inside a flowable)
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    commands:
      - echo hi
errors:
  - id: alert
    type: io.kestra.plugin.core.log.Log
    message: failed
triggers:
  - id: cron
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 3 * * *"
`;

const FAILING = `id: failing
namespace: test.api
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
`;

describe('GET /api/v1/usages/all', () => {
  it("answers Kestra's Usage record from the store, under both prefixes", async () => {
    t = await openTestApp({ http: { publicUrl: 'https://troupe.example' } });
    const { app, engine } = t;
    await engine.deploy(LOG_FLOW);
    await engine.deploy(SCHEDULED);
    await engine.deploy(FAILING);
    await engine.deploy(FAILING.replace('id: failing', 'id: dropped'));
    await engine.deleteFlow('test.api', 'dropped');
    for (const flow of ['hello', 'hello', 'failing']) await engine.waitFor(await engine.execute('test.api', flow, {}));

    const res = await app.inject({ url: '/api/v1/usages/all' });
    expect(res.statusCode).toBe(200);
    const u = res.json();
    expect(Object.keys(u)).toEqual(['uuid', 'startUuid', 'instanceUuid', 'serverType', 'version', 'zoneId', 'uri', 'startTime', 'host', 'configurations', 'plugins', 'flows', 'executions']);
    expect(u).toMatchObject({ instanceUuid: 'test-instance', serverType: 'STANDALONE', version: '0.0.0-test', uri: 'https://troupe.example', configurations: { repositoryType: 'lmdb', storageType: 'local' } });
    expect(u.zoneId).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(Date.parse(u.startTime)).toBeLessThanOrEqual(Date.now());

    expect(u.flows).toEqual({
      count: 3,
      namespacesCount: 2,
      taskTypeCount: { 'io.kestra.plugin.core.execution.Fail': 1, 'io.kestra.plugin.core.flow.Parallel': 1, 'io.kestra.plugin.core.log.Log': 2, 'io.kestra.plugin.scripts.shell.Commands': 1 },
      triggerTypeCount: { 'io.kestra.plugin.core.trigger.Schedule': 1 },
      taskRunnerTypeCount: { 'io.kestra.plugin.core.runner.Process': 1 },
    });

    const days = u.executions.dailyExecutionsCount;
    expect(days).toHaveLength(2);
    const [yesterday, today] = days;
    expect(Date.parse(today.startDate) - Date.parse(yesterday.startDate)).toBeGreaterThanOrEqual(23 * 3_600_000);
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    expect(Date.parse(today.startDate)).toBe(midnight.getTime());
    // Executions just run start today (unless midnight passed meanwhile: then yesterday).
    const counted = yesterday.duration.count + today.duration.count;
    expect(counted).toBe(3);
    const busy = today.duration.count ? today : yesterday;
    expect(busy).toMatchObject({ groupBy: 'day', executionCounts: { SUCCESS: 2, FAILED: 1, RUNNING: 0, CREATED: 0, QUEUED: 0 } });
    expect(busy.duration).toMatchObject({ count: 3, min: expect.stringMatching(/^PT/), avg: expect.stringMatching(/^PT/), max: expect.stringMatching(/^PT/), sum: expect.stringMatching(/^PT/) });
    expect(Object.keys(busy)).toEqual(['startDate', 'duration', 'executionCounts', 'groupBy']);
    if (!yesterday.duration.count) expect(yesterday.duration).toEqual({ count: 0 });

    expect(u.plugins.length).toBeGreaterThan(0);
    expect(u.plugins.map((p: { manifest: Record<string, string> }) => p.manifest['X-Kestra-Group'])).toContain('io.kestra.plugin.core');
    for (const p of u.plugins) expect(Object.keys(p.manifest).every((k) => k.startsWith('X-Kestra'))).toBe(true);

    expect(u.host.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(u.host.hardware.logicalProcessorCount).toBeGreaterThan(0);
    expect(u.host.hardware.physicalProcessorCount).toBeGreaterThan(0);
    expect(u.host.hardware.memory).toBeGreaterThan(0);
    expect(typeof u.host.hardware.knownDockerMacAddr).toBe('boolean');
    expect(u.host.os.family).toEqual(expect.any(String));
    expect(u.host.jvm).toEqual({ name: 'Node.js', vendor: 'OpenJS Foundation', version: process.versions.node });

    // A new uuid per answer, the same instance and start; the tenant form answers the same record.
    const again = (await app.inject({ url: '/api/v1/main/usages/all' })).json();
    expect(again.uuid).not.toBe(u.uuid);
    expect(again.startUuid).toBe(u.startUuid);
    expect(again.flows).toEqual(u.flows);
  });

  it('holds no secret and no environment variable, and needs credentials when auth is on', async () => {
    process.env['SECRET_USAGE_TEST'] = Buffer.from('hunter2-usage').toString('base64');
    process.env['TROUPE_USAGE_MARKER'] = 'env-marker-value-42';
    try {
      t = await openTestApp({ auth: { basic: { username: 'admin@troupe.dev', password: 'usage-pass' }, token: 'usage-token' } });
      const { app } = t;
      expect((await app.inject({ url: '/api/v1/usages/all' })).statusCode).toBe(401);
      const res = await app.inject({ url: '/api/v1/usages/all', headers: { authorization: 'Bearer usage-token' } });
      expect(res.statusCode).toBe(200);
      for (const secret of ['hunter2-usage', 'env-marker-value-42', 'SECRET_', 'usage-pass', 'usage-token', 'admin@troupe.dev', t.dataDir]) expect(res.body).not.toContain(secret);
    } finally {
      delete process.env['SECRET_USAGE_TEST'];
      delete process.env['TROUPE_USAGE_MARKER'];
    }
  });
});

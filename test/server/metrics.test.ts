import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, PAUSE_FLOW, openTestApp, waitState, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** The value of one sample line (`name{labels} value`) of a Prometheus text body. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics and /prometheus', () => {
  it('count executions by state, task runs, commits, queues, HTTP requests and the event loop', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(LOG_FLOW);
    await engine.deploy(PAUSE_FLOW);
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?wait=true' });
      expect(res.statusCode).toBe(200);
    }
    const paused = await engine.execute('test.api', 'pausing');
    await waitState(engine, paused, 'PAUSED');

    for (const url of ['/metrics', '/prometheus']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = res.body;
      expect(sample(text, 'troupe_engine_up')).toBe(1);
      expect(sample(text, 'troupe_executions_created_total')).toBe(4);
      expect(sample(text, 'troupe_executions_ended_total', 'state="SUCCESS"')).toBe(3);
      expect(sample(text, 'troupe_executions', 'state="PAUSED"')).toBe(1);
      expect(sample(text, 'troupe_taskruns_ended_total')).toBe(3);
      expect(sample(text, 'troupe_task_attempts_dispatched_total')).toBe(3);
      expect(sample(text, 'troupe_shard_mailbox_depth', 'shard="0"')).toBe(0);
      expect(sample(text, 'troupe_pool_queue_depth', 'shard="0"')).toBe(0);
      expect(sample(text, 'troupe_pool_in_flight', 'shard="0"')).toBe(0);
      const commits = sample(text, 'troupe_commit_latency_seconds_count')!;
      expect(commits).toBeGreaterThan(0);
      expect(sample(text, 'troupe_commit_latency_seconds_bucket', 'le="+Inf"')).toBe(commits);
      expect(sample(text, 'troupe_commits_total')).toBeGreaterThanOrEqual(commits);
      expect(sample(text, 'troupe_http_requests_total', 'method="POST",route="/api/v1/executions/:namespace/:flowId",status="200"')).toBe(3);
      expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    }
    // A second scrape adds only what grew since the first.
    const again = (await app.inject({ url: '/metrics' })).body;
    expect(sample(again, 'troupe_executions_created_total')).toBe(4);
    expect(sample(again, 'troupe_executions_ended_total', 'state="SUCCESS"')).toBe(3);
  });

  it('are open without credentials, as Kestra keeps its management endpoints', async () => {
    t = await openTestApp({ auth: { token: 'tok' } });
    expect((await t.app.inject({ url: '/api/v1/flows/search' })).statusCode).toBe(401);
    for (const url of ['/metrics', '/prometheus']) expect((await t.app.inject({ url })).statusCode, url).toBe(200);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, openTestApp, PAUSE_FLOW, streamsOpen, waitState, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});
async function open(...flows: string[]): Promise<TestApp> {
  t = await openTestApp();
  for (const f of flows) await t.engine.deploy(f);
  return t;
}

/** The frames of an SSE body: `[id, parsed data]`. */
function frames(body: string): Array<[string, { id: string; state: { current: string } }]> {
  return body
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((f) => {
      const lines = f.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^id: (progress|end)$/);
      return [lines[0]!.slice(4), JSON.parse(lines[1]!.slice(6))];
    });
}

describe('GET /executions/{id}/follow', () => {
  it('sends one end frame for a terminated execution', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const id = await engine.execute('test.api', 'hello');
    await engine.waitFor(id);
    const res = await app.inject({ url: `/api/v1/executions/${id}/follow` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    const f = frames(res.body);
    expect(f.map(([k]) => k)).toEqual(['end']);
    expect(f[0]![1]).toMatchObject({ id, state: { current: 'SUCCESS' } });
  });

  it('sends progress frames as it changes, then progress and end with the same terminated execution', async () => {
    const { app, engine, followers } = await open(PAUSE_FLOW);
    const id = await engine.execute('test.api', 'pausing');
    await waitState(engine, id, 'PAUSED');
    const following = app.inject({ url: `/api/v1/main/executions/${id}/follow` });
    await streamsOpen(followers, 1);
    await engine.resume(id, { approved: 'true' });
    const res = await following;
    const f = frames(res.body);
    expect(f[0]![0]).toBe('progress');
    expect(f[0]![1].state.current).toBe('PAUSED');
    expect(f.slice(0, -1).every(([k]) => k === 'progress')).toBe(true);
    const [lastKind, last] = f.at(-1)!;
    const [beforeKind, before] = f.at(-2)!;
    expect([beforeKind, lastKind]).toEqual(['progress', 'end']);
    expect(last).toEqual(before);
    expect(last.state.current).toBe('SUCCESS');
  });

  it('answers 404 in Kestra shape when the execution never appears', async () => {
    const { app } = await open();
    const res = await app.inject({ url: '/api/v1/executions/nope/follow' });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('Not Found: Unable to find the execution nope');
  });
});

describe('GET /logs/{executionId}', () => {
  const MANY = `id: levels
namespace: test.api
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: b
    type: io.kestra.plugin.core.log.Log
    level: WARN
    message: second
`;

  it('lists log lines in order, filtered by minLevel and taskId; unknown id gives []', async () => {
    const { app, engine } = await open(MANY);
    const id = await engine.execute('test.api', 'levels');
    await engine.waitFor(id);
    const all = await app.inject({ url: `/api/v1/logs/${id}` });
    expect(all.statusCode).toBe(200);
    expect(all.json().map((l: { message: string }) => l.message)).toEqual(['first', 'second']);
    expect(all.json()[0]).toMatchObject({ namespace: 'test.api', flowId: 'levels', taskId: 'a', executionId: id, level: 'INFO', deleted: false });
    expect(all.json()[0]).toHaveProperty('attemptNumber');
    expect((await app.inject({ url: `/api/v1/logs/${id}?minLevel=WARN` })).json().map((l: { message: string }) => l.message)).toEqual(['second']);
    expect((await app.inject({ url: `/api/v1/logs/${id}?taskId=a` })).json().map((l: { message: string }) => l.message)).toEqual(['first']);
    const taskRunId = all.json()[1].taskRunId;
    expect((await app.inject({ url: `/api/v1/logs/${id}?taskRunId=${taskRunId}` })).json()).toHaveLength(1);
    expect((await app.inject({ url: '/api/v1/logs/nope' })).json()).toEqual([]);
    expect((await app.inject({ url: `/api/v1/logs/${id}?minLevel=LOUD` })).statusCode).toBe(422);
  });

  it('downloads them as text, one line per entry, no trailing newline', async () => {
    const { app, engine } = await open(MANY);
    const id = await engine.execute('test.api', 'levels');
    await engine.waitFor(id);
    const res = await app.inject({ url: `/api/v1/logs/${id}/download` });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${id}.log"`);
    const lines = res.body.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT.* INFO first$/);
    expect(res.body.endsWith('\n')).toBe(false);
  });

  it('searches across executions newest first, filtered and paged; a bad date is a 422', async () => {
    const { app, engine } = await open(MANY, LOG_FLOW);
    const first = await engine.execute('test.api', 'levels');
    await engine.waitFor(first);
    const second = await engine.execute('test.api', 'levels');
    await engine.waitFor(second);
    const hello = await engine.execute('test.api', 'hello');
    await engine.waitFor(hello);
    const all = (await app.inject({ url: '/api/v1/logs/search?namespace=test&size=100' })).json();
    expect(all.total).toBe(5);
    expect(all.results.map((l: { message: string }) => l.message)).toEqual(['hello world', 'second', 'first', 'second', 'first']);
    expect(all.results[1].executionId).toBe(second);
    const warn = (await app.inject({ url: '/api/v1/logs/search?flowId=levels&minLevel=WARN' })).json();
    expect(warn).toMatchObject({ total: 2, results: [{ message: 'second', executionId: second }, { message: 'second', executionId: first }] });
    const paged = (await app.inject({ url: '/api/v1/logs/search?q=FIR&page=2&size=1' })).json();
    expect(paged).toMatchObject({ total: 2, results: [{ message: 'first', executionId: first }] });
    expect((await app.inject({ url: '/api/v1/logs/search?namespace=other' })).json()).toEqual({ results: [], total: 0 });
    expect((await app.inject({ url: '/api/v1/logs/search?startDate=2999-01-01T00:00:00Z' })).json().total).toBe(0);
    expect((await app.inject({ url: '/api/v1/logs/search?startDate=yesterday' })).statusCode).toBe(422);
  });

  it('deletes an execution\'s lines (with the same filters) and a flow\'s, durably', async () => {
    const { app, engine } = await open(MANY, LOG_FLOW);
    const a = await engine.execute('test.api', 'levels');
    await engine.waitFor(a);
    const b = await engine.execute('test.api', 'levels');
    await engine.waitFor(b);
    const hello = await engine.execute('test.api', 'hello');
    await engine.waitFor(hello);
    const warnOnly = await app.inject({ method: 'DELETE', url: `/api/v1/logs/${a}?minLevel=WARN` });
    expect(warnOnly.statusCode).toBe(200);
    expect(engine.logs(a).map((l) => l.message)).toEqual(['first']);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/logs/test.api/levels' })).statusCode).toBe(200);
    expect(engine.logs(a)).toEqual([]);
    expect(engine.logs(b)).toEqual([]);
    expect(engine.logs(hello).map((l) => l.message)).toEqual(['hello world']);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/logs/nope' })).statusCode).toBe(200);
  });
});

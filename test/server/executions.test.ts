import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, multipart, openTestApp, PAUSE_FLOW, waitState, type TestApp } from './helpers.js';

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

describe('POST /executions/{namespace}/{flowId}', () => {
  it('creates an execution stored before the answer, with typed multipart inputs; undeclared fields ignored', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const form = multipart({ name: 'Ada', undeclared: 'ignored' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?labels=env:prod&labels=url:+https%3A%2F%2Fx', ...form });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ namespace: 'test.api', flowId: 'hello', flowRevision: 1, inputs: { name: 'Ada' }, url: `/ui/executions/test.api/hello/${body.id}` });
    expect(body.inputs).not.toHaveProperty('undeclared');
    expect(body.labels).toEqual([{ key: 'team', value: 'core' }, { key: 'env', value: 'prod' }, { key: 'url', value: 'https://x' }, { key: 'system.correlationId', value: body.id }]);
    // Stored before the answer: the store has it already.
    expect(engine.get(body.id)).toBeDefined();
    const done = await engine.waitFor(body.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(engine.logs(body.id).map((l) => l.message)).toEqual(['hello Ada']);
  });

  it('also creates through the deprecated POST /executions/trigger/{namespace}/{flowId}', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/trigger/test.api/hello?wait=true', ...multipart({ name: 'Bob' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ namespace: 'test.api', flowId: 'hello', inputs: { name: 'Bob' }, state: { current: 'SUCCESS' } });
    expect(engine.logs(res.json().id).map((l) => l.message)).toEqual(['hello Bob']);
    expect((await app.inject({ method: 'POST', url: '/api/v1/main/executions/trigger/test.api/nope' })).statusCode).toBe(404);
  });

  it('accepts no body at all, and waits for the end with wait=true', async () => {
    const { app } = await open(LOG_FLOW);
    const res = await app.inject({ method: 'POST', url: '/api/v1/main/executions/test.api/hello?wait=true' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: { current: 'SUCCESS' }, inputs: { name: 'world' } });
    expect(res.json().state.duration).toMatch(/^PT/);
  });

  it('keeps a scheduled execution CREATED and echoes scheduleDate; refuses a bad date', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?scheduleDate=2999-01-01T00:00:00%2B01:00' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scheduleDate: '2998-12-31T23:00:00.000Z', state: { current: 'CREATED' } });
    engine.kill(res.json().id);
    await engine.waitFor(res.json().id);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?scheduleDate=tomorrow' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toMatch(/^Illegal argument: Failed to convert argument \[scheduleDate\]/);
  });

  it('answers 404 for an unknown flow or revision, 409 for a disabled one, 422 for bad inputs and system labels, 415 for JSON', async () => {
    const { app, engine } = await open(LOG_FLOW.replace('type: STRING', 'type: INT').replace('defaults: world', 'required: true'), 'id: off\nnamespace: test.api\ndisabled: true\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: x\n');
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('Not Found: Requested Flow is not found.');
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?revision=7' })).statusCode).toBe(404);
    const off = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/off' });
    expect(off.statusCode).toBe(409);
    expect(off.json().message).toBe('Illegal state: Requested Flow is disabled.');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello' });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().message).toMatch(/^Invalid entity: name: Invalid input for `name`, missing required input/);
    expect(missing.json()._embedded.errors[0].path).toBe('name');
    const notInt = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello', ...multipart({ name: 'abc' }) });
    expect(notInt.statusCode).toBe(422);
    const system = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello?labels=system.x:y', ...multipart({ name: '1' }) });
    expect(system.statusCode).toBe(422);
    expect(system.json().message).toBe('Illegal argument: System labels can only be set by Kestra itself, offending label: system.x=y');
    const json = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello', headers: { 'content-type': 'application/json' }, payload: '{"name":1}' });
    expect(json.statusCode).toBe(415);
    expect(engine.list()).toEqual([]);
  });

  it('ignores an upload no input declares', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const ignored = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/hello', ...multipart({}, [{ field: 'files', filename: 'other', content: 'x' }]) });
    expect(ignored.statusCode).toBe(200);
    await engine.waitFor(ignored.json().id);
  });
});

describe('reading and searching executions', () => {
  it('gets an execution, 404s an unknown id, and pages its task runs', async () => {
    const { app, engine } = await open(LOG_FLOW);
    const id = await engine.execute('test.api', 'hello');
    await engine.waitFor(id);
    const res = await app.inject({ url: `/api/v1/executions/${id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().taskRunList).toHaveLength(1);
    const missing = await app.inject({ url: '/api/v1/executions/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ message: 'Not Found', _links: { self: { href: '/api/v1/executions/nope', templated: false } } });
    const page = await app.inject({ url: `/api/v1/executions/${id}/taskruns?page=1&size=10` });
    expect(page.json()).toMatchObject({ total: 1, results: [{ taskId: 'log', state: { current: 'SUCCESS' } }] });
    expect((await app.inject({ url: `/api/v1/executions/${id}/taskruns?page=2&size=10` })).json()).toEqual({ results: [], total: 1 });
    expect((await app.inject({ url: '/api/v1/executions/nope/taskruns' })).statusCode).toBe(404);
  });

  it('searches with namespace prefix, flowId, state, labels, dates and paging; newest first by default', async () => {
    const { app, engine } = await open(LOG_FLOW, LOG_FLOW.replace('namespace: test.api', 'namespace: test.apix'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await engine.execute('test.api', 'hello', {}, { labels: [{ key: 'n', value: String(i) }] }));
    const other = await engine.execute('test.apix', 'hello');
    for (const id of [...ids, other]) await engine.waitFor(id);
    const all = await app.inject({ url: '/api/v1/executions/search?namespace=test.api' });
    expect(all.json().total).toBe(3);
    expect(all.json().results.map((e: { id: string }) => e.id)).toEqual([...ids].reverse());
    expect((await app.inject({ url: '/api/v1/executions/search?labels=n:1' })).json().results.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    expect((await app.inject({ url: '/api/v1/executions/search?state=SUCCESS&size=2&page=2' })).json()).toMatchObject({ total: 4 });
    expect((await app.inject({ url: '/api/v1/executions/search?state=RUNNING' })).json().total).toBe(0);
    expect((await app.inject({ url: '/api/v1/executions/search?timeRange=PT1H' })).json().total).toBe(4);
    expect((await app.inject({ url: '/api/v1/executions/search?endDate=2000-01-01T00:00Z' })).json().total).toBe(0);
    expect((await app.inject({ url: `/api/v1/executions/search?sort=id:asc` })).json().results.map((e: { id: string }) => e.id)).toEqual([...ids, other].sort());
    expect((await app.inject({ url: '/api/v1/executions?namespace=test.apix&flowId=hello' })).json().results.map((e: { id: string }) => e.id)).toEqual([other]);
    const bad = [
      '/api/v1/executions/search?startDate=2020-01-01T00:00Z&timeRange=PT1H',
      '/api/v1/executions/search?startDate=2021-01-01T00:00Z&endDate=2020-01-01T00:00Z',
      '/api/v1/executions/search?timeRange=P1Y',
      '/api/v1/executions/search?state=NOPE',
      '/api/v1/executions/search?size=0',
      '/api/v1/executions/search?sort=state.current:up',
    ];
    for (const url of bad) expect((await app.inject({ url })).statusCode, url).toBe(422);
    const required = await app.inject({ url: '/api/v1/executions?namespace=test.api' });
    expect(required.statusCode).toBe(400);
    expect(required.json().message).toBe('Bad Request: Required QueryValue [flowId] not specified');
  });
});

describe('execution actions', () => {
  it('kills a paused execution (202), is silent on a finished one, 409 with isOnKillCascade=false, 404 unknown', async () => {
    const { app, engine } = await open(PAUSE_FLOW);
    const id = await engine.execute('test.api', 'pausing');
    const killed = await app.inject({ method: 'DELETE', url: `/api/v1/executions/${id}/kill` });
    expect(killed.statusCode).toBe(202);
    expect((await engine.waitFor(id)).state.current).toBe('KILLED');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/executions/${id}/kill` })).statusCode).toBe(202);
    const strict = await app.inject({ method: 'DELETE', url: `/api/v1/executions/${id}/kill?isOnKillCascade=false` });
    expect(strict.statusCode).toBe(409);
    expect(strict.json().message).toBe("Illegal state: Execution is already finished, can't kill it");
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/executions/nope/kill' })).statusCode).toBe(404);
  });

  it('resumes a paused execution with typed onResume inputs (204); 409 when not paused; 404 unknown; 422 bad input', async () => {
    const { app, engine } = await open(PAUSE_FLOW, LOG_FLOW);
    const id = await engine.execute('test.api', 'pausing');
    await waitState(engine, id, 'PAUSED');
    const bad = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume`, ...multipart({ approved: 'true', count: 'many' }) });
    expect(bad.statusCode).toBe(422);
    const res = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume`, ...multipart({ approved: 'true' }) });
    expect(res.statusCode).toBe(204);
    const done = await engine.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    expect(engine.logs(id).map((l) => l.message)).toContain('approved true');
    const again = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume` });
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toBe(`Illegal state: Execution '${id}' is not paused, can't resume it`);
    const missing = await app.inject({ method: 'POST', url: '/api/v1/executions/nope/resume' });
    expect(missing.json().message).toBe("Not Found: Execution 'nope' not found.");
  });

  it('validates onResume inputs of a paused execution without resuming it (POST /executions/{id}/resume/validate)', async () => {
    const { app, engine } = await open(PAUSE_FLOW, LOG_FLOW);
    const id = await engine.execute('test.api', 'pausing');
    await waitState(engine, id, 'PAUSED');
    const res = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume/validate`, ...multipart({ approved: 'true', count: 'many' }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'pausing', namespace: 'test.api' });
    expect(res.json().inputs).toEqual([
      { input: { id: 'approved', type: 'BOOLEAN', required: true }, value: true, enabled: true, errors: [] },
      { input: { id: 'count', type: 'INT', required: false }, value: 'many', enabled: true, errors: [{ message: expect.stringMatching(/^Invalid input for `count`/) }] },
    ]);
    expect(engine.get(id)?.state.current).toBe('PAUSED');
    const ended = await engine.execute('test.api', 'hello');
    await engine.waitFor(ended);
    expect((await app.inject({ method: 'POST', url: `/api/v1/executions/${ended}/resume/validate` })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/api/v1/main/executions/nope/resume/validate' })).statusCode).toBe(404);
  });

  it('deletes an ended execution (204), refuses a running one (409), 404s unknown', async () => {
    const { app, engine } = await open(PAUSE_FLOW, LOG_FLOW);
    const paused = await engine.execute('test.api', 'pausing');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/executions/${paused}` })).statusCode).toBe(409);
    const id = await engine.execute('test.api', 'hello');
    await engine.waitFor(id);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/executions/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ url: `/api/v1/executions/${id}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/executions/${id}` })).statusCode).toBe(404);
    engine.kill(paused);
    await engine.waitFor(paused);
  });

  it('sets labels on an ended execution (merged, new keys win), refusing new system labels and running executions', async () => {
    const { app, engine } = await open(PAUSE_FLOW, LOG_FLOW);
    const id = await engine.execute('test.api', 'hello');
    await engine.waitFor(id);
    const res = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/labels`, payload: [{ key: 'team', value: 'ops' }, { key: 'new', value: '1' }, { key: 'system.correlationId', value: id }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().labels).toEqual([{ key: 'team', value: 'ops' }, { key: 'system.correlationId', value: id }, { key: 'new', value: '1' }]);
    expect((await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/labels`, payload: [{ key: 'system.x', value: '1' }] })).statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/labels`, payload: [{ key: 'a' }] })).statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/labels`, headers: { 'content-type': 'application/json' }, payload: '[{' })).statusCode).toBe(422);
    const paused = await engine.execute('test.api', 'pausing');
    await waitState(engine, paused, 'PAUSED');
    const running = await app.inject({ method: 'POST', url: `/api/v1/executions/${paused}/labels`, payload: [{ key: 'a', value: 'b' }] });
    expect(running.statusCode).toBe(400);
    expect(running.body).toBe('The execution is not terminated');
    engine.kill(paused);
    await engine.waitFor(paused);
  });
});

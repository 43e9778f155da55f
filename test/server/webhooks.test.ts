import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const WEBHOOK_FLOW = `id: webhook
namespace: test.api
labels:
  team: core
tasks:
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.body ?? 'none' }}"
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: "  {{ flow.id }}-key  "
  - id: other
    type: io.kestra.plugin.core.trigger.Webhook
    key: conditional
    conditions:
      - type: io.kestra.plugin.core.condition.ExpressionCondition
        expression: "{{ trigger.body.hello == 'world' }}"
`;

describe('POST|GET|PUT /executions/webhook/{namespace}/{flowId}/{key}', () => {
  it('creates an execution with trigger.body, headers (case kept) and parameters (lists), and no correlation id', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(WEBHOOK_FLOW);
    // A real socket: inject() lower-cases header names, a client's own spelling must be kept.
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/executions/webhook/test.api/webhook/webhook-key?age=12&age=13&x=1`, { method: 'POST', headers: { 'X-Custom-Header': 'Yes', 'content-type': 'application/json' }, body: '{"a":{"b":1}}' });
    expect(res.status).toBe(200);
    const execution = (await res.json()) as { id: string; labels: unknown; trigger: { variables: Record<string, Record<string, unknown>> } };
    expect(execution).toMatchObject({ namespace: 'test.api', flowId: 'webhook', trigger: { id: 'hook', type: 'io.kestra.plugin.core.trigger.Webhook' } });
    expect(execution.labels).toEqual([{ key: 'team', value: 'core' }]);
    expect(execution.trigger.variables.body).toEqual({ a: { b: 1 } });
    expect(execution.trigger.variables.parameters).toEqual({ age: ['12', '13'], x: ['1'] });
    expect(execution.trigger.variables.headers!['X-Custom-Header']).toEqual(['Yes']);
    const ended = await engine.waitFor(execution.id);
    expect(ended.state.current).toBe('SUCCESS');
    expect(ended.taskRunList![0]!.outputs).toEqual({ value: '{"a":{"b":1}}' });
  });

  it('reads any body as text: an array, a string that is not JSON, no body at all (GET, PUT)', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(WEBHOOK_FLOW);
    const url = '/api/v1/executions/webhook/test.api/webhook/webhook-key';
    const array = await app.inject({ method: 'PUT', url, headers: { 'content-type': 'application/json' }, payload: '[1,2]' });
    expect(array.json().trigger.variables.body).toEqual([1, 2]);
    const text = await app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, payload: 'bla' });
    expect(text.json().trigger.variables.body).toBe('bla');
    const number = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '123' });
    expect(number.json().trigger.variables.body).toBe('123');
    const none = await app.inject({ method: 'GET', url });
    expect(none.statusCode).toBe(200);
    expect(none.json().trigger.variables).not.toHaveProperty('body');
    expect((await engine.waitFor(none.json().id)).taskRunList![0]!.outputs).toEqual({ value: 'none' });
  });

  it('conditions false → 204 and nothing created; true → 200', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(WEBHOOK_FLOW);
    const url = '/api/v1/executions/webhook/test.api/webhook/conditional';
    const no = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"hello":"there"}' });
    expect(no.statusCode).toBe(204);
    expect(engine.list({ flowId: 'webhook' })).toHaveLength(0);
    const yes = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"hello":"world"}' });
    expect(yes.statusCode).toBe(200);
    expect(engine.list({ flowId: 'webhook' })).toHaveLength(1);
  });

  it('404 Flow not found, 404 Webhook not found, 409 for a disabled flow', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(WEBHOOK_FLOW);
    const nf = await app.inject({ method: 'POST', url: '/api/v1/executions/webhook/test.api/nope/x' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().message).toBe('Not Found: Flow not found');
    const wk = await app.inject({ method: 'POST', url: '/api/v1/executions/webhook/test.api/webhook/wrong' });
    expect(wk.statusCode).toBe(404);
    expect(wk.json().message).toBe('Not Found: Webhook not found');
    await engine.deploy(WEBHOOK_FLOW.replace('labels:', 'disabled: true\nlabels:'));
    const dis = await app.inject({ method: 'POST', url: '/api/v1/main/executions/webhook/test.api/webhook/webhook-key' });
    expect(dis.statusCode).toBe(409);
    expect(dis.json().message).toBe('Illegal state: Cannot execute a disabled flow');
  });
});

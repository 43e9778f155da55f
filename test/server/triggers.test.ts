import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const SCHEDULED = `id: scheduled
namespace: test.api
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: Europe/Paris
`;

describe('/triggers', () => {
  it('searches rows with their declared trigger, lists a flow’s rows, disables and enables them', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(SCHEDULED);
    const search = await app.inject({ url: '/api/v1/triggers/search?namespace=test&q=night' });
    expect(search.statusCode).toBe(200);
    const body = search.json();
    expect(body.total).toBe(1);
    expect(body.results[0].abstractTrigger).toMatchObject({ id: 'nightly', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '0 2 * * *' });
    expect(body.results[0].triggerContext).toMatchObject({ namespace: 'test.api', flowId: 'scheduled', triggerId: 'nightly', disabled: false });
    expect(body.results[0].triggerContext.nextExecutionDate).toMatch(/T02:00:00\+0[12]:00$/);
    expect((await app.inject({ url: '/api/v1/triggers/search?namespace=other' })).json().total).toBe(0);

    const list = await app.inject({ url: '/api/v1/triggers/test.api/scheduled' });
    expect(list.json()).toMatchObject({ total: 1, results: [{ triggerId: 'nightly' }] });

    const off = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { namespace: 'test.api', flowId: 'scheduled', triggerId: 'nightly', disabled: true } });
    expect(off.statusCode).toBe(200);
    expect(off.json().disabled).toBe(true);
    expect(off.json()).not.toHaveProperty('nextExecutionDate');
    const on = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { namespace: 'test.api', flowId: 'scheduled', triggerId: 'nightly', disabled: false } });
    expect(on.json().disabled).toBe(false);
    expect(on.json().nextExecutionDate).toMatch(/T02:00:00/);

    const bulk = await app.inject({ method: 'POST', url: '/api/v1/triggers/set-disabled/by-triggers', payload: { triggers: [{ namespace: 'test.api', flowId: 'scheduled', triggerId: 'nightly' }], disabled: true } });
    expect(bulk.json()).toEqual({ count: 1 });
    expect(engine.triggers.list()[0]!.row.disabled).toBe(true);
    const byQuery = await app.inject({ method: 'POST', url: '/api/v1/triggers/set-disabled/by-query?namespace=test.api&disabled=false' });
    expect(byQuery.json()).toEqual({ count: 1 });
    expect(engine.triggers.list()[0]!.row.disabled).toBe(false);
  });

  it('unlock: 409 when not locked, 404 for an unknown trigger or flow', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(SCHEDULED);
    const notLocked = await app.inject({ method: 'POST', url: '/api/v1/triggers/test.api/scheduled/nightly/unlock' });
    expect(notLocked.statusCode).toBe(409);
    expect(notLocked.json().message).toBe('Illegal state: Trigger is not locked');
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/triggers/test.api/scheduled/nope/unlock' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('Not Found: Flow scheduled has no trigger nope');
    const noFlow = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { namespace: 'test.api', flowId: 'gone', triggerId: 'x', disabled: true } });
    expect(noFlow.statusCode).toBe(404);
    expect(noFlow.json().message).toBe('Not Found: Flow of trigger x not found');
    // Declared, but without a state row (Webhook, Flow): a 404 that says so, and bulk skips it.
    await engine.deploy(`id: hooked\nnamespace: test.api\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: hook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k1\n  - id: upstream\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionFlow\n        namespace: test.api\n        flowId: scheduled\n`);
    for (const [triggerId, type] of [['hook', 'io.kestra.plugin.core.trigger.Webhook'], ['upstream', 'io.kestra.plugin.core.trigger.Flow']] as const) {
      const stateless = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { namespace: 'test.api', flowId: 'hooked', triggerId, disabled: true } });
      expect(stateless.statusCode).toBe(404);
      expect(stateless.json().message).toBe(`Not Found: Trigger ${triggerId} of flow hooked has no state: a ${type} trigger is enabled or disabled in the flow's source`);
    }
    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/set-disabled/by-triggers', payload: { triggers: [{ namespace: 'test.api', flowId: 'hooked', triggerId: 'hook' }], disabled: true } })).json()).toEqual({ count: 1 });
    const restart = await app.inject({ method: 'POST', url: '/api/v1/triggers/test.api/scheduled/nightly/restart' });
    expect(restart.statusCode).toBe(200);
    expect(restart.json()).not.toHaveProperty('date');
  });

  it('backfills through PUT /triggers (kept while in progress), pause/unpause/delete one or in bulk; bulk unlock counts the locked ones', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(SCHEDULED);
    const ref = { namespace: 'test.api', flowId: 'scheduled', triggerId: 'nightly' };
    // Dates to come, so that nothing fires while the test runs on the real clock.
    const start = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { ...ref, disabled: false, backfill: { start: '2099-01-01T00:00:00+01:00', end: '2099-01-03T00:00:00+01:00', paused: true, labels: { from: 'api' } } } });
    expect(start.statusCode).toBe(200);
    expect(start.json().backfill).toMatchObject({ start: '2099-01-01T00:00:00+01:00', end: '2099-01-03T00:00:00+01:00', currentDate: '2099-01-01T00:00:00+01:00', paused: true, labels: [{ key: 'from', value: 'api' }] });
    // The UI sends the row back with its backfill when it toggles `disabled`: the backfill is kept, not restarted.
    const again = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { ...ref, disabled: false, backfill: { start: '2019-01-01T00:00:00Z' } } });
    expect(again.json().backfill.start).toBe('2099-01-01T00:00:00+01:00');
    const plain = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { ...ref, triggerId: 'nightly', disabled: false, backfill: null } });
    expect(plain.statusCode).toBe(200);

    expect((await app.inject({ method: 'PUT', url: '/api/v1/triggers/backfill/unpause', payload: ref })).json().backfill.paused).toBe(false);
    expect((await app.inject({ method: 'PUT', url: '/api/v1/triggers/backfill/pause', payload: ref })).json().backfill.paused).toBe(true);
    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/backfill/unpause/by-query?namespace=test' })).json()).toEqual({ count: 1 });
    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/backfill/pause/by-triggers', payload: [ref] })).json()).toEqual({ count: 1 });
    const deleted = await app.inject({ method: 'POST', url: '/api/v1/triggers/backfill/delete', payload: ref });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).not.toHaveProperty('backfill');
    expect(deleted.json().nextExecutionDate).toMatch(/T02:00:00\+0[12]:00$/);
    const none = await app.inject({ method: 'POST', url: '/api/v1/triggers/backfill/delete', payload: ref });
    expect(none.statusCode).toBe(409);
    expect(none.json().message).toBe('Illegal state: No backfill found');
    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/backfill/delete/by-triggers', payload: [ref] })).json()).toEqual({ count: 0 });
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/triggers', payload: { ...ref, backfill: { start: 'soon' } } });
    expect(bad.statusCode).toBe(422);

    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/unlock/by-triggers', payload: [ref, { ...ref, triggerId: 'nope' }] })).json()).toEqual({ count: 0 });
    expect((await app.inject({ method: 'POST', url: '/api/v1/triggers/unlock/by-query?namespace=test.api' })).json()).toEqual({ count: 0 });
  });
});

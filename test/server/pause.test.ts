/**
 * Kestra's manual pause (`POST /executions/{id}/pause`, `/executions/pause/by-ids|by-query`): a
 * RUNNING execution goes PAUSED through its owning shard; what was in flight still ends and is
 * recorded, nothing new starts, and a resume lets it go on (RESTARTED, then RUNNING).
 * The parent here is RUNNING while it waits for a child that a Pause task holds, so the test
 * decides when the parent's running task ends — no timing involved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, openTestApp, waitState, type TestApp } from './helpers.js';
import type { Engine } from '../../src/runtime/engine.js';

const GATE = `id: gate
namespace: test.api
tasks:
  - id: hold
    type: io.kestra.plugin.core.flow.Pause
`;
const PARENT = `id: parent
namespace: test.api
tasks:
  - id: child
    type: io.kestra.plugin.core.flow.Subflow
    namespace: test.api
    flowId: gate
    wait: true
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after the child
`;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** Resolves once `check` holds, read after each durable change. */
function until(engine: Engine, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const stop = engine.onExecutionChange(() => {
      if (check()) {
        stop();
        resolve();
      }
    });
  });
}

/** A RUNNING parent waiting on its PAUSED child: both ids. */
async function runningParent(engine: Engine): Promise<{ parent: string; child: string }> {
  const parent = await engine.execute('test.api', 'parent');
  let child = '';
  await until(engine, () => {
    child = engine.list().find((e) => e.flowId === 'gate')?.id ?? '';
    return child !== '' && engine.get(child)?.state.current === 'PAUSED';
  });
  expect(engine.get(parent)!.state.current).toBe('RUNNING');
  return { parent, child };
}

describe('manual pause', () => {
  it('pauses a RUNNING execution (200, empty): its running task ends, nothing new starts until resumed', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(GATE);
    await engine.deploy(PARENT);
    const { parent, child } = await runningParent(engine);

    const paused = await app.inject({ method: 'POST', url: `/api/v1/executions/${parent}/pause` });
    expect(paused.statusCode).toBe(200);
    expect(paused.body).toBe('');
    expect(engine.get(parent)!.state.current).toBe('PAUSED');

    // The child ends: the parent's Subflow run ends too (joins still happen), `after` is not created.
    await engine.resume(child);
    await until(engine, () => engine.get(parent)!.taskRunList?.find((r) => r.taskId === 'child')?.state.current === 'SUCCESS');
    const held = engine.get(parent)!;
    expect(held.state.current).toBe('PAUSED');
    expect(held.taskRunList!.map((r) => r.taskId)).toEqual(['child']);

    // Paused twice: 422, as Kestra's IllegalArgumentException.
    const again = await app.inject({ method: 'POST', url: `/api/v1/executions/${parent}/pause` });
    expect(again.statusCode).toBe(422);
    expect(again.json().message).toBe('Illegal argument: The execution is not running');

    const resumed = await app.inject({ method: 'POST', url: `/api/v1/executions/${parent}/resume` });
    expect(resumed.statusCode).toBe(204);
    const done = await engine.waitFor(parent);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList!.map((r) => r.taskId)).toEqual(['child', 'after']);
    expect(done.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
  });

  it('422 for an ended execution, 404 for an unknown one, also under /api/v1/main', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(LOG_FLOW);
    const id = await engine.execute('test.api', 'hello');
    await waitState(engine, id, 'SUCCESS');
    const ended = await app.inject({ method: 'POST', url: `/api/v1/main/executions/${id}/pause` });
    expect(ended.statusCode).toBe(422);
    expect(ended.json()).toMatchObject({ message: 'Illegal argument: The execution is not running', _links: { self: { href: `/api/v1/main/executions/${id}/pause` } } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/nope/pause' })).statusCode).toBe(404);
    expect(engine.get(id)!.state.current).toBe('SUCCESS');
  });

  it('bulk: refuses the whole list when one is not RUNNING (400 invalid bulk pause), else pauses each ({count})', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(GATE);
    await engine.deploy(PARENT);
    await engine.deploy(LOG_FLOW);
    const ended = await engine.execute('test.api', 'hello');
    await waitState(engine, ended, 'SUCCESS');
    const { parent, child } = await runningParent(engine);

    const refused = await app.inject({ method: 'POST', url: '/api/v1/executions/pause/by-ids', payload: [parent, ended, 'nope'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      message: 'invalid bulk pause',
      invalids: [
        { message: 'execution not in state RUNNING', invalidValue: ended },
        { message: 'execution not found', invalidValue: 'nope' },
      ],
    });
    expect(engine.get(parent)!.state.current).toBe('RUNNING');

    const byIds = await app.inject({ method: 'POST', url: '/api/v1/executions/pause/by-ids', payload: [parent] });
    expect(byIds.statusCode).toBe(200);
    expect(byIds.json()).toEqual({ count: 1 });
    expect(engine.get(parent)!.state.current).toBe('PAUSED');

    // by-query: the filters of search; the only RUNNING one matches the flow filter.
    await engine.resume(parent);
    await waitState(engine, parent, 'RUNNING');
    const byQuery = await app.inject({ method: 'POST', url: '/api/v1/executions/pause/by-query?namespace=test.api&flowId=parent' });
    expect(byQuery.json()).toEqual({ count: 1 });
    expect(engine.get(parent)!.state.current).toBe('PAUSED');
    engine.kill(parent);
    engine.kill(child);
    await waitState(engine, parent, 'KILLED');
  });
});

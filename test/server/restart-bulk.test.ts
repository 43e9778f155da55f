import { afterEach, describe, expect, it } from 'vitest';
import { LOG_FLOW, openTestApp, PAUSE_FLOW, waitState, type TestApp } from './helpers.js';

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

// `second` fails on its first attempt and succeeds on the next (Kestra's restart_last_failed.yaml).
const FLAKY = `id: flaky
namespace: test.api
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: second
    type: io.kestra.plugin.core.log.Log
    message: "{{ taskrun.attemptsCount == 1 ? 'second' : undefinedVariable }}"
`;

async function failed(t: TestApp): Promise<string> {
  const id = await t.engine.execute('test.api', 'flaky');
  expect((await t.engine.waitFor(id)).state.current).toBe('FAILED');
  return id;
}

describe('POST /executions/{id}/restart', () => {
  it('restarts in place (200 with the RESTARTED execution); the run gets a second attempt', async () => {
    const tt = await open(FLAKY);
    const id = await failed(tt);
    const res = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/restart` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, metadata: { attemptNumber: 2 } });
    expect(res.json().state.histories.map((h: { state: string }) => h.state)).toContain('RESTARTED');
    const done = await tt.engine.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList![1]!.attempts).toHaveLength(2);
    // Nothing failed any more: 422; unknown: 404.
    const again = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/restart` });
    expect(again.statusCode).toBe(422);
    expect(again.json().message).toBe('Illegal argument: No task found to restart execution from!');
    expect((await tt.app.inject({ method: 'POST', url: '/api/v1/executions/nope/restart' })).statusCode).toBe(404);
  });

  it('answers 409 for a running execution, 404 for an unknown revision, and restarts as a new execution with one', async () => {
    const tt = await open(FLAKY, PAUSE_FLOW);
    const paused = await tt.engine.execute('test.api', 'pausing', {}, { scheduleDate: '2999-01-01T00:00:00Z' });
    const busy = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${paused}/restart` });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().message).toBe("Illegal state: Execution must be terminated to be restarted, current state is 'CREATED' !");
    tt.engine.kill(paused);
    const id = await failed(tt);
    const badRevision = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/restart?revision=9` });
    expect(badRevision.statusCode).toBe(404);
    expect(badRevision.json().message).toBe('Not Found: Unable to find revision 9 on flow test.api.flaky');
    const res = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/restart?revision=1` });
    expect(res.statusCode).toBe(200);
    expect(res.json().id).not.toBe(id);
    expect(res.json()).toMatchObject({ parentId: id, originalId: id, flowRevision: 1 });
    expect((await tt.engine.waitFor(res.json().id)).state.current).toBe('SUCCESS');
    expect(tt.engine.get(id)!.state.current).toBe('FAILED');
  });
});

describe('POST /executions/{id}/replay, /state and /change-status', () => {
  it('replays afresh or from a task run (200 with the new execution), 422 for an unknown task run', async () => {
    const tt = await open(FLAKY);
    const id = await failed(tt);
    const fresh = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/replay` });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ parentId: id, originalId: id, metadata: { attemptNumber: 2 } });
    const second = tt.engine.get(id)!.taskRunList![1]!;
    const from = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/replay?taskRunId=${second.id}` });
    expect(from.statusCode).toBe(200);
    // Stored once the replay has started (RESTARTED, then RUNNING in the same commit).
    expect(from.json().taskRunList.map((r: { taskId: string }) => r.taskId)).toEqual(['first', 'second']);
    expect(from.json().taskRunList[1].state.histories.map((h: { state: string }) => h.state)).toContain('RESTARTED');
    expect((await tt.engine.waitFor(from.json().id)).state.current).toBe('SUCCESS');
    const unknown = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/replay?taskRunId=nope` });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().message).toBe('Illegal argument: No task found to restart execution from!');
    expect((await tt.app.inject({ method: 'POST', url: '/api/v1/executions/nope/replay' })).statusCode).toBe(404);
  });

  it('sets a task run state (markAs): the failed run SUCCESS, the execution goes on', async () => {
    const tt = await open(FLAKY);
    const id = await failed(tt);
    const second = tt.engine.get(id)!.taskRunList![1]!;
    const res = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/state`, payload: { taskRunId: second.id, state: 'SUCCESS' } });
    expect(res.statusCode).toBe(200);
    expect((await tt.engine.waitFor(id)).state.current).toBe('SUCCESS');
    expect((await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/state`, payload: { taskRunId: 'nope', state: 'SUCCESS' } })).statusCode).toBe(422);
    expect((await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/state`, payload: { state: 'SUCCESS' } })).statusCode).toBe(422);
  });

  it('changes the status of a terminated execution; 422 for a non-terminal status or a running execution', async () => {
    const tt = await open(FLAKY, PAUSE_FLOW);
    const id = await failed(tt);
    const res = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/change-status?status=SUCCESS` });
    expect(res.statusCode).toBe(200);
    expect(res.json().state.current).toBe('SUCCESS');
    const bad = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${id}/change-status?status=RUNNING` });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().message).toBe('Illegal argument: You can only change the status of an execution to a terminal state.');
    const paused = await tt.engine.execute('test.api', 'pausing');
    await waitState(tt.engine, paused, 'PAUSED');
    const running = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/${paused}/change-status?status=FAILED` });
    expect(running.statusCode).toBe(422);
    expect(running.json().message).toBe('Illegal argument: You can only change the status of a terminated execution.');
    tt.engine.kill(paused);
    expect((await tt.app.inject({ method: 'POST', url: '/api/v1/executions/nope/change-status?status=FAILED' })).statusCode).toBe(404);
  });
});

describe('bulk actions', () => {
  it('refuses the whole batch with 400 and the invalid ids, else does each and counts', async () => {
    const tt = await open(FLAKY, LOG_FLOW);
    const a = await failed(tt);
    const b = await failed(tt);
    const ok = await tt.engine.execute('test.api', 'hello');
    await tt.engine.waitFor(ok);
    const refused = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/restart/by-ids', payload: [a, ok, 'nope'] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({ message: 'invalid bulk restart', invalids: [{ message: 'execution not in state FAILED', invalidValue: ok }, { message: 'execution not found', invalidValue: 'nope' }] });
    expect(tt.engine.get(a)!.metadata.attemptNumber).toBe(1);
    const res = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/restart/by-ids', payload: [a, b] });
    expect(res.json()).toEqual({ count: 2 });
    for (const id of [a, b]) expect((await tt.engine.waitFor(id)).state.current).toBe('SUCCESS');

    const labelled = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/labels/by-query?namespace=test.api&flowId=flaky', payload: [{ key: 'bulk', value: 'yes' }] });
    expect(labelled.json()).toEqual({ count: 2 });
    expect(tt.engine.get(a)!.labels).toContainEqual({ key: 'bulk', value: 'yes' });
    const byIds = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/labels/by-ids', payload: { executionsId: [ok], executionLabels: [{ key: 'one', value: '1' }] } });
    expect(byIds.json()).toEqual({ count: 1 });

    const status = await tt.app.inject({ method: 'POST', url: `/api/v1/executions/change-status/by-ids?newStatus=WARNING`, payload: [ok] });
    expect(status.json()).toEqual({ count: 1 });
    expect(tt.engine.get(ok)!.state.current).toBe('WARNING');
    expect((await tt.app.inject({ method: 'POST', url: '/api/v1/executions/change-status/by-ids?newStatus=RUNNING', payload: [ok] })).statusCode).toBe(422);

    const replayed = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/replay/by-query?flowId=hello&namespace=test.api' });
    expect(replayed.json()).toEqual({ count: 1 });
    expect(tt.engine.list({ originalId: ok })).toHaveLength(2);

    const killDone = await tt.app.inject({ method: 'DELETE', url: '/api/v1/executions/kill/by-ids', payload: [ok] });
    expect(killDone.statusCode).toBe(400);
    expect(killDone.json().invalids).toEqual([{ message: 'execution already finished', invalidValue: ok }]);

    const deleted = await tt.app.inject({ method: 'DELETE', url: '/api/v1/executions/by-query?namespace=test.api&flowId=flaky' });
    expect(deleted.json()).toEqual({ count: 2 });
    expect(tt.engine.get(a)).toBeUndefined();
    const gone = await tt.app.inject({ method: 'DELETE', url: '/api/v1/executions/by-ids', payload: [a] });
    expect(gone.statusCode).toBe(400);
  });

  it('kills and resumes in bulk', async () => {
    const tt = await open(PAUSE_FLOW, LOG_FLOW);
    const p1 = await tt.engine.execute('test.api', 'pausing');
    const p2 = await tt.engine.execute('test.api', 'pausing');
    for (const id of [p1, p2]) await waitState(tt.engine, id, 'PAUSED');
    const resumed = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/resume/by-ids', payload: [p1] });
    // `approved` is a required onResume input: the resume without inputs is refused as Kestra refuses it.
    expect(resumed.statusCode).toBe(422);
    const killed = await tt.app.inject({ method: 'DELETE', url: '/api/v1/executions/kill/by-query?state=PAUSED' });
    expect(killed.json()).toEqual({ count: 2 });
    for (const id of [p1, p2]) expect((await tt.engine.waitFor(id)).state.current).toBe('KILLED');
    const notPaused = await tt.app.inject({ method: 'POST', url: '/api/v1/executions/resume/by-ids', payload: [p1] });
    expect(notPaused.json()).toEqual({ message: 'invalid bulk resume', invalids: [{ message: 'execution not in state PAUSED', invalidValue: p1 }] });
  });
});

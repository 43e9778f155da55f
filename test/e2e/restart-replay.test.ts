import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});
async function open(): Promise<Engine> {
  const t = await openTestEngine({ shards: 2, noSync: true });
  disposers.push(t.dispose);
  return t.engine;
}

// Kestra's restart_last_failed.yaml: `c` fails on its first attempt (an undefined variable) and
// succeeds on the second.
const LAST_FAILED = `
id: restart_last_failed
namespace: t.restart
tasks:
- id: a
  type: io.kestra.plugin.core.log.Log
  message: "{{ task.id }}"
- id: b
  type: io.kestra.plugin.core.log.Log
  message: "{{ task.id }}"
- id: c
  type: io.kestra.plugin.core.log.Log
  message: "{{taskrun.attemptsCount == 1 ? 'ok' : ko}}"
- id: d
  type: io.kestra.plugin.core.log.Log
  message: "{{ task.id }}"
errors:
- id: on-error
  type: io.kestra.plugin.core.log.Log
  message: failed
`;

const NESTED = `
id: nested
namespace: t.restart
tasks:
- id: seq
  type: io.kestra.plugin.core.flow.Sequential
  tasks:
  - id: one
    type: io.kestra.plugin.core.log.Log
    message: one
  - id: two
    type: io.kestra.plugin.core.log.Log
    message: "{{taskrun.attemptsCount == 1 ? 'two' : ko}}"
  - id: three
    type: io.kestra.plugin.core.log.Log
    message: three
- id: after
  type: io.kestra.plugin.core.log.Log
  message: after
`;

describe('restart', () => {
  it('restarts a failed execution in place as Kestra does (restart_last_failed.yaml)', async () => {
    const e = await open();
    await e.deploy(LAST_FAILED);
    const id = await e.execute('t.restart', 'restart_last_failed');
    const failed = await e.waitFor(id);
    expect(failed.state.current).toBe('FAILED');
    expect(failed.taskRunList!.map((r) => r.taskId)).toEqual(['a', 'b', 'c', 'on-error']);

    expect(await e.restart(id)).toBe(id);
    const done = await e.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList!.map((r) => r.taskId)).toEqual(['a', 'b', 'c', 'd']);
    const c = done.taskRunList!.find((r) => r.taskId === 'c')!;
    expect(c.attempts!.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(c.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(done.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(done.metadata.attemptNumber).toBe(2);
    expect(e.logs(id).map((l) => l.message)).toContain('Flow restarted');
  });

  it('resets failed flowable ancestors to RUNNING and goes on after the restarted run', async () => {
    const e = await open();
    await e.deploy(NESTED);
    const id = await e.execute('t.restart', 'nested');
    expect((await e.waitFor(id)).state.current).toBe('FAILED');
    await e.restart(id);
    const done = await e.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList!.map((r) => r.taskId)).toEqual(['seq', 'one', 'two', 'three', 'after']);
    const seq = done.taskRunList![0]!;
    expect(seq.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RUNNING', 'SUCCESS']);
  });

  it('refuses a running execution (409), an unknown one (404) and one with nothing failed (422)', async () => {
    const e = await open();
    await e.deploy(`
id: slow
namespace: t.restart
tasks:
- id: p
  type: io.kestra.plugin.core.flow.Pause
`);
    await e.deploy(LAST_FAILED.replace("ko}}", "'ok'}}").replace('restart_last_failed', 'ok'));
    await expect(e.restart('nope')).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
    const ok = await e.execute('t.restart', 'ok');
    await e.waitFor(ok);
    await expect(e.restart(ok)).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT', message: 'No task found to restart execution from!' });
    const running = await e.execute('t.restart', 'slow', {}, { scheduleDate: '2999-01-01T00:00:00Z' });
    await expect(e.restart(running)).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_TERMINATED', message: "Execution must be terminated to be restarted, current state is 'CREATED' !" });
  });

  it('marks a failed task run SUCCESS and the execution goes on (markAs)', async () => {
    const e = await open();
    await e.deploy(LAST_FAILED);
    const id = await e.execute('t.restart', 'restart_last_failed');
    const failed = await e.waitFor(id);
    const c = failed.taskRunList!.find((r) => r.taskId === 'c')!;
    await e.setTaskRunState(id, c.id, 'SUCCESS');
    const done = await e.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['a:SUCCESS', 'b:SUCCESS', 'c:SUCCESS', 'd:SUCCESS']);
    expect(done.taskRunList![2]!.attempts!.at(-1)!.state.current).toBe('SUCCESS');
  });

  it('changes the status of an ended execution, and sets its labels through its shard', async () => {
    const e = await open();
    await e.deploy(LAST_FAILED);
    const id = await e.execute('t.restart', 'restart_last_failed');
    await e.waitFor(id);
    const changed = await e.changeStatus(id, 'SUCCESS');
    expect(changed.state.current).toBe('SUCCESS');
    expect(changed.state.histories.at(-1)!.state).toBe('SUCCESS');
    await expect(e.changeStatus(id, 'RUNNING')).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
    const labelled = await e.setLabels(id, [{ key: 'k', value: 'v' }]);
    expect(labelled.labels).toEqual([{ key: 'k', value: 'v' }]);
    await e.deleteExecution(id);
    expect(e.get(id)).toBeUndefined();
    expect(e.logs(id)).toEqual([]);
    await expect(e.deleteExecution(id)).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
  });
});

describe('replay', () => {
  it('replays afresh as a new execution: parentId, originalId, attempt number, inputs and labels copied', async () => {
    const e = await open();
    await e.deploy(LAST_FAILED);
    const id = await e.execute('t.restart', 'restart_last_failed', {}, { labels: [{ key: 'team', value: 'x' }] });
    await e.waitFor(id);
    const replayId = await e.replay(id);
    expect(replayId).not.toBe(id);
    const r = await e.waitFor(replayId);
    expect(r).toMatchObject({ parentId: id, originalId: id, metadata: { attemptNumber: 2 } });
    expect(r.labels).toEqual(expect.arrayContaining([{ key: 'team', value: 'x' }, { key: 'system.correlationId', value: id }]));
    expect(r.taskRunList!.map((t) => t.taskId)).toEqual(['a', 'b', 'c', 'on-error']);
  });

  it('replays from a task run: the runs before it copied with new ids, it and what follows run again', async () => {
    const e = await open();
    await e.deploy(NESTED);
    const id = await e.execute('t.restart', 'nested');
    const failed = await e.waitFor(id);
    const one = failed.taskRunList!.find((r) => r.taskId === 'one')!;
    const replayId = await e.replay(id, { taskRunId: one.id });
    const r = await e.waitFor(replayId);
    expect(r.parentId).toBe(id);
    expect(r.taskRunList!.map((t) => `${t.taskId}:${t.state.current}`)).toEqual(['seq:FAILED', 'one:SUCCESS', 'two:FAILED']);
    expect(r.taskRunList![1]!.attempts).toHaveLength(2);
    expect(new Set(r.taskRunList!.map((t) => t.id)).has(one.id)).toBe(false);
    expect(r.taskRunList!.every((t) => t.executionId === replayId)).toBe(true);
    // From the failed run: two's second attempt succeeds.
    const two = failed.taskRunList!.find((t) => t.taskId === 'two')!;
    const again = await e.waitFor(await e.replay(id, { taskRunId: two.id }));
    expect(again.state.current).toBe('SUCCESS');
    expect(again.taskRunList!.map((t) => t.taskId)).toEqual(['seq', 'one', 'two', 'three', 'after']);
    await expect(e.replay(id, { taskRunId: 'nope' })).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
    await expect(e.replay('nope')).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
  });
});

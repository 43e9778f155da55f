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

const flow = (message: string): string => `
id: admin
namespace: t.admin
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: ${message}
`;
const PAUSED = `
id: paused
namespace: t.admin
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
`;

describe('Engine flow deletion and revisions', () => {
  it('deletes a flow as a new revision; executing it is then not found; redeploying continues the numbering', async () => {
    const e = await open();
    await e.deploy(flow('one'));
    await e.deploy(flow('two'));
    const deleted = await e.deleteFlow('t.admin', 'admin');
    expect(deleted).toMatchObject({ revision: 3, deleted: true });
    expect(e.flow('t.admin', 'admin', 1)?.source).toBe(flow('one'));
    await expect(e.execute('t.admin', 'admin')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
    await expect(e.deleteFlow('t.admin', 'admin')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
    // The same source as the deleted revision still makes a new, live revision.
    const again = await e.deploy(flow('two'));
    expect(again.revision).toBe(4);
    expect(again.deleted).toBeUndefined();
  });

  it('runs an older revision when asked, and refuses an unknown one', async () => {
    const e = await open();
    await e.deploy(flow('one'));
    await e.deploy(flow('two'));
    const id = await e.execute('t.admin', 'admin', {}, { revision: 1 });
    const done = await e.waitFor(id);
    expect(done.flowRevision).toBe(1);
    expect(e.logs(id).map((l) => l.message)).toEqual(['one']);
    await expect(e.execute('t.admin', 'admin', {}, { revision: 9 })).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
  });

  it('keeps an execution scheduled more than 24.8 days ahead CREATED (past setTimeout range)', async () => {
    const e = await open();
    await e.deploy(flow('far'));
    const far = await e.execute('t.admin', 'admin', {}, { scheduleDate: new Date(Date.now() + 40 * 86_400_000).toISOString() });
    // Another execution of the same shard pool running to its end gives the timer time to misfire.
    const other = await e.execute('t.admin', 'admin');
    await e.waitFor(other);
    expect(e.get(far)?.state.current).toBe('CREATED');
    e.kill(far);
    await e.waitFor(far);
  });

  it('keeps a scheduled execution CREATED until its scheduleDate', async () => {
    const e = await open();
    await e.deploy(flow('later'));
    const scheduleDate = new Date(Date.now() + 3_600_000).toISOString();
    const id = await e.execute('t.admin', 'admin', {}, { scheduleDate });
    expect(e.get(id)).toMatchObject({ scheduleDate, state: { current: 'CREATED' } });
    e.kill(id);
    expect((await e.waitFor(id)).state.current).toBe('KILLED');
  });
});

describe('Engine execution deletion and labels', () => {
  it('deletes an ended execution with its task runs and logs', async () => {
    const e = await open();
    await e.deploy(flow('bye'));
    const id = await e.execute('t.admin', 'admin');
    await e.waitFor(id);
    expect(e.logs(id)).toHaveLength(1);
    await e.deleteExecution(id);
    expect(e.get(id)).toBeUndefined();
    expect(e.logs(id)).toEqual([]);
    await expect(e.deleteExecution(id)).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
  });

  it('refuses to delete or relabel an execution that has not ended', async () => {
    const e = await open();
    await e.deploy(PAUSED);
    const id = await e.execute('t.admin', 'paused');
    await expect(e.deleteExecution(id)).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_TERMINATED' });
    await expect(e.setLabels(id, [])).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_TERMINATED' });
    expect(e.get(id)).toBeDefined();
    e.kill(id);
    await e.waitFor(id);
  });

  it('replaces the labels of an ended execution, durably', async () => {
    const e = await open();
    await e.deploy(flow('labels'));
    const id = await e.execute('t.admin', 'admin', {}, { labels: [{ key: 'a', value: '1' }] });
    await e.waitFor(id);
    const labels = [...e.get(id)!.labels, { key: 'b', value: '2' }];
    const updated = await e.setLabels(id, labels);
    expect(updated.labels).toEqual(labels);
    expect(e.get(id)!.labels).toEqual(labels);
    expect(e.get(id)!.state.current).toBe('SUCCESS');
  });
});

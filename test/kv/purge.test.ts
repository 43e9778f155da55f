import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import { executionPrefix, storageUri, childPath } from '../../src/storage/uri.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function open(options: Parameters<typeof openTestEngine>[0] = {}): Promise<Engine> {
  const t = await openTestEngine({ noSync: true, ...options });
  disposers.push(t.dispose);
  return t.engine;
}

const hello = (ns: string, id = 'hello'): string => `
id: ${id}
namespace: ${ns}
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
  - id: debug
    type: io.kestra.plugin.core.log.Log
    level: DEBUG
    message: detail
`;

const paused = `
id: waits
namespace: company.team
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
`;

async function withFile(engine: Engine, ns: string, flowId: string, id: string): Promise<void> {
  await engine.storage.put(storageUri(childPath(executionPrefix(ns, flowId, id), 'tasks', 'log', 'x', 'out.txt')), Buffer.from('data'));
}

describe('PurgeExecutions', () => {
  it('purges ended executions in scope with their logs, metrics and files; leaves running ones and other namespaces', async () => {
    const engine = await open();
    const a = await runFlow(engine, hello('company.team'));
    const b = await runFlow(engine, hello('company.team.sub', 'other'));
    const c = await runFlow(engine, hello('elsewhere'));
    await withFile(engine, 'company.team', 'hello', a.id);
    await engine.deploy(paused);
    const running = await engine.execute('company.team', 'waits');
    const purge = await runFlow(engine, `
id: purge
namespace: system
tasks:
  - id: purge
    type: io.kestra.core.tasks.storages.Purge
    namespace: company.team
    endDate: "{{ now() | dateAdd(1, 'MINUTES') }}"
`);
    expect(purge.state.current).toBe('SUCCESS');
    expect(purge.taskRunList![0]!.outputs).toEqual({ executionsCount: 2, logsCount: 4, storagesCount: 1, metricsCount: 0 });
    expect(await engine.getExecution(a.id)).toBeUndefined();
    expect(await engine.getExecution(b.id)).toBeUndefined();
    expect(await engine.getLogs(a.id)).toEqual([]);
    expect(await engine.getExecution(c.id)).toBeDefined();
    expect((await engine.getExecution(running))?.state.current).toBe('PAUSED');
    expect(await engine.storage.list(storageUri(executionPrefix('company.team', 'hello', a.id)))).toEqual([]);
  });

  it('filters by flow, states and dates; keeps records when purgeExecution is false', async () => {
    const engine = await open();
    const ok = await runFlow(engine, hello('ns'));
    const failed = await runFlow(engine, 'id: bad\nnamespace: ns\ntasks:\n  - id: f\n    type: io.kestra.plugin.core.execution.Fail\n');
    const run = (props: string, end = `"{{ now() | dateAdd(1, 'MINUTES') }}"`) => runFlow(engine, `id: p\nnamespace: ns.purger\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.execution.PurgeExecutions\n    endDate: ${end}\n${props}`);
    const past = await run('    namespace: ns\n', "'2000-01-01T00:00:00Z'");
    expect(past.taskRunList![0]!.outputs).toMatchObject({ executionsCount: 0 });
    const future = await run("    namespace: ns\n    startDate: '2999-01-01T00:00:00Z'\n");
    expect(future.taskRunList![0]!.outputs).toMatchObject({ executionsCount: 0 });
    const logsOnly = await run('    namespace: ns\n    flowId: hello\n    purgeExecution: false\n');
    expect(logsOnly.taskRunList![0]!.outputs).toEqual({ executionsCount: 0, logsCount: 2, storagesCount: 0, metricsCount: 0 });
    expect(await engine.getExecution(ok.id)).toBeDefined();
    expect(await engine.getLogs(ok.id)).toEqual([]);
    const onlyFailed = await run('    namespace: ns\n    states: [FAILED]\n');
    expect(onlyFailed.taskRunList![0]!.outputs).toMatchObject({ executionsCount: 1 });
    expect(await engine.getExecution(failed.id)).toBeUndefined();
    expect(await engine.getExecution(ok.id)).toBeDefined();
    const badDate = await run('', 'yesterday');
    expect(badDate.state.current).toBe('FAILED');
    expect((await engine.getLogs(badDate.id)).find((l) => l.level === 'ERROR')?.message).toMatch(/endDate 'yesterday' is not a date/);
  });
});

describe('PurgeLogs', () => {
  it('purges log lines by level and date, execution records stay', async () => {
    const engine = await open();
    const e = await runFlow(engine, hello('logs.ns'));
    const purge = await runFlow(engine, `
id: purge_logs
namespace: logs
tasks:
  - id: p
    type: io.kestra.plugin.core.log.PurgeLogs
    namespace: logs.ns
    logLevels: [DEBUG]
    endDate: "{{ now() | dateAdd(1, 'MINUTES') }}"
`);
    expect(purge.taskRunList![0]!.outputs).toEqual({ count: 1 });
    expect((await engine.getLogs(e.id)).map((l) => l.message)).toEqual(['hi']);
    expect(await engine.getExecution(e.id)).toBeDefined();
  });
});

describe('retention option', () => {
  it('purges ended executions and old log lines on each sweep, and expired KV entries; running ones stay', async () => {
    await expect(open({ retention: { executions: 'soon' } })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    await expect(open({ retention: { keep: 'P1D' } as never })).rejects.toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    const engine = await open({ retention: { executions: 'PT0.001S', logs: 'PT0.001S', every: 'PT1H' } });
    const ended = await runFlow(engine, hello('ret'));
    await engine.deploy(paused);
    const running = await engine.execute('company.team', 'waits');
    await engine.kvPut('ret', 'gone', 1, { ttl: 'PT0S' });
    await engine.kvPut('ret', 'kept', 1);
    await new Promise((r) => setTimeout(r, 5));
    const report = await engine.runRetention();
    expect(report.executions.executionsCount).toBe(1);
    expect(report.kvExpired).toBe(1);
    expect(await engine.getExecution(ended.id)).toBeUndefined();
    expect((await engine.getExecution(running))?.state.current).toBe('PAUSED');
    expect((await engine.kvList('ret')).map((k) => k.key)).toEqual(['kept']);
  });
});

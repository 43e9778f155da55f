/**
 * One contract for the shared TroupeApi, run against the in-process Engine and against the IPC
 * client talking to a daemon (a real Unix socket, a real engine on threads and LMDB).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Engine } from '../../src/runtime/engine.js';
import { listenIpc } from '../../src/ipc/server.js';
import { connect } from '../../src/client/index.js';
import { TroupeError } from '../../src/errors.js';
import type { ExecutionEvent, TroupeApi } from '../../src/troupe-api.js';
import { tempDir } from '../helpers/engine.js';

type Open = () => Promise<{ api: TroupeApi; dispose: () => Promise<void> }>;

const openEngine: Open = async () => {
  const dataDir = tempDir();
  const engine = await Engine.open({ dataDir, poolThreads: 2, shards: 2 });
  return {
    api: engine,
    dispose: async () => {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const openClient: Open = async () => {
  const dataDir = tempDir();
  const engine = await Engine.open({ dataDir, poolThreads: 2, shards: 2 });
  const server = await listenIpc(engine, { dataDir });
  const client = await connect({ dataDir });
  return {
    api: client,
    dispose: async () => {
      await client.close();
      await server.close();
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

const logs = `
id: logs
namespace: contract
inputs:
  - id: who
    type: STRING
    defaults: world
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}"
  - id: out
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.who }}"
`;

const approve = `
id: approve
namespace: contract
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: ok
        type: BOOLEAN
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.ok }}"
`;

const fails = `
id: fails
namespace: contract
tasks:
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: it broke
`;

const flaky = `
id: flaky
namespace: contract
tasks:
  - id: first
    type: io.kestra.plugin.core.log.Log
    message: first
  - id: second
    type: io.kestra.plugin.core.log.Log
    message: "{{ taskrun.attemptsCount == 1 ? 'second' : undefinedVariable }}"
`;

const sleeps = `
id: sleeps
namespace: contract
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT1H
`;

async function collect(it: AsyncIterableIterator<ExecutionEvent>): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Reads events until `until` matches one; the iterator stays open. */
async function readUntil(it: AsyncIterableIterator<ExecutionEvent>, until: (e: ExecutionEvent) => boolean): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) {
    out.push(r.value);
    if (until(r.value)) break;
  }
  return out;
}

for (const [name, open] of [['Engine (in-process)', openEngine], ['client (IPC)', openClient]] as const) {
  describe(`TroupeApi contract: ${name}`, () => {
    const disposers: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (disposers.length) await disposers.pop()!();
    });
    async function api(): Promise<TroupeApi> {
      const t = await open();
      disposers.push(t.dispose);
      return t.api;
    }

    it('deploys (same source, same revision), validates, lists flows', async () => {
      const t = await api();
      const r1 = await t.deploy(logs, { file: 'logs.yaml' });
      expect(r1).toMatchObject({ namespace: 'contract', id: 'logs', revision: 1 });
      expect((await t.deploy(logs)).revision).toBe(1);
      expect((await t.deploy(logs.replace('world', 'you'))).revision).toBe(2);
      expect((await t.getFlows()).map((f) => `${f.namespace}.${f.id}@${f.revision}`)).toEqual(['contract.logs@2']);
      expect(await t.validate(logs)).toEqual({ valid: true, namespace: 'contract', id: 'logs' });
      const bad = await t.validate('id: x\nnamespace: y\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Retrun\n', { file: 'bad.yaml' });
      expect(bad.valid).toBe(false);
      if (!bad.valid) {
        expect(bad.error.code).toBe('TROUPE_FLOW_UNKNOWN_TYPE');
        expect(bad.errors[0]).toMatchObject({ line: 5 });
      }
    });

    it('raises the same TroupeError codes', async () => {
      const t = await api();
      const invalid = await t.deploy('id: x\nnamespace: y\n').catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(TroupeError);
      expect(invalid).toMatchObject({ code: 'TROUPE_FLOW_INVALID', message: expect.stringContaining("missing required property 'tasks'") });
      await expect(t.execute('nope', 'nope')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
      await expect(t.waitFor('missing')).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
      await expect(t.resume('missing')).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
      await t.deploy(approve);
      const id = await t.execute('contract', 'approve');
      await readUntil(t.follow(id), (e) => e.type === 'execution.state' && e.state === 'PAUSED');
      await expect(t.resume(id, {})).rejects.toMatchObject({ code: 'TROUPE_INPUT_INVALID' });
      await expect(t.replay(id, { taskRunId: 'x' })).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
      await expect(t.restart('missing')).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
      await t.kill(id);
      expect((await t.waitFor(id)).state.current).toBe('KILLED');
    });

    it('restarts a failed execution in place, and replays it as a new one', async () => {
      const t = await api();
      await t.deploy(flaky);
      const id = await t.execute('contract', 'flaky');
      expect((await t.waitFor(id)).state.current).toBe('FAILED');
      expect(await t.restart(id)).toBe(id);
      const done = await t.waitFor(id);
      expect(done.state.current).toBe('SUCCESS');
      expect(done.metadata.attemptNumber).toBe(2);
      expect(done.taskRunList!.map((r) => r.attempts!.length)).toEqual([1, 2]);
      await expect(t.restart(id)).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT', message: 'No task found to restart execution from!' });
      const replay = await t.replay(id, { taskRunId: done.taskRunList![1]!.id });
      const replayed = await t.waitFor(replay);
      expect(replayed).toMatchObject({ parentId: id, originalId: id, metadata: { attemptNumber: 3 } });
      expect(replayed.taskRunList!.map((r) => r.state.current)).toEqual(['SUCCESS', 'FAILED']);
    });

    it('reads and deletes flows; pages task runs; relabels, changes the status of, marks and deletes ended executions', async () => {
      const t = await api();
      const rec = await t.deploy(flaky);
      expect((await t.getFlow('contract', 'flaky'))!.revision).toBe(rec.revision);
      expect((await t.getFlow('contract', 'flaky', 99))).toBeUndefined();
      const id = await t.execute('contract', 'flaky');
      const failed = await t.waitFor(id);
      const page = await t.taskRuns(id, 1, 10);
      expect(page).toMatchObject({ total: 2, results: [{ taskId: 'second' }] });
      expect(await t.taskRuns('missing', 0, 10)).toBeUndefined();
      expect((await t.setLabels(id, [{ key: 'a', value: 'b' }])).labels).toEqual([{ key: 'a', value: 'b' }]);
      expect((await t.changeStatus(id, 'WARNING')).state.current).toBe('WARNING');
      await expect(t.changeStatus(id, 'RUNNING')).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
      await t.setTaskRunState(id, failed.taskRunList![1]!.id, 'SUCCESS');
      expect((await t.waitFor(id)).state.current).toBe('SUCCESS');
      await expect(t.setTaskRunState(id, 'nope', 'SUCCESS')).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
      await t.deleteExecution(id);
      expect(await t.getExecution(id)).toBeUndefined();
      await expect(t.deleteExecution(id)).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
      expect((await t.deleteFlow('contract', 'flaky')).deleted).toBe(true);
      await expect(t.deleteFlow('contract', 'flaky')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
      await expect(t.execute('contract', 'flaky')).rejects.toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND' });
    });

    it('puts, reads, lists and deletes KV entries, with the same errors', async () => {
      const t = await api();
      await t.kvPut('contract.kv', 'b', { n: [1, 2] });
      await t.kvPut('contract.kv', 'a', '2024-01-01', { dateType: 'DATE', ttl: 'PT1H' });
      expect(await t.kvGet('contract.kv', 'b')).toEqual({ type: 'JSON', value: { n: [1, 2] } });
      expect(await t.kvGet('contract.kv', 'a')).toEqual({ type: 'DATE', value: '2024-01-01' });
      expect(await t.kvGet('contract.kv', 'missing')).toBeUndefined();
      const list = await t.kvList('contract.kv');
      expect(list.map((e) => [e.key, e.expirationDate !== undefined])).toEqual([['a', true], ['b', false]]);
      await expect(t.kvGet('contract.kv', 'bad key')).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
      await expect(t.kvPut('contract.kv', 'b', 1, { overwrite: false })).rejects.toMatchObject({ code: 'TROUPE_KV_EXISTS' });
      await expect(t.kvPut('contract.kv', 'c', 1, { ttl: '-PT1S' })).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT', message: 'ttl cannot be negative' });
      expect(await t.kvDelete('contract.kv', ['a', 'zzz', 'b'])).toEqual(['a', 'b']);
      expect(await t.kvList('contract.kv')).toEqual([]);
    });

    it('executes with typed inputs, waits, reads the execution, its logs and the list', async () => {
      const t = await api();
      await t.deploy(logs);
      const id = await t.execute('contract', 'logs', { who: 'Ada' }, { labels: [{ key: 'team', value: 'x' }] });
      const done = await t.waitFor(id);
      expect(done.state.current).toBe('SUCCESS');
      expect(done.labels).toContainEqual({ key: 'team', value: 'x' });
      expect(done.taskRunList!.find((r) => r.taskId === 'out')!.outputs).toEqual({ value: 'Ada' });
      expect((await t.getExecution(id))!.id).toBe(id);
      expect(await t.getExecution('missing')).toBeUndefined();
      expect((await t.getLogs(id)).map((l) => l.message)).toContain('hello Ada');
      const other = await t.execute('contract', 'logs');
      await t.waitFor(other);
      expect((await t.listExecutions({ namespace: 'contract', flowId: 'logs' })).map((e) => e.id)).toEqual([id, other]);
      expect(await t.listExecutions({ state: 'FAILED' })).toEqual([]);
      expect((await t.listExecutions({ state: 'SUCCESS' })).length).toBe(2);
    });

    it('follows an execution: states and log lines in order, ending with execution.end', async () => {
      const t = await api();
      await t.deploy(fails);
      const id = await t.execute('contract', 'fails');
      const events = await collect(t.follow(id));
      const last = events.at(-1)!;
      expect(last.type).toBe('execution.end');
      if (last.type === 'execution.end') expect(last.execution.state.current).toBe('FAILED');
      const states = events.filter((e) => e.type === 'execution.state').map((e) => (e.type === 'execution.state' ? e.state : ''));
      expect(states.at(-1)).toBe('FAILED');
      expect(events.some((e) => e.type === 'execution.log' && e.log.level === 'ERROR' && e.log.message.includes('it broke'))).toBe(true);
      // Following an ended execution replays it whole, and ends.
      expect((await collect(t.follow(id))).map((e) => e.type)).toEqual(events.filter((e) => e.type !== 'execution.state' || e.state === 'FAILED').map((e) => e.type));
      await expect(collect(t.follow('missing'))).rejects.toMatchObject({ code: 'TROUPE_EXECUTION_NOT_FOUND' });
    });

    it('resumes a paused execution with onResume inputs while followed', async () => {
      const t = await api();
      await t.deploy(approve);
      const id = await t.execute('contract', 'approve');
      const it = t.follow(id);
      await readUntil(it, (e) => e.type === 'execution.state' && e.state === 'PAUSED');
      await t.resume(id, { ok: 'true' });
      const rest = await collect(it);
      const end = rest.at(-1)!;
      expect(end.type === 'execution.end' && end.execution.state.current).toBe('SUCCESS');
      expect(end.type === 'execution.end' && end.execution.taskRunList![1]!.outputs).toEqual({ value: 'true' });
    });

    it('subscribes to every execution; return() stops the subscription', async () => {
      const t = await api();
      await t.deploy(logs);
      await t.deploy(sleeps);
      const sub = t.subscribe();
      const a = await t.execute('contract', 'logs', { who: 'A' });
      const b = await t.execute('contract', 'sleeps');
      const ended = new Set<string>();
      let sawB = false;
      for await (const e of sub) {
        if (e.type === 'execution.end') ended.add(e.executionId);
        if (e.executionId === b && e.type === 'execution.state' && e.state === 'RUNNING') {
          sawB = true;
          await t.kill(b);
        }
        if (ended.has(a) && ended.has(b)) break;
      }
      expect(sawB).toBe(true);
      expect((await t.getExecution(b))!.state.current).toBe('KILLED');
      expect(await sub.next()).toEqual({ value: undefined, done: true });
    });
  });
}

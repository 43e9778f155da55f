import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import type { ExecutionJson } from '../../src/model/execution-json.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import { deepMerge, stateKey } from '../../src/tasks/state/key.js';
import { slugify } from '../../src/storage/uri.js';
import { murmur3Hex } from '../../src/tasks/state/murmur3.js';

let engine: Engine;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine({ noSync: true }));
});

afterAll(async () => {
  await dispose();
});

const outputsOf = (e: ExecutionJson, taskId: string): unknown[] => e.taskRunList!.filter((r) => r.taskId === taskId).map((r) => r.outputs);

describe('state keys', () => {
  it('hashes as Guava murmur3_128 and slugs as Kestra', () => {
    expect(murmur3Hex('hello')).toBe('029bbd41b3a7d8cb191dae486a901e5b');
    expect(murmur3Hex('The quick brown fox jumps over the lazy dog')).toBe('6c1b07bc7bbc4be347939ac4a93c437a');
    expect(murmur3Hex('')).toBe('00000000000000000000000000000000');
    expect(slugify('My_Flow  été--x-')).toBe('my-flow-ete-x');
    expect(stateKey('default', 'My_Flow', undefined)).toBe('my-flow_states_tasks-states_default');
    expect(stateKey('n', undefined, 'hello')).toBe('states_tasks-states_n_029bbd41b3a7d8cb191dae486a901e5b');
  });

  it('merges as MapUtils.merge: maps deeply, lists concatenated, null keeps the old value', () => {
    expect(deepMerge({ a: { x: 1, y: [1] }, b: 2, c: 3 }, { a: { y: [2], z: 3 }, b: null, d: null })).toEqual({ a: { x: 1, y: [1, 2], z: 3 }, b: 2, c: 3, d: null });
  });
});

describe('state tasks', () => {
  it('set (deep merge), get, delete, per flow and per loop value, as Kestra\'s StateTest', async () => {
    const e = await runFlow(engine, `
id: state_flow
namespace: company.state
tasks:
  - id: first
    type: io.kestra.plugin.core.state.Set
    data:
      value: 1
      nested: { a: 1 }
  - id: second
    type: io.kestra.core.tasks.states.Set
    data:
      value: "{{ 1 + 1 }}"
      nested: { b: 2 }
  - id: get
    type: io.kestra.plugin.core.state.Get
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: ["x", "y"]
    tasks:
      - id: per_value
        type: io.kestra.plugin.core.state.Set
        name: loop
        data:
          v: "{{ taskrun.value }}"
  - id: shared
    type: io.kestra.plugin.core.state.Set
    namespace: true
    name: shared
    data: { n: 3 }
  - id: missing
    type: io.kestra.plugin.core.state.Get
    name: nothing
  - id: delete
    type: io.kestra.plugin.core.state.Delete
  - id: delete_again
    type: io.kestra.plugin.core.state.Delete
`);
    expect(e.state.current).toBe('SUCCESS');
    expect(outputsOf(e, 'first')).toEqual([{ count: 2, key: 'state-flow_states_tasks-states_default' }]);
    expect(outputsOf(e, 'get')).toEqual([{ count: 2, data: { value: '2', nested: { a: 1, b: 2 } } }]);
    expect(outputsOf(e, 'per_value')).toEqual([
      { count: 1, key: `state-flow_states_tasks-states_loop_${murmur3Hex('x')}` },
      { count: 1, key: `state-flow_states_tasks-states_loop_${murmur3Hex('y')}` },
    ]);
    expect(outputsOf(e, 'missing')).toEqual([{ count: 0, data: {} }]);
    expect(outputsOf(e, 'delete')).toEqual([{ deleted: true }]);
    expect(outputsOf(e, 'delete_again')).toEqual([{ deleted: false }]);
    expect((await engine.kvList('company.state')).map((k) => k.key)).toEqual(['state-flow_states_tasks-states_loop_' + murmur3Hex('x'), 'state-flow_states_tasks-states_loop_' + murmur3Hex('y'), 'states_tasks-states_shared'].sort());
    expect(await engine.kvGet('company.state', 'states_tasks-states_shared')).toEqual({ type: 'STRING', value: '{"n":3}' });
  });

  it('fails with errorOnMissing as Kestra', async () => {
    for (const [type, message] of [
      ['io.kestra.plugin.core.state.Get', 'State errs_states_tasks-states_default not found'],
      ['io.kestra.plugin.core.state.Delete', "Unable to find the state file 'default'"],
    ] as const) {
      const e = await runFlow(engine, `id: errs\nnamespace: company.state\ntasks:\n  - id: t\n    type: ${type}\n    errorOnMissing: true\n`);
      expect(e.state.current).toBe('FAILED');
      expect((await engine.getLogs(e.id)).find((l) => l.level === 'ERROR')?.message).toBe(message);
    }
  });
});

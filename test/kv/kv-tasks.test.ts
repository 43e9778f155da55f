import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import type { ExecutionJson } from '../../src/model/execution-json.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';

let engine: Engine;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine({ noSync: true }));
});

afterAll(async () => {
  await dispose();
});

function outputs(e: ExecutionJson, taskId: string): Record<string, unknown> | null | undefined {
  return e.taskRunList?.find((r) => r.taskId === taskId)?.outputs;
}

function failure(e: ExecutionJson, logs: Awaited<ReturnType<Engine['getLogs']>>, taskId: string): string | undefined {
  return logs.find((l) => l.taskId === taskId && l.level === 'ERROR')?.message ?? (e.state.current === 'FAILED' ? 'no log' : undefined);
}

describe('kv tasks and kv() in a flow', () => {
  it('sets typed values, reads them with kv.Get, kv() (pool, shard and flow outputs) and GetKeys, deletes', async () => {
    const e = await runFlow(engine, `
id: kv_round_trip
namespace: company.team
inputs:
  - id: m
    type: JSON
    defaults: '{"a": [1, 2]}'
tasks:
  - id: set_str
    type: io.kestra.plugin.core.kv.Set
    key: "name_{{ 1 + 1 }}"
    value: Ada
  - id: set_map
    type: io.kestra.plugin.core.kv.Set
    key: map
    value: "{{ inputs.m }}"
  - id: set_num
    type: io.kestra.plugin.core.kv.Set
    key: num
    value: "41.5"
    kvType: NUMBER
  - id: set_parent
    type: io.kestra.plugin.core.kv.Set
    namespace: company
    key: shared
    value: "{{ true }}"
  - id: get
    type: io.kestra.plugin.core.kv.Get
    key: map
  - id: get_missing
    type: io.kestra.plugin.core.kv.Get
    key: nothing
  - id: keys
    type: io.kestra.plugin.core.kv.GetKeys
    prefix: n
  - id: fn
    type: io.kestra.plugin.core.debug.Return
    format: "{{ kv('name_2') }} {{ kv('num') + 0.5 }} {{ kv('map').a[1] }} {{ kv('shared', namespace='company') }} [{{ kv('nothing') }}]"
  - id: on_shard
    type: io.kestra.plugin.core.flow.If
    condition: "{{ kv('shared', 'company') }}"
    then:
      - id: inside
        type: io.kestra.plugin.core.debug.Return
        format: yes
  - id: del
    type: io.kestra.plugin.core.kv.Delete
    key: name_2
  - id: del_again
    type: io.kestra.plugin.core.kv.Delete
    key: name_2
outputs:
  - id: fromKv
    type: STRING
    value: "{{ kv('num') }}"
`);
    expect(e.state.current).toBe('SUCCESS');
    expect(outputs(e, 'set_str')).toEqual({});
    expect(outputs(e, 'get')).toEqual({ value: { a: [1, 2] } });
    expect(outputs(e, 'get_missing')).toEqual({});
    expect(outputs(e, 'keys')).toEqual({ keys: ['name_2', 'num'] });
    expect(outputs(e, 'fn')).toEqual({ value: 'Ada 42.0 2 true []' });
    expect(e.taskRunList!.map((r) => r.taskId)).toContain('inside');
    expect(outputs(e, 'del')).toEqual({ deleted: true });
    expect(outputs(e, 'del_again')).toEqual({ deleted: false });
    expect(e.outputs).toEqual({ fromKv: '41.5' });
    expect(await engine.kvGet('company.team', 'num')).toEqual({ type: 'NUMBER', value: 41.5 });
    expect(await engine.kvGet('company.team', 'name_2')).toBeUndefined();
    expect((await engine.kvList('company')).map((k) => k.key)).toEqual(['shared']);
  });

  it('fails runs with Kestra\'s messages: errorOnMissing, overwrite: false, bad key, unknown namespace, expired key', async () => {
    await engine.kvPut('company.errors', 'taken', 1);
    await engine.kvPut('company.errors', 'old', 1, { ttl: 'PT0S' });
    await new Promise((r) => setTimeout(r, 5));
    const cases: Array<[string, string]> = [
      ['type: io.kestra.plugin.core.kv.Get\n    key: nothing\n    errorOnMissing: true', "No value found for key 'nothing' in namespace 'company.errors' and `errorOnMissing` is set to true"],
      ['type: io.kestra.plugin.core.kv.Delete\n    key: nothing\n    errorOnMissing: true', "No value found for key 'nothing' in namespace 'company.errors' and `errorOnMissing` is set to true"],
      ['type: io.kestra.plugin.core.kv.Set\n    key: taken\n    value: 2\n    overwrite: false', "Cannot set value for key 'taken'. Key already exists and `overwrite` is set to `false`."],
      ['type: io.kestra.plugin.core.kv.Set\n    key: "bad key"\n    value: 2', 'Key must start with an alphanumeric character'],
      ['type: io.kestra.plugin.core.kv.GetKeys\n    namespace: nowhere', "Cannot access the KV store. The namespace 'nowhere' does not exist."],
      ['type: io.kestra.plugin.core.kv.Get\n    key: old', 'The requested value has expired'],
      ['type: io.kestra.plugin.core.debug.Return\n    format: "{{ kv(\'nothing\', errorOnMissing=true) }}"', "The key 'nothing' does not exist in the namespace 'company.errors'."],
      ['type: io.kestra.plugin.core.kv.Set\n    key: d\n    value: "2024-01-01"\n    kvType: DATE', "Text '2024-01-01' could not be parsed"],
    ];
    let i = 0;
    for (const [task, message] of cases) {
      const e = await runFlow(engine, `id: err_${i++}\nnamespace: company.errors\ntasks:\n  - id: t\n    ${task}\n`);
      expect(e.state.current, task).toBe('FAILED');
      expect(failure(e, await engine.getLogs(e.id), 't'), task).toContain(message);
    }
    expect(await engine.kvGet('company.errors', 'taken')).toEqual({ type: 'NUMBER', value: 1 });
    expect(await engine.kvGet('company.errors', 'old')).toBeUndefined();
  });

  it('keeps dates and ttl: DATETIME reads back typed, ttl sets the expiration date', async () => {
    const e = await runFlow(engine, `
id: kv_dates
namespace: company.dates
tasks:
  - id: when
    type: io.kestra.plugin.core.kv.Set
    key: when
    value: "2024-01-02T03:04:05+01:00"
    kvType: DATETIME
  - id: dur
    type: io.kestra.plugin.core.kv.Set
    key: dur
    value: PT1M
    kvType: DURATION
  - id: iso
    type: io.kestra.plugin.core.kv.Set
    key: iso
    value: P1D
  - id: short
    type: io.kestra.plugin.core.kv.Set
    key: short
    value: x
    ttl: PT1H
`);
    expect(e.state.current).toBe('SUCCESS');
    expect(await engine.kvGet('company.dates', 'when')).toEqual({ type: 'DATETIME', value: '2024-01-02T02:04:05Z' });
    expect(await engine.kvGet('company.dates', 'dur')).toEqual({ type: 'NUMBER', value: 60 });
    expect(await engine.kvGet('company.dates', 'iso')).toEqual({ type: 'DURATION', value: 'PT24H' });
    const short = (await engine.kvList('company.dates')).find((k) => k.key === 'short')!;
    expect(Date.parse(short.expirationDate!) - Date.parse(short.creationDate)).toBe(3_600_000);
  });
});

/**
 * FilterItems and DeduplicateItems (Kestra's FilterItemsTest / DeduplicateItemsTest cases) and
 * log.Fetch, on a real engine: LMDB, pool threads, the main thread, files in internal storage.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';
import type { Engine } from '../../src/runtime/engine.js';
import { parseIonRow } from '../../src/kv/index.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';

let t: { engine: Engine; dataDir: string; dispose: () => Promise<void> };
let dir: string;
let flowNo = 0;
beforeAll(async () => {
  t = await openTestEngine({ noSync: true, poolThreads: 2 });
  dir = tempDir();
});
afterAll(async () => t.dispose());

function ionFile(name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, rows.map((r) => `${r}\n`).join(''));
  return path;
}

async function run(tasks: string, inputs: Record<string, unknown> = {}): Promise<ExecutionJson> {
  const yaml = `id: items${flowNo++}
namespace: company.items
inputs:
  - id: f
    type: FILE
    required: false
tasks:
${tasks}`;
  const rec = await t.engine.deploy(yaml);
  return t.engine.waitFor(await t.engine.execute(rec.namespace, rec.id, inputs));
}

const out = (e: ExecutionJson, taskId: string) => e.taskRunList!.find((r) => r.taskId === taskId)!.outputs as Record<string, unknown>;
const read = async (uri: unknown) => text(await t.engine.storage.get(uri as string));
const errors = (e: ExecutionJson) => t.engine.logs(e.id).filter((l) => l.level === 'ERROR').map((l) => l.message).join('\n');

const VALID = ['{key:"k1",value:1}', '{key:"k2",value:2}', '{key:"k3",value:3}', '{key:"k4",value:4}'];
const INVALID = ['{key:"k1",value:1}', '{key:"k2",value:"dummy"}', '{key:"k3",value:3}', '{key:"k4",value:4}'];

function filter(condition: string, type: string, behaviour?: string): string {
  return `  - id: filter
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ inputs.f }}"
    filterCondition: "${condition}"
    filterType: ${type}
${behaviour ? `    errorOrNullBehavior: ${behaviour}\n` : ''}`;
}

describe('FilterItems', () => {
  it.each([
    ['INCLUDE', ' {{ value % 2 == 0 }} ', VALID, undefined, [1, 3], 2],
    ['EXCLUDE', ' {{ value % 2 == 0 }} ', VALID, undefined, [0, 2], 2],
    ['INCLUDE, errors included', ' {{ value % 2 == 0 }}', INVALID, 'INCLUDE', [1, 3], 2],
    ['INCLUDE, errors excluded', ' {{ value % 2 == 0 }}', INVALID, 'EXCLUDE', [3], 3],
    ['INCLUDE, a non-boolean value is truthy', '{{ value }}', VALID, 'FAIL', [0, 1, 2, 3], 0],
  ] as const)('%s', async (name, condition, rows, behaviour, kept, dropped) => {
    const f = ionFile(`filter-${name.replace(/\W+/g, '-')}.ion`, [...rows]);
    const e = await run(filter(condition, name.startsWith('EXCLUDE') ? 'EXCLUDE' : 'INCLUDE', behaviour), { f });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const o = out(e, 'filter');
    expect(o['processedItemsTotal']).toBe(4);
    expect(o['droppedItemsTotal']).toBe(dropped);
    expect(String(o['uri'])).toMatch(/^kestra:\/\/\/company\/items\/items\d+\/executions\/\w+\/tasks\/filter\/\w+\/\d{19}\.ion$/);
    expect(await read(o['uri'])).toBe(kept.map((i) => `${rows[i]}\n`).join(''));
  });

  it('fails on an item whose render fails (FAIL, the default), with the render\'s error', async () => {
    const e = await run(filter('{{ value % 2 == 0 }}', 'INCLUDE'), { f: ionFile('invalid.ion', INVALID) });
    expect(e.state.current).toBe('FAILED');
    expect(errors(e)).toMatch(/dummy|String|string/);
    expect(await t.engine.storage.list(`kestra:///company/items/${e.flowId}/executions/${e.id}/tasks/filter`)).toEqual([]);
  });

  it('reads the run\'s other variables, Ion values of every kind, and fails on a row that is not a struct', async () => {
    const f = ionFile('kinds.ion', [
      "{name:\"a\",'my key':true,n:1.5e0,d:2.50,when:2024-01-01T00:00:00.000Z,tags:[x,\"y\"],z:ZonedDateTime::\"2024-01-01T00:00+01:00[Europe/Paris]\"}",
      '{name:"b",\'my key\':false,n:2,tags:[]}',
    ]);
    const e = await run(`  - id: filter
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ inputs.f }}"
    filterCondition: "{{ flow.namespace == 'company.items' and name == 'a' and tags[1] == 'y' and n > 1 and d == 2.5 and when == '2024-01-01T00:00:00Z' and z is not empty }}"
`, { f });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(out(e, 'filter')['droppedItemsTotal']).toBe(1);
    const bad = await run(filter('{{ true }}', 'INCLUDE'), { f: ionFile('list.ion', ['{a:1}', '[1,2]']) });
    expect(bad.state.current).toBe('FAILED');
    expect(errors(bad)).toContain('Cannot read the item `[1,2]` as a map of fields');
  });
});

describe('DeduplicateItems', () => {
  it('keeps the last item of each key, in the original order (Kestra\'s DeduplicateItemsTest)', async () => {
    const rows = ['{id:1,v:"a"}', '{id:2,v:"b"}', '{id:1,v:"c"}', '{id:3,v:"d"}', '{id:2,v:"e"}', '{id:4,v:"f"}'];
    const e = await run(`  - id: dedup
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ inputs.f }}"
    expr: "{{ id }}"
`, { f: ionFile('dedup.ion', rows) });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const o = out(e, 'dedup');
    expect({ numKeys: o['numKeys'], processedItemsTotal: o['processedItemsTotal'], droppedItemsTotal: o['droppedItemsTotal'] }).toEqual({ numKeys: 4, processedItemsTotal: 6, droppedItemsTotal: 2 });
    expect(await read(o['uri'])).toBe(['{id:1,v:"c"}', '{id:3,v:"d"}', '{id:2,v:"e"}', '{id:4,v:"f"}'].map((r) => `${r}\n`).join(''));
  });

  it('streams a file of 50,000 rows with 10 keys', async () => {
    const path = join(dir, 'big.ion');
    writeFileSync(path, Array.from({ length: 50_000 }, (_, i) => `{k:${i % 10},i:${i}}\n`).join(''));
    const e = await run(`  - id: dedup
    type: io.kestra.plugin.core.storage.DeduplicateItems
    from: "{{ inputs.f }}"
    expr: "{{ k }}"
  - id: filter
    type: io.kestra.plugin.core.storage.FilterItems
    from: "{{ outputs.dedup.uri }}"
    filterCondition: "{{ k < 5 }}"
`, { f: path });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(out(e, 'dedup')['numKeys']).toBe(10);
    expect((await read(out(e, 'filter')['uri'])).split('\n').filter(Boolean).map((l) => parseIonRow(l))).toEqual(
      [0, 1, 2, 3, 4].map((k) => ({ k, i: 49_990 + k })),
    );
  });
});

describe('log.Fetch', () => {
  it('fetches the current execution\'s log lines at INFO and above into an ION file (Kestra\'s FetchTest)', async () => {
    const e = await run(`  - id: t1
    type: io.kestra.plugin.core.log.Log
    message: one
  - id: t2
    type: io.kestra.plugin.core.log.Log
    message: ["two \\"quoted\\"", "hidden"]
    level: DEBUG
  - id: t3
    type: io.kestra.plugin.core.log.Log
    message: three
    level: WARN
  - id: fetch
    type: io.kestra.plugin.core.log.Fetch
  - id: warn
    type: io.kestra.plugin.core.log.Fetch
    level: WARN
  - id: some
    type: io.kestra.plugin.core.log.Fetch
    level: TRACE
    tasksId: [t3, t2]
`);
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const fetched = out(e, 'fetch');
    expect(fetched['size']).toBe(2);
    expect(String(fetched['uri'])).toMatch(/\/executions\/\w+\/tasks\/fetch\/\w+\/\d{19}\.ion$/);
    const rows = (await read(fetched['uri'])).split('\n').filter(Boolean).map((l) => parseIonRow(l) as Record<string, unknown>);
    const t1 = e.taskRunList!.find((r) => r.taskId === 't1')!;
    expect(rows[0]).toEqual({
      tenantId: null, namespace: 'company.items', flowId: e.flowId, taskId: 't1', executionId: e.id, taskRunId: t1.id, attemptNumber: 1,
      triggerId: null, timestamp: expect.stringMatching(/^\d{4}-.*Z$/), level: 'INFO', thread: expect.stringMatching(/^troupe-pool-/), message: 'one', deleted: false,
    });
    expect(rows.map((r) => r['message'])).toEqual(['one', 'three']);
    expect(out(e, 'warn')['size']).toBe(1);
    const some = (await read(out(e, 'some')['uri'])).split('\n').filter(Boolean).map((l) => (parseIonRow(l) as Record<string, unknown>)['message']);
    expect(some).toEqual(['three', 'two "quoted"', 'hidden']);
  });

  it('fetches another execution by id (of this flow, or of the flow named), and refuses half a target', async () => {
    const first = await run(`  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: from the first
`);
    const e = await run(`  - id: other
    type: io.kestra.plugin.core.log.Fetch
    executionId: ${first.id}
    namespace: company.items
    flowId: ${first.flowId}
  - id: wrong_flow
    type: io.kestra.plugin.core.log.Fetch
    executionId: ${first.id}
  - id: half
    type: io.kestra.plugin.core.log.Fetch
    executionId: ${first.id}
    flowId: x
    allowFailure: true
`);
    expect(out(e, 'other')['size']).toBe(1);
    expect((parseIonRow((await read(out(e, 'other')['uri'])).trim()) as Record<string, unknown>)['message']).toBe('from the first');
    expect(out(e, 'wrong_flow')['size']).toBe(0);
    expect(errors(e)).toContain('Both `namespace` and `flowId` must be set when `executionId` is set.');
  });
});

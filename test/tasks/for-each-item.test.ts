/**
 * io.kestra.plugin.core.flow.ForEachItem on a real engine (threads, LMDB, internal storage): the
 * batches, the subflow executions and their inputs, the counts per state, merged outputs, wait,
 * transmitFailed, allowFailure/allowWarning, loops, and the window of children in flight.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';

let t: { engine: Engine; dataDir: string; dispose: () => Promise<void> };
let dir: string;
beforeAll(async () => {
  t = await openTestEngine({ noSync: true, shards: 2, poolThreads: 2, maxActiveRuns: 4 });
  dir = tempDir();
  await t.engine.deploy(`id: echo
namespace: fei
inputs:
  - id: items
    type: STRING
  - id: n
    type: INT
    required: false
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) | trim }}"
  - id: maybe
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ read(inputs.items) contains 'boom' }}"
outputs:
  - id: lines
    type: STRING
    value: "{{ outputs.r.value }}"
  - id: n
    type: INT
    value: "{{ inputs.n ?? 0 }}"
`);
  await t.engine.deploy(`id: quiet
namespace: fei
inputs:
  - id: items
    type: STRING
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ inputs.items }}"
`);
});
afterAll(async () => t.dispose());

function file(name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.map((l) => `${l}\n`).join(''));
  return p;
}

const numbered = (n: number, word = 'item'): string[] => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`);

async function run(tasks: string, inputs: Record<string, unknown>): Promise<ExecutionJson> {
  const yaml = `id: p${Math.random().toString(36).slice(2, 8)}
namespace: fei
inputs:
  - id: f
    type: FILE
tasks:
${tasks}`;
  const rec = await t.engine.deploy(yaml);
  return t.engine.waitFor(await t.engine.execute(rec.namespace, rec.id, inputs));
}

const runOf = (e: ExecutionJson, taskId: string) => e.taskRunList!.find((r) => r.taskId === taskId)!;
const out = (e: ExecutionJson, taskId: string) => runOf(e, taskId).outputs as Record<string, unknown>;
const errors = (e: ExecutionJson) => t.engine.logs(e.id).filter((l) => l.level === 'ERROR' || l.level === 'WARN').map((l) => l.message).join('\n');
const read = async (uri: unknown) => text(await t.engine.storage.get(uri as string));
const children = (e: ExecutionJson) => t.engine.list({ namespace: 'fei' }).filter((x) => x.trigger?.variables?.['executionId'] === e.id);

const each = (flowId: string, batch: string, more = '') => `  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.f }}"
    batch:
${batch}
    namespace: fei
    flowId: ${flowId}
    inputs:
      items: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
${more}${more ? '\n' : ''}`;

describe('ForEachItem', () => {
  it('runs a subflow per batch of rows, more batches than the window of children in flight, and merges their outputs in batch order', async () => {
    const e = await run(each('echo', '      rows: 3'), { f: file('ten.txt', numbered(10)) });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(e.taskRunList!.map((r) => r.taskId)).toEqual(['each', 'each_split', 'each_items', 'each_merge']);
    const split = out(e, 'each_split');
    expect(split['numberOfBatches']).toBe(4);
    expect(await read(split['splits'])).toMatch(/^kestra:\/\/\/fei\/p\w+\/executions\/\w+\/tasks\/each-split\/\w+\/1\.txt\n.*\/2\.txt\n.*\/3\.txt\n.*\/4\.txt$/);
    const items = runOf(e, 'each_items');
    expect(items.attempts).toHaveLength(1);
    expect(items.outputs).toEqual({ iterations: { CREATED: 0, RUNNING: 0, SUCCESS: 4 }, numberOfBatches: 4, subflowOutputsBaseUri: `/fei/${e.flowId}/executions/${e.id}/tasks/each-items/${items.id}` });
    const kids = children(e).sort((a, b) => (a.inputs!['n'] as number) - (b.inputs!['n'] as number));
    expect(kids.map((k) => k.inputs!['n'])).toEqual([1, 2, 3, 4]);
    expect(kids[0]!.inputs!['items']).toMatch(new RegExp(`^kestra:///fei/${e.flowId}/executions/${e.id}/tasks/each-split/.*\\.txt$`));
    expect(kids[0]!.labels).toContainEqual({ key: 'system.correlationId', value: e.id });
    expect(kids[0]!.trigger).toMatchObject({ id: 'each_items', type: 'io.kestra.plugin.core.flow.ForEachItem$ForEachItemExecutable' });
    expect(await read(out(e, 'each_merge')['subflowOutputs'])).toBe('{lines:"item 1\\nitem 2\\nitem 3",n:1}\n{lines:"item 4\\nitem 5\\nitem 6",n:2}\n{lines:"item 7\\nitem 8\\nitem 9",n:3}\n{lines:"item 10",n:4}\n');
  });

  it('splits by bytes and by partitions (empty partitions dropped); no merged file when the subflow has no outputs', async () => {
    const f = file('five.txt', numbered(5, 'x'));
    const bytes = await run(each('quiet', '      bytes: 8B'), { f });
    expect(bytes.state.current, errors(bytes)).toBe('SUCCESS');
    expect(out(bytes, 'each_split')['numberOfBatches']).toBe(3); // "x 1\n" is 4 bytes: a new batch once one holds 8
    expect(out(bytes, 'each_merge')).toEqual({});
    const parts = await run(each('quiet', '      partitions: 8'), { f });
    expect(out(parts, 'each_split')['numberOfBatches']).toBe(5);
    expect(out(parts, 'each_items')['iterations']).toMatchObject({ SUCCESS: 5 });
  });

  it('fails with the failed batches counted (transmitFailed), succeeds without transmitFailed, and converts by allowFailure/allowWarning', async () => {
    const f = file('some-boom.txt', ['ok', 'boom', 'ok', 'boom', 'ok']);
    const failed = await run(each('echo', '      rows: 1'), { f });
    expect(failed.state.current).toBe('FAILED');
    expect(failed.taskRunList!.map((r) => r.taskId)).toEqual(['each', 'each_split', 'each_items']);
    expect(out(failed, 'each_items')['iterations']).toEqual({ CREATED: 0, RUNNING: 0, SUCCESS: 3, FAILED: 2 });
    const kept = await run(each('echo', '      rows: 1', '    transmitFailed: false'), { f });
    expect(kept.state.current).toBe('SUCCESS');
    const allowed = await run(`${each('echo', '      rows: 1', '    allowFailure: true')}  - id: after
    type: io.kestra.plugin.core.log.Log
    message: after`, { f });
    expect(allowed.state.current).toBe('WARNING');
    expect(runOf(allowed, 'each').state.current).toBe('WARNING');
    expect(runOf(allowed, 'each_items').state.current).toBe('FAILED');
    expect(runOf(allowed, 'after').state.current).toBe('SUCCESS');
    const both = await run(each('echo', '      rows: 1', '    allowFailure: true\n    allowWarning: true'), { f });
    expect(both.state.current).toBe('SUCCESS');
  });

  it('without wait, counts every durably created subflow as SUCCESS and does not wait for them', async () => {
    const e = await run(each('echo', '      rows: 2', '    wait: false'), { f: file('w.txt', numbered(9)) });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(out(e, 'each_items')).toMatchObject({ iterations: { RUNNING: 0, SUCCESS: 5 }, numberOfBatches: 5 });
    const kids = children(e);
    expect(kids).toHaveLength(5);
    await Promise.all(kids.map((k) => t.engine.waitFor(k.id)));
  });

  it('an empty file makes no batch: _items succeeds at once and _merge outputs nothing', async () => {
    const e = await run(each('echo', '      rows: 1'), { f: file('empty.txt', []) });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(out(e, 'each_split')['numberOfBatches']).toBe(0);
    expect(runOf(e, 'each_items').outputs).toBeNull();
    expect(out(e, 'each_merge')).toEqual({});
  });

  it('refuses items that are not an internal storage URI', async () => {
    const yaml = `  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "/etc/passwd"
    namespace: fei
    flowId: quiet
    inputs:
      items: "{{ taskrun.items }}"`;
    const e = await run(yaml, { f: file('x.txt', ['a']) });
    expect(e.state.current).toBe('FAILED');
    expect(errors(e)).toContain('Unable to split the items from /etc/passwd, this is not an internal storage URI!');
  });

  it('fails _items when the subflow does not exist', async () => {
    const e = await run(each('nowhere', '      rows: 1'), { f: file('y.txt', ['a', 'b']) });
    expect(e.state.current).toBe('FAILED');
    expect(errors(e)).toContain("Unable to find flow 'fei'.'nowhere'");
  });

  it('inside a ForEach: each value gets its own batches, counts and merged outputs', async () => {
    const tasks = `  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b"]
    tasks:
${each('echo', '          rows: 2').replace(/^ {2}/gm, '      ')}`;
    const e = await run(tasks, { f: file('loop.txt', numbered(3)) });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const merges = e.taskRunList!.filter((r) => r.taskId === 'each_merge');
    expect(merges).toHaveLength(2);
    for (const m of merges) expect(await read((m.outputs as Record<string, unknown>)['subflowOutputs'])).toBe('{lines:"item 1\\nitem 2",n:1}\n{lines:"item 3",n:2}\n');
    expect(e.taskRunList!.filter((r) => r.taskId === 'each_items').map((r) => (r.outputs as Record<string, unknown>)['iterations'])).toEqual([
      { CREATED: 0, RUNNING: 0, SUCCESS: 2 },
      { CREATED: 0, RUNNING: 0, SUCCESS: 2 },
    ]);
  });

  it('refuses a flow whose task ids collide with the parts', async () => {
    await expect(t.engine.deploy(`id: clash
namespace: fei
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.f }}"
    namespace: fei
    flowId: quiet
  - id: each_split
    type: io.kestra.plugin.core.log.Log
    message: x
`)).rejects.toThrow(/each_split/);
  });
});

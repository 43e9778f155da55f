import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';

let t: { engine: Engine; dataDir: string; dispose: () => Promise<void> };
let items: string;
beforeAll(async () => {
  t = await openTestEngine({ noSync: true, poolThreads: 2 });
  const dir = tempDir();
  items = join(dir, 'items.txt');
  writeFileSync(items, Array.from({ length: 10 }, (_, i) => `item ${i + 1}`).join('\n') + '\n');
});
afterAll(async () => t.dispose());

async function run(tasks: string, inputs: Record<string, unknown> = { f: items }): Promise<ExecutionJson> {
  const yaml = `id: st${Math.random().toString(36).slice(2, 8)}
namespace: company.storage
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

describe('storage tasks', () => {
  it('Split by rows, bytes and partitions, keeping the extension; Concat puts them back with the separator after each', async () => {
    const e = await run(`  - id: rows
    type: io.kestra.plugin.core.storage.Split
    from: "{{ inputs.f }}"
    rows: 4
  - id: bytes
    type: io.kestra.plugin.core.storage.Split
    from: "{{ inputs.f }}"
    bytes: 14B
  - id: parts
    type: io.kestra.plugin.core.storage.Split
    from: "{{ inputs.f }}"
    partitions: 3
  - id: concat
    type: io.kestra.plugin.core.storage.Concat
    files: "{{ outputs.rows.uris }}"
    extension: .txt
  - id: joined
    type: io.kestra.plugin.core.storage.Concat
    files: ["{{ outputs.parts.uris[0] }}", "{{ outputs.parts.uris[1] }}"]
    separator: "--\\n"
`);
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const rows = out(e, 'rows')['uris'] as string[];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(new RegExp(`^kestra:///company/storage/${e.flowId}/executions/${e.id}/tasks/rows/[^/]+/[0-9]+\\.txt$`));
    expect(await read(rows[0])).toBe('item 1\nitem 2\nitem 3\nitem 4\n');
    expect(await read(rows[2])).toBe('item 9\nitem 10\n');
    // 14 bytes: a new file once the current one holds at least 14 (each line is 7 bytes, item 10 is 8).
    expect((out(e, 'bytes')['uris'] as string[]).length).toBe(5);
    const parts = out(e, 'parts')['uris'] as string[];
    expect(await Promise.all(parts.map(read))).toEqual(['item 1\nitem 4\nitem 7\nitem 10\n', 'item 2\nitem 5\nitem 8\n', 'item 3\nitem 6\nitem 9\n']);
    expect(await read(out(e, 'concat')['uri'])).toBe(await read(`kestra:///company/storage/${e.flowId}/executions/${e.id}/inputs/f/items.txt`));
    expect(out(e, 'concat')['uri']).toMatch(/\.txt$/);
    expect(await read(out(e, 'joined')['uri'])).toBe('item 1\nitem 4\nitem 7\nitem 10\n--\nitem 2\nitem 5\nitem 8\n--\n');
  });

  it('Split without a size, rows or partitions fails with Kestra\'s message', async () => {
    const e = await run(`  - id: split
    type: io.kestra.plugin.core.storage.Split
    from: "{{ inputs.f }}"
`);
    expect(e.state.current).toBe('FAILED');
    expect(errors(e)).toContain('Invalid configuration with no size, count, nor rows');
  });

  it('Size, Reverse, Write, Delete (errorOnMissing) and PurgeCurrentExecutionFiles', async () => {
    const e = await run(`  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ inputs.f }}"
  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ inputs.f }}"
  - id: write
    type: io.kestra.plugin.core.storage.Write
    content: "hello {{ outputs.size.size }}"
    extension: .txt
  - id: delete
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.write.uri }}"
  - id: again
    type: io.kestra.plugin.core.storage.Delete
    uri: "{{ outputs.write.uri }}"
  - id: purge
    type: io.kestra.plugin.core.storage.PurgeCurrentExecutionFiles
`);
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    expect(out(e, 'size')).toEqual({ size: 71 });
    expect(out(e, 'write')['uri']).toMatch(/\/tasks\/write\/[^/]+\/[0-9]+\.txt$/);
    expect(out(e, 'delete')).toEqual({ uri: out(e, 'write')['uri'], deleted: true });
    expect(out(e, 'again')['deleted']).toBe(false);
    const purged = out(e, 'purge')['uris'] as string[];
    expect(purged).toContain(out(e, 'reverse')['uri']);
    expect(purged).toContain(`kestra:///company/storage/${e.flowId}/executions/${e.id}/inputs/f/items.txt`);
    expect(await t.engine.storage.list(`kestra:///company/storage/${e.flowId}/executions/${e.id}`)).toEqual([]);
  });

  it('Reverse reads backwards across blocks, Java line breaks included', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.csv');
    const lines = Array.from({ length: 30_000 }, (_, i) => `row ${i}`);
    writeFileSync(big, lines.join('\r\n') + '\r\n');
    const e = await run(`  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ inputs.f }}"
`, { f: big });
    expect(e.state.current, errors(e)).toBe('SUCCESS');
    const uri = out(e, 'reverse')['uri'] as string;
    expect(uri).toMatch(/\.csv$/);
    expect(await read(uri)).toBe(lines.reverse().join('\n') + '\n');
    const mixed = join(dir, 'mixed.txt');
    writeFileSync(mixed, '\na\rb\r\n\nc');
    const m = await run(`  - id: reverse
    type: io.kestra.plugin.core.storage.Reverse
    from: "{{ inputs.f }}"
    separator: "|"
`, { f: mixed });
    expect(await read(out(m, 'reverse')['uri'])).toBe('c||b|a||');
    expect(readdirSync(join(t.dataDir, 'work')).filter((n) => n.startsWith('reverse-'))).toEqual([]);
  });

  it("fails on a missing file, another execution's file, an escaping URI, and Delete errorOnMissing", async () => {
    const first = await run(`  - id: size
    type: io.kestra.plugin.core.storage.Size
    uri: "{{ inputs.f }}"
`);
    const foreign = first.inputs!['f'] as string;
    const e = await run(`  - id: missing
    type: io.kestra.plugin.core.storage.Size
    allowFailure: true
    uri: "kestra:///company/storage/{{ flow.id }}/executions/{{ execution.id }}/none.txt"
  - id: foreign
    type: io.kestra.plugin.core.storage.Concat
    allowFailure: true
    files: ["${foreign}"]
  - id: escape
    type: io.kestra.plugin.core.storage.Size
    allowFailure: true
    uri: "kestra:///company/%2e%2e/%2e%2e/etc/passwd"
  - id: strict
    type: io.kestra.plugin.core.storage.Delete
    allowFailure: true
    uri: "{{ inputs.f }}-none"
    errorOnMissing: true
`);
    const attempt = (id: string) => e.taskRunList!.find((r) => r.taskId === id)!.attempts!.at(-1)!.state.current;
    expect(['missing', 'foreign', 'escape', 'strict'].map(attempt)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
    const log = errors(e);
    expect(log).toContain('not found in internal storage');
    expect(log).toContain(`Unable to read the file '${foreign}' as it didn't belong to the current execution`);
    expect(log).toContain("'..' is not allowed");
    expect(log).toContain(`Unable to find file '`);
  });
});

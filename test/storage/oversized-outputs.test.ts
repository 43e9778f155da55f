/**
 * Oversized outputs (storage/oversized-outputs.ts): a task run whose outputs pass the engine's
 * `maxOutputBytes` keeps them small in its record — its largest values move to internal storage as
 * files, replaced by their URIs — and a later task reads them back with `read()`. Real engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { jsonBytesUpTo } from '../../src/storage/oversized-outputs.js';
import { openTestEngine } from '../helpers/engine.js';

let t: { engine: Engine; dataDir: string; dispose: () => Promise<void> };
beforeAll(async () => {
  t = await openTestEngine({ noSync: true, poolThreads: 1, maxOutputBytes: 2000 });
});
afterAll(async () => t.dispose());

describe('oversized outputs', () => {
  it('moves the largest values to storage, keeps the small ones, and read() brings them back', async () => {
    const rec = await t.engine.deploy(`id: big
namespace: company.big
tasks:
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      small: tiny
      text: "{% for i in range(1, 300) %}line {{ i }} {% endfor %}"
      list:
        - "{% for i in range(1, 400) %}ab{% endfor %}"
        - "{% for i in range(1, 400) %}cd{% endfor %}"
        - "{% for i in range(1, 400) %}ef{% endfor %}"
        - "{% for i in range(1, 400) %}gh{% endfor %}"
  - id: back
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.values.values.small }} {{ read(outputs.values.values.text) | length }} {{ fromJson(read(outputs.values.values.list)) | length }}"
  - id: fits
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.back.value }}"
`);
    const e = await t.engine.waitFor(await t.engine.execute(rec.namespace, rec.id));
    expect(e.state.current, t.engine.logs(e.id).map((l) => l.message).join('\n')).toBe('SUCCESS');
    const outputs = e.taskRunList!.find((r) => r.taskId === 'values')!.outputs!;
    expect(jsonBytesUpTo(outputs, 2000)).toBeLessThanOrEqual(2000);
    const values = outputs['values'] as Record<string, unknown>;
    expect(values['small']).toBe('tiny');
    expect(values['text']).toMatch(/^kestra:\/\/\/company\/big\/big\/executions\/\w+\/tasks\/values\/\w+\/\d{19}\.txt$/);
    expect(values['list']).toMatch(/\/\d{19}\.json$/);
    expect(e.taskRunList!.find((r) => r.taskId === 'fits')!.outputs).toEqual({ value: expect.stringMatching(/^tiny \d+ 4$/) });
    expect(t.engine.logs(e.id).find((l) => l.level === 'WARN')?.message).toMatch(/^Output 'values\.(text|list)' \(\d+ bytes\) is over the limit of 2000 bytes \(maxOutputBytes\): stored in kestra:\/\/\//);
  });

  it('read() and fileSize() work in shard-side renders too: runIf and flow outputs', async () => {
    const rec = await t.engine.deploy(`id: shard_read
namespace: company.big
tasks:
  - id: w
    type: io.kestra.plugin.core.storage.Write
    content: hello
  - id: when
    type: io.kestra.plugin.core.debug.Return
    runIf: "{{ fileSize(outputs.w.uri) == 5 and read(outputs.w.uri) == 'hello' }}"
    format: ran
outputs:
  - id: text
    type: STRING
    value: "{{ read(outputs.w.uri) }}"
`);
    const e = await t.engine.waitFor(await t.engine.execute(rec.namespace, rec.id));
    expect(e.state.current, t.engine.logs(e.id).map((l) => l.message).join('\n')).toBe('SUCCESS');
    expect(e.taskRunList!.find((r) => r.taskId === 'when')!.outputs).toEqual({ value: 'ran' });
    expect(e.outputs).toEqual({ text: 'hello' });
    const other = await t.engine.deploy(`id: shard_read_other
namespace: company.big
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    runIf: "{{ read('${e.taskRunList![0]!.outputs!['uri'] as string}') == 'hello' }}"
    format: never
`);
    const o = await t.engine.waitFor(await t.engine.execute(other.namespace, other.id));
    expect(o.state.current).toBe('FAILED');
    expect(t.engine.logs(o.id).map((l) => l.message).join('\n')).toContain("as it didn't belong to the current execution");
  });
});

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';

const FLOW = `id: files
namespace: company.team
inputs:
  - id: f
    type: FILE
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.f) }}|{{ fileSize(inputs.f) }}|{{ fileURI('/dir/a b.txt') }}"
`;

const READER = `id: reader
namespace: company.team
inputs:
  - id: uri
    type: STRING
tasks:
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.uri) }}"
`;

let t: { engine: Engine; dataDir: string; dispose: () => Promise<void> };
let local: string;
beforeAll(async () => {
  t = await openTestEngine({ noSync: true, poolThreads: 1 });
  await t.engine.deploy(FLOW);
  await t.engine.deploy(READER);
  local = join(tempDir(), 'data.csv');
  writeFileSync(local, 'a,b\n1,2\n');
});
afterAll(async () => t.dispose());

describe('FILE inputs', () => {
  it('stores a local file in the execution, keeping its name; tasks read it with read() and fileSize()', async () => {
    const id = await t.engine.execute('company.team', 'files', { f: local });
    const done = await t.engine.waitFor(id);
    const uri = `kestra:///company/team/files/executions/${id}/inputs/f/data.csv`;
    expect(done.inputs).toEqual({ f: uri });
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList![0]!.outputs).toEqual({ value: 'a,b\n1,2\n|8|kestra:///company/team/_files/dir/a b.txt' });
    expect(await text(await t.engine.storage.get(uri))).toBe('a,b\n1,2\n');
    expect(existsSync(local)).toBe(true);
  });

  it("keeps a URI of the execution's own, and copies another execution's file into this one", async () => {
    const first = await t.engine.execute('company.team', 'files', { f: local });
    const firstUri = (await t.engine.waitFor(first)).inputs!['f'] as string;
    const second = await t.engine.execute('company.team', 'files', { f: firstUri });
    const done = await t.engine.waitFor(second);
    expect(done.inputs!['f']).toBe(`kestra:///company/team/files/executions/${second}/inputs/f/data.csv`);
    expect(done.state.current).toBe('SUCCESS');
  });

  it('refuses a missing local file, a missing stored file and an escaping URI, storing nothing', async () => {
    const before = t.engine.list().length;
    await expect(t.engine.execute('company.team', 'files', { f: join(t.dataDir, 'nope.csv') })).rejects.toMatchObject({ code: 'TROUPE_INPUT_INVALID', message: expect.stringContaining('does not exist') });
    await expect(t.engine.execute('company.team', 'files', { f: 'kestra:///company/team/files/executions/X/inputs/f/none.csv' })).rejects.toMatchObject({ code: 'TROUPE_INPUT_INVALID', message: expect.stringContaining('does not exist in internal storage') });
    await expect(t.engine.execute('company.team', 'files', { f: 'kestra:///company/../../../etc/passwd' })).rejects.toMatchObject({ code: 'TROUPE_INPUT_INVALID', message: expect.stringContaining("'..' is not allowed") });
    expect(t.engine.list().length).toBe(before);
    expect(readdirSync(t.engine.storage.tmpDir)).toEqual([]);
  });

  it("fails a task that reads another execution's file, or a path that escapes", async () => {
    const owner = await t.engine.execute('company.team', 'files', { f: local });
    const uri = (await t.engine.waitFor(owner)).inputs!['f'] as string;
    const other = await t.engine.waitFor(await t.engine.execute('company.team', 'reader', { uri }));
    expect(other.state.current).toBe('FAILED');
    expect(t.engine.logs(other.id).map((l) => l.message).join('\n')).toContain(`Unable to read the file '${uri}' as it didn't belong to the current execution`);
    const escape = await t.engine.waitFor(await t.engine.execute('company.team', 'reader', { uri: '../../../../etc/passwd' }));
    expect(escape.state.current).toBe('FAILED');
    expect(t.engine.logs(escape.id).map((l) => l.message).join('\n')).toContain("'..' is not allowed");
  });
});

describe('troupe --input f=@path', () => {
  it('names a local file by its absolute path; @@ keeps a literal @', async () => {
    const { parseInputs } = await import('../../src/cli/args.js');
    expect(parseInputs(['f=@data/x.csv', 'g=@@handle', 'h=kestra:///a/b'])).toEqual({ f: join(process.cwd(), 'data/x.csv'), g: '@handle', h: 'kestra:///a/b' });
    expect(() => parseInputs(['f=@'])).toThrow("needs a path after '@'");
  });
});

import { existsSync, readdirSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { multipart, openTestApp, waitState, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});
async function open(): Promise<TestApp> {
  t = await openTestApp();
  await t.engine.deploy(FILE_FLOW);
  return t;
}
const FILE_FLOW = `id: files
namespace: test.api
inputs:
  - id: doc
    type: FILE
  - id: csv
    type: FILE
    required: false
    extension: .csv
  - id: name
    type: STRING
    required: false
tasks:
  - id: log
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.doc) }}"
`;

describe('FILE inputs uploaded to POST /executions/{namespace}/{flowId}', () => {
  it('stores the file part whose filename names the input, as Kestra names it', async () => {
    const { app, engine } = await open();
    const form = multipart({ name: 'Ada' }, [
      { field: 'files', filename: 'doc', content: 'a,b\n1,2' },
      { field: 'files', filename: 'csv', content: 'x' },
    ]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files?wait=true', ...form });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.state.current).toBe('SUCCESS');
    expect(body.inputs.doc).toMatch(new RegExp(`^kestra:///test/api/files/executions/${body.id}/inputs/doc/doc_[0-9]+\\.upl$`));
    expect(body.inputs.csv).toMatch(/\/inputs\/csv\/csv_[0-9]+\.csv$/);
    expect(await text(await engine.storage.get(body.inputs.doc))).toBe('a,b\n1,2');
    expect(readdirSync(engine.storage.tmpDir)).toEqual([]);
    const done = await engine.waitFor(body.id);
    expect(done.taskRunList![0]!.outputs).toEqual({ value: 'a,b\n1,2' });
  });

  it("refuses an empty upload with Kestra's message, leaving nothing behind", async () => {
    const { app, engine } = await open();
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files', ...multipart({}, [{ field: 'files', filename: 'doc', content: '' }]) });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toContain("Can't upload file: doc");
    expect(engine.list()).toEqual([]);
    expect(readdirSync(engine.storage.tmpDir)).toEqual([]);
  });

  it('never reads a path on the server given as text, and refuses a file for a non-FILE input', async () => {
    const { app, engine } = await open();
    const path = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files', ...multipart({ doc: '/etc/passwd' }) });
    expect(path.statusCode).toBe(422);
    expect(path.json().message).toContain('must be uploaded as a file part');
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files', ...multipart({}, [{ field: 'files', filename: 'name', content: 'x' }]) });
    expect(wrong.statusCode).toBe(422);
    expect(engine.list()).toEqual([]);
  });

  it('takes a kestra:// URI as text, copying the stored file into the new execution', async () => {
    const { app, engine } = await open();
    const first = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files?wait=true', ...multipart({}, [{ field: 'files', filename: 'doc', content: 'again' }]) });
    const uri = first.json().inputs.doc as string;
    const second = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files?wait=true', ...multipart({ doc: uri }) });
    expect(second.statusCode).toBe(200);
    expect(second.json().inputs.doc).toContain(`/executions/${second.json().id}/inputs/doc/`);
    expect(second.json().state.current).toBe('SUCCESS');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files', ...multipart({ doc: 'kestra:///test/api/files/executions/none/x.txt' }) });
    expect(missing.statusCode).toBe(422);
    expect(engine.list().length).toBe(2);
  });
});

describe('every declared FILE upload is stored', () => {
  it('takes a file part by its field name when its filename names no input (curl -F doc=@file)', async () => {
    const { app, engine } = await open();
    const res = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files?wait=true', ...multipart({}, [{ field: 'doc', filename: 'report.txt', content: 'by field' }]) });
    expect(res.statusCode).toBe(200);
    expect(res.json().inputs.doc).toMatch(new RegExp(`^kestra:///test/api/files/executions/${res.json().id}/inputs/doc/doc_[0-9]+\\.upl$`));
    expect(await text(await engine.storage.get(res.json().inputs.doc))).toBe('by field');
    expect(res.json().state.current).toBe('SUCCESS');
  });

  it('stores a FILE onResume input uploaded to resume in the execution, before the 204', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(`id: approve
namespace: test.api
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: proof
        type: FILE
        extension: .txt
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.wait.onResume.proof) }}"
`);
    const id = await engine.execute('test.api', 'approve');
    await waitState(engine, id, 'PAUSED');
    // A local path as text is refused, nothing stored; the upload is stored as Kestra names it.
    const path = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume`, ...multipart({ proof: '/etc/hostname' }) });
    expect(path.statusCode).toBe(422);
    expect(engine.get(id)?.state.current).toBe('PAUSED');
    const res = await app.inject({ method: 'POST', url: `/api/v1/executions/${id}/resume`, ...multipart({}, [{ field: 'files', filename: 'proof', content: 'signed' }]) });
    expect(res.statusCode).toBe(204);
    const done = await engine.waitFor(id);
    expect(done.state.current).toBe('SUCCESS');
    const uri = (done.taskRunList![0]!.outputs as { onResume: { proof: string } }).onResume.proof;
    expect(uri).toMatch(new RegExp(`^kestra:///test/api/approve/executions/${id}/inputs/proof/proof_[0-9]+\\.txt$`));
    expect(done.taskRunList![1]!.outputs).toEqual({ value: 'signed' });
    expect(readdirSync(engine.storage.tmpDir)).toEqual([]);
  });
});

describe('POST /executions/{namespace}/{flowId}/validate', () => {
  it("reports each input's typed value or errors, enabled or not, and creates nothing", async () => {
    t = await openTestApp();
    const { app, engine } = t;
    await engine.deploy(`id: checked
namespace: test.api
inputs:
  - id: count
    type: INT
    min: 1
  - id: name
    type: STRING
    defaults: world
  - id: doc
    type: FILE
    required: false
    extension: .csv
  - id: detail
    type: STRING
    required: false
    dependsOn:
      inputs: [count]
      condition: "{{ inputs.count > 5 }}"
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: hi
`);
    for (const base of ['/api/v1', '/api/v1/main']) {
      const res = await app.inject({ method: 'POST', url: `${base}/executions/test.api/checked/validate`, ...multipart({ count: '0', detail: 'x', other: 'ignored' }, [{ field: 'files', filename: 'doc', content: 'a,b' }]) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.id).toBe('checked');
      expect(body.namespace).toBe('test.api');
      expect(body.inputs.map((i: { input: { id: string } }) => i.input.id)).toEqual(['count', 'name', 'doc', 'detail']);
      expect(body.inputs[0]).toEqual({ input: { id: 'count', type: 'INT', required: true, min: 1 }, value: '0', enabled: true, errors: [{ message: expect.stringMatching(/^Invalid input for `count`, .*1/) }] });
      expect(body.inputs[1]).toMatchObject({ input: { id: 'name', defaults: 'world' }, value: 'world', enabled: true, errors: [] });
      expect(body.inputs[2].value).toMatch(/^kestra:\/\/\/test\/api\/checked\/executions\/[0-9A-Za-z]+\/inputs\/doc\/doc\.csv$/);
      expect(body.inputs[2].errors).toEqual([]);
      // Disabled by its condition (count is not > 5): reported, not checked.
      expect(body.inputs[3]).toMatchObject({ enabled: false, errors: [] });
    }
    const ok = (await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/checked/validate', ...multipart({ count: '9', detail: 'more' }) })).json();
    expect(ok.inputs.every((i: { errors: unknown[] }) => i.errors.length === 0)).toBe(true);
    expect(ok.inputs[0].value).toBe(9);
    expect(ok.inputs[3]).toMatchObject({ value: 'more', enabled: true });
    // Missing required input; a local path is never read; no body at all.
    const none = (await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/checked/validate' })).json();
    expect(none.inputs[0].errors).toEqual([{ message: 'Invalid input for `count`, missing required input, but received `null`' }]);
    expect(none.inputs[0]).not.toHaveProperty('value');
    const path = (await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/checked/validate', ...multipart({ count: '2', doc: '/etc/passwd' }) })).json();
    expect(path.inputs[2].errors[0].message).toMatch(/^Invalid input for `doc`/);
    expect(engine.list()).toEqual([]);
    expect(existsSync(engine.storage.tmpDir) ? readdirSync(engine.storage.tmpDir) : []).toEqual([]);
  });

  it('404 for an unknown flow or revision, 409 for a disabled one, 422 for a system label, 415 for JSON', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    const missing = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/nope/validate', ...multipart({ a: 'b' }) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Not Found: Requested Flow is not found.');
    await engine.deploy(FILE_FLOW);
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files/validate?revision=4' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files/validate?labels=system.x:y' })).statusCode).toBe(422);
    expect((await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files/validate', headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(415);
    await engine.deploy(`${FILE_FLOW}disabled: true\n`);
    const disabled = await app.inject({ method: 'POST', url: '/api/v1/executions/test.api/files/validate' });
    expect(disabled.statusCode).toBe(409);
    expect(disabled.json().message).toBe('Illegal state: Requested Flow is disabled.');
    expect(engine.list()).toEqual([]);
  });
});

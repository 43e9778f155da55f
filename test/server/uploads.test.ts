import { readdirSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { multipart, openTestApp, type TestApp } from './helpers.js';

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

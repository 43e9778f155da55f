import { afterEach, describe, expect, it } from 'vitest';
import { writeZip } from '../../src/storage/zip.js';
import { LOG_FLOW, openTestApp, YAML, type TestApp } from './helpers.js';

/** A multipart body with one binary file part. */
function filePart(field: string, filename: string, content: Buffer | string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----troupeimport';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  return { payload: Buffer.concat([head, Buffer.from(content), Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const named = (id: string, ns = 'test.imp'): string => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${id}\n`;

const PARENT_FLOW = `id: parent
namespace: test.api
inputs:
  - id: which
    type: STRING
    required: false
tasks:
  - id: call
    type: io.kestra.plugin.core.flow.Subflow
    namespace: test.api
    flowId: hello
`;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});
async function open(): Promise<TestApp> {
  t = await openTestApp();
  return t;
}

describe.each(['/api/v1', '/api/v1/main'])('flows under %s', (base) => {
  it('creates a flow from YAML: revision 1, source echoed; a second create is a 422', async () => {
    const { app } = await open();
    const res = await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'hello', namespace: 'test.api', revision: 1, source: LOG_FLOW, disabled: false, deleted: false, labels: [{ key: 'team', value: 'core' }] });
    const again = await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    expect(again.statusCode).toBe(422);
    expect(again.json().message).toBe('Invalid entity: flow.id: Flow id already exists');
    expect(again.json()._embedded.errors[0]).toMatchObject({ path: 'flow.id' });
  });

  it('answers invalid YAML with a 422 naming line and column, and stores nothing', async () => {
    const { app, engine } = await open();
    const bad = 'id: x\nnamespace: test.api\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    mesage: hi\n';
    const res = await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: bad });
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.message).toMatch(/^Invalid entity: /);
    expect(body._embedded.errors.map((e: { message: string }) => e.message)).toContainEqual(expect.stringMatching(/^6:5: tasks\[0\]/));
    expect(body._links.self.href).toBe(`${base}/flows`);
    expect(engine.listFlows()).toEqual([]);
    const syntax = await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: 'id: [unclosed\n' });
    expect(syntax.statusCode).toBe(422);
  });

  it('refuses a JSON or unknown content type with a 415, an empty body with a 422', async () => {
    const { app } = await open();
    expect((await app.inject({ method: 'POST', url: `${base}/flows`, headers: { 'content-type': 'application/json' }, payload: '{"id":"x"}' })).statusCode).toBe(415);
    expect((await app.inject({ method: 'POST', url: `${base}/flows`, headers: { 'content-type': 'image/png' }, payload: 'x' })).statusCode).toBe(415);
    expect((await app.inject({ method: 'POST', url: `${base}/flows` })).statusCode).toBe(422);
  });

  it('gets a flow with or without source, by revision, and 404s unknown ones', async () => {
    const { app } = await open();
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    const plain = await app.inject({ url: `${base}/flows/test.api/hello` });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).not.toHaveProperty('source');
    expect((await app.inject({ url: `${base}/flows/test.api/hello?source=true` })).json().source).toBe(LOG_FLOW);
    expect((await app.inject({ url: `${base}/flows/test.api/hello?revision=1` })).json().revision).toBe(1);
    const missing = await app.inject({ url: `${base}/flows/test.api/nope` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Not Found');
    expect((await app.inject({ url: `${base}/flows/test.api/hello?revision=0` })).statusCode).toBe(422);
  });

  it('updates a flow (same source keeps the revision), refuses id or namespace changes, 404s unknown', async () => {
    const { app } = await open();
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    const same = await app.inject({ method: 'PUT', url: `${base}/flows/test.api/hello`, headers: YAML, payload: LOG_FLOW });
    expect(same.json().revision).toBe(1);
    const changed = LOG_FLOW.replace('hello {{', 'hi {{');
    const next = await app.inject({ method: 'PUT', url: `${base}/flows/test.api/hello`, headers: YAML, payload: changed });
    expect(next.statusCode).toBe(200);
    expect(next.json()).toMatchObject({ revision: 2, source: changed });
    const renamed = await app.inject({ method: 'PUT', url: `${base}/flows/test.api/hello`, headers: YAML, payload: LOG_FLOW.replace('id: hello', 'id: other') });
    expect(renamed.statusCode).toBe(422);
    expect(renamed.json().message).toBe('Invalid entity: flow.id: Illegal flow id update');
    const moved = await app.inject({ method: 'PUT', url: `${base}/flows/test.api/hello`, headers: YAML, payload: LOG_FLOW.replace('namespace: test.api', 'namespace: test.other') });
    expect(moved.json().message).toBe('Invalid entity: flow.namespace: Illegal namespace update');
    expect((await app.inject({ method: 'PUT', url: `${base}/flows/test.api/nope`, headers: YAML, payload: LOG_FLOW.replace('id: hello', 'id: nope') })).statusCode).toBe(404);
    const revisions = await app.inject({ url: `${base}/flows/test.api/hello/revisions` });
    expect(revisions.json().map((f: { revision: number }) => f.revision)).toEqual([1, 2]);
  });

  it('deletes a flow as a revision: hidden unless allowDeleted, re-creation continues the numbering', async () => {
    const { app } = await open();
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    expect((await app.inject({ method: 'DELETE', url: `${base}/flows/test.api/hello` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `${base}/flows/test.api/hello` })).statusCode).toBe(404);
    expect((await app.inject({ url: `${base}/flows/test.api/hello` })).statusCode).toBe(404);
    expect((await app.inject({ url: `${base}/flows/test.api/hello?allowDeleted=true` })).json()).toMatchObject({ revision: 2, deleted: true });
    const again = await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW });
    expect(again.json().revision).toBe(3);
  });

  it('searches flows by namespace prefix, q and labels, paged, and lists a namespace exactly', async () => {
    const { app } = await open();
    for (const [ns, id] of [['test.api', 'a'], ['test.api.sub', 'b'], ['test.apix', 'c'], ['other', 'd']]) {
      await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: LOG_FLOW.replace('id: hello', `id: ${id}`).replace('namespace: test.api', `namespace: ${ns}`) });
    }
    const byNs = await app.inject({ url: `${base}/flows/search?namespace=test.api&sort=id:desc` });
    expect(byNs.json().total).toBe(2);
    expect(byNs.json().results.map((f: { id: string }) => f.id)).toEqual(['b', 'a']);
    expect((await app.inject({ url: `${base}/flows/search?q=D` })).json().results.map((f: { id: string }) => f.id)).toEqual(['d']);
    expect((await app.inject({ url: `${base}/flows/search?labels=team:core&size=2&page=2` })).json()).toMatchObject({ total: 4 });
    expect((await app.inject({ url: `${base}/flows/search?labels=team:other` })).json().total).toBe(0);
    expect((await app.inject({ url: `${base}/flows/search?page=0` })).statusCode).toBe(422);
    expect((await app.inject({ url: `${base}/flows/search?sort=bogus` })).statusCode).toBe(422);
    expect((await app.inject({ url: `${base}/flows/search?labels=nokey` })).statusCode).toBe(422);
    expect((await app.inject({ url: `${base}/flows/test.api` })).json().map((f: { id: string }) => f.id)).toEqual(['a']);
  });

  it('validates several documents, never answering 4xx for bad flows', async () => {
    const { app } = await open();
    const res = await app.inject({ method: 'POST', url: `${base}/flows/validate`, headers: YAML, payload: `${LOG_FLOW}---\nid: broken\nnamespace: test.api\ntasks: []\n` });
    expect(res.statusCode).toBe(200);
    const [ok, bad] = res.json();
    expect(ok).toMatchObject({ index: 0, flow: 'hello', namespace: 'test.api', outdated: false, deprecationPaths: [], warnings: [], infos: [] });
    expect(ok).not.toHaveProperty('constraints');
    expect(bad.index).toBe(1);
    expect(bad.constraints).toMatch(/tasks/);
  });

  it('bulk-updates a namespace: others deleted (returned as they were), docs created or updated', async () => {
    const { app, engine } = await open();
    const flow = (id: string, msg = 'x'): string => `id: ${id}\nnamespace: test.bulk\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: flow('old') });
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: flow('kept') });
    const res = await app.inject({ method: 'POST', url: `${base}/flows/test.bulk`, headers: YAML, payload: `${flow('kept', 'y')}---\n${flow('new')}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((f: { id: string; revision: number; deleted: boolean }) => [f.id, f.revision, f.deleted])).toEqual([['old', 1, false], ['kept', 2, false], ['new', 1, false]]);
    expect(engine.flow('test.bulk', 'old')?.deleted).toBe(true);
    const wrongNs = await app.inject({ method: 'POST', url: `${base}/flows/test.bulk`, headers: YAML, payload: flow('x').replace('test.bulk', 'test.other') });
    expect(wrongNs.statusCode).toBe(422);
    expect(wrongNs.json().message).toBe('Invalid entity: flow.namespace: Flow namespace is invalid');
    const dup = await app.inject({ method: 'POST', url: `${base}/flows/test.bulk`, headers: YAML, payload: `${flow('a')}---\n${flow('a')}` });
    expect(dup.json().message).toBe('Invalid entity: flow.id: Duplicate flow id');
    expect(engine.flow('test.bulk', 'kept')?.deleted).toBeUndefined();
    expect((await app.inject({ method: 'PUT', url: `${base}/flows/test.bulk`, headers: YAML, payload: flow('a') })).statusCode).toBe(404);
  });

  it('bulk-updates across namespaces (POST /flows/bulk): every other flow deleted with delete=true, kept with delete=false', async () => {
    const { app, engine } = await open();
    const flow = (ns: string, id: string, msg = 'x'): string => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: ${msg}\n`;
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: flow('test.one', 'old') });
    await app.inject({ method: 'POST', url: `${base}/flows`, headers: YAML, payload: flow('test.two', 'kept') });
    const keep = await app.inject({ method: 'POST', url: `${base}/flows/bulk?delete=false`, headers: YAML, payload: flow('test.three', 'added') });
    expect(keep.json().map((f: { namespace: string; id: string }) => `${f.namespace}.${f.id}`)).toEqual(['test.three.added']);
    expect(engine.flow('test.one', 'old')?.deleted).toBeUndefined();
    const res = await app.inject({ method: 'POST', url: `${base}/flows/bulk`, headers: YAML, payload: `${flow('test.two', 'kept', 'y')}---\n${flow('test.one', 'new')}` });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((f: { namespace: string; id: string; revision: number }) => [`${f.namespace}.${f.id}`, f.revision])).toEqual([['test.one.old', 1], ['test.three.added', 1], ['test.two.kept', 2], ['test.one.new', 1]]);
    expect(engine.flow('test.one', 'old')?.deleted).toBe(true);
    expect(engine.flow('test.three', 'added')?.deleted).toBe(true);
    // The same id in two namespaces is two flows; twice in one namespace is a 422, nothing changed.
    const dup = await app.inject({ method: 'POST', url: `${base}/flows/bulk`, headers: YAML, payload: `${flow('test.two', 'a')}---\n${flow('test.two', 'a')}` });
    expect(dup.json().message).toBe('Invalid entity: flow.id: Duplicate flow id');
    expect(engine.flow('test.two', 'kept')?.deleted).toBeUndefined();
  });

  it('answers the graph of a flow (Kestra FlowGraph), by revision, with subflows expanded on request', async () => {
    const { app, engine } = await open();
    await engine.deploy(LOG_FLOW);
    await engine.deploy(PARENT_FLOW);
    const res = await app.inject({ url: `${base}/flows/test.api/hello/graph` });
    expect(res.statusCode).toBe(200);
    const g = res.json();
    expect(g.nodes.map((n: { uid: string }) => n.uid)).toEqual(['root._root', 'root._end', 'root.log']);
    expect(g.nodes[2]).toMatchObject({ type: 'io.kestra.core.models.hierarchies.GraphTask', relationType: 'SEQUENTIAL', error: false, task: { id: 'log', type: 'io.kestra.plugin.core.log.Log', message: 'hello {{ inputs.name }}' } });
    expect(g.edges).toEqual([
      { source: 'root._root', target: 'root.log', relation: {} },
      { source: 'root.log', target: 'root._end', relation: {} },
    ]);
    expect(g.clusters).toEqual([]);
    // An older revision, and the subflow expanded (repeated or comma-separated `subflows`).
    await engine.deploy(LOG_FLOW.replace('  - id: log', '  - id: first\n    type: io.kestra.plugin.core.log.Log\n    message: one\n  - id: log'));
    expect((await app.inject({ url: `${base}/flows/test.api/hello/graph` })).json().nodes).toHaveLength(4);
    expect((await app.inject({ url: `${base}/flows/test.api/hello/graph?revision=1` })).json().nodes).toHaveLength(3);
    const plain = (await app.inject({ url: `${base}/flows/test.api/parent/graph` })).json();
    expect(plain.nodes.find((n: { uid: string }) => n.uid === 'root.call').type).toBe('io.kestra.core.models.hierarchies.SubflowGraphTask');
    for (const q of ['subflows=root.call', 'subflows=root.call,root.none']) {
      const expanded = await app.inject({ url: `${base}/flows/test.api/parent/graph?${q}` });
      expect(expanded.statusCode).toBe(200);
      expect(expanded.json().clusters[0].cluster).toMatchObject({ uid: 'cluster_root.call', type: 'io.kestra.core.models.hierarchies.SubflowGraphCluster' });
      expect(expanded.json().nodes.map((n: { uid: string }) => n.uid)).toContain('root.call.log');
    }
  });

  it('graph: 404 for an unknown, deleted or missing revision of a flow, 404/422 for a subflow it cannot expand', async () => {
    const { app, engine } = await open();
    const unknown = await app.inject({ url: `${base}/flows/test.api/nope/graph` });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('Not Found: Unable to find flow test.api_nope');
    await engine.deploy(LOG_FLOW);
    expect((await app.inject({ url: `${base}/flows/test.api/hello/graph?revision=7` })).json().message).toBe('Not Found: Unable to find flow test.api_hello_7');
    expect((await app.inject({ url: `${base}/flows/test.api/hello/graph?revision=0` })).statusCode).toBe(422);
    await engine.deleteFlow('test.api', 'hello');
    expect((await app.inject({ url: `${base}/flows/test.api/hello/graph` })).statusCode).toBe(404);
    await engine.deploy(PARENT_FLOW);
    const missing = await app.inject({ url: `${base}/flows/test.api/parent/graph?subflows=root.call` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('Not Found: Unable to find subflow test.api_hello for task call');
    await engine.deploy(PARENT_FLOW.replace('flowId: hello', 'flowId: "{{ inputs.which }}"'));
    const dynamic = await app.inject({ url: `${base}/flows/test.api/parent/graph?subflows=root.call` });
    expect(dynamic.statusCode).toBe(422);
    expect(dynamic.json().message).toMatch(/^Illegal argument: Can't expand subflow task 'call' because namespace and\/or flowId contains dynamic values/);
  });

  it('POST /flows/graph: the graph of a posted source, nothing stored; 422 with line:column for a bad one', async () => {
    const { app, engine } = await open();
    const res = await app.inject({ method: 'POST', url: `${base}/flows/graph`, headers: YAML, payload: LOG_FLOW });
    expect(res.statusCode).toBe(200);
    expect(res.json().nodes.map((n: { uid: string }) => n.uid)).toEqual(['root._root', 'root._end', 'root.log']);
    expect(engine.listFlows()).toEqual([]);
    const bad = await app.inject({ method: 'POST', url: `${base}/flows/graph`, headers: YAML, payload: 'id: x\nnamespace: test.api\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    mesage: hi\n' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()._embedded.errors.map((e: { message: string }) => e.message)).toContainEqual(expect.stringMatching(/^6:5: tasks\[0\]/));
    expect((await app.inject({ method: 'POST', url: `${base}/flows/graph`, headers: { 'content-type': 'application/json' }, payload: '{}' })).statusCode).toBe(415);
  });

  it('imports a YAML file of flows: each created or updated, the failed ones listed by index, the others kept', async () => {
    const { app, engine } = await open();
    await engine.deploy(named('b'));
    const yaml = `${named('a')}---\n${named('b').replace('message: b', 'message: b2')}---\nid: bad\nnamespace: test.imp\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    mesage: x\n---\n${named('c')}`;
    const res = await app.inject({ method: 'POST', url: `${base}/flows/import`, ...filePart('fileUpload', 'flows.yaml', yaml) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(['2']);
    expect(engine.flow('test.imp', 'a')?.revision).toBe(1);
    expect(engine.flow('test.imp', 'b')?.revision).toBe(2);
    expect(engine.flow('test.imp', 'b')?.source).toContain('message: b2');
    expect(engine.flow('test.imp', 'c')?.revision).toBe(1);
    expect(engine.flow('test.imp', 'bad')).toBeUndefined();
    // Importing the same again changes nothing and fails nothing.
    const again = await app.inject({ method: 'POST', url: `${base}/flows/import`, ...filePart('fileUpload', 'FLOWS.YML', `${named('a')}---\n${named('c')}`) });
    expect(again.json()).toEqual([]);
    expect(engine.flow('test.imp', 'a')?.revision).toBe(1);
  });

  it('imports a zip of flow files, listing the entries that failed; other entries are skipped', async () => {
    const { app, engine } = await open();
    const zip = writeZip([
      { name: 'test.imp/a.yml', data: Buffer.from(named('a')) },
      { name: 'test.imp/broken.yaml', data: Buffer.from('id: [unclosed') },
      { name: 'readme.txt', data: Buffer.from('not a flow') },
      { name: 'other/b.yaml', data: Buffer.from(named('b', 'test.other')) },
    ]);
    const res = await app.inject({ method: 'POST', url: `${base}/flows/import`, ...filePart('fileUpload', 'export.zip', zip) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(['test.imp/broken.yaml']);
    expect(engine.flow('test.imp', 'a')?.revision).toBe(1);
    expect(engine.flow('test.other', 'b')?.revision).toBe(1);
  });

  it('refuses a zip with an entry name that is not a relative path (.., absolute, backslash, drive): 422, nothing deployed', async () => {
    const { app, engine } = await open();
    for (const name of ['../evil.yml', 'a/../../evil.yml', '/abs.yml', 'a\\b.yml', 'C:/x.yml']) {
      const zip = writeZip([{ name: 'ok.yml', data: Buffer.from(named('ok')) }, { name, data: Buffer.from(named('evil')) }]);
      const res = await app.inject({ method: 'POST', url: `${base}/flows/import`, ...filePart('fileUpload', 'flows.zip', zip) });
      expect(res.statusCode, name).toBe(422);
      expect(res.json().message).toMatch(/^Illegal argument: Invalid zip archive: the entry name /);
    }
    expect(engine.listFlows()).toEqual([]);
  });
});


describe('POST /flows/import refusals', () => {
  it('a zip bomb, a corrupt zip, another file type, no fileUpload part, not multipart: 4xx, nothing deployed', async () => {
    t = await openTestApp({ http: { uploadLimit: 64 * 1024 } });
    const { app, engine } = t;
    // 1 MiB of flow text in a few KB: more than the upload limit once inflated.
    const bomb = writeZip([{ name: 'big.yml', data: Buffer.from(`${named('big')}${'# pad\n'.repeat(200_000)}`) }, { name: 'ok.yml', data: Buffer.from(named('ok')) }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await app.inject({ method: 'POST', url: '/api/v1/flows/import', ...filePart('fileUpload', 'bomb.zip', bomb) });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/^Illegal argument: Invalid zip archive: its files hold more than 65536 bytes uncompressed/);
    const corrupt = await app.inject({ method: 'POST', url: '/api/v1/flows/import', ...filePart('fileUpload', 'x.zip', 'PK not a zip at all') });
    expect(corrupt.statusCode).toBe(422);
    const txt = await app.inject({ method: 'POST', url: '/api/v1/flows/import', ...filePart('fileUpload', 'flows.txt', named('a')) });
    expect(txt.statusCode).toBe(422);
    expect(txt.json().message).toBe('Illegal argument: Cannot import file of type .txt');
    const other = await app.inject({ method: 'POST', url: '/api/v1/flows/import', ...filePart('file', 'flows.yml', named('a')) });
    expect(other.statusCode).toBe(400);
    expect(other.json().message).toBe('Bad Request: Required argument [fileUpload] not specified');
    const json = await app.inject({ method: 'POST', url: '/api/v1/flows/import', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(json.statusCode).toBe(415);
    const large = await app.inject({ method: 'POST', url: '/api/v1/flows/import', ...filePart('fileUpload', 'flows.yml', `${named('a')}${'#'.repeat(70_000)}`) });
    expect(large.statusCode).toBe(413);
    expect(engine.listFlows()).toEqual([]);
  });
});

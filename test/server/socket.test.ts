/**
 * The daemon end to end over a real socket: `troupe server` as a child process on 127.0.0.1, a
 * free port, a temporary data dir; stopped with SIGTERM, which must exit 0 and free the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';

const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;
const examples = new URL('../../examples', import.meta.url).pathname;

interface Daemon {
  child: ChildProcess;
  url: string;
  stdout: string[];
  exited: Promise<number | null>;
}

/** Starts `troupe server` and resolves once it printed its one `listening on` line. */
async function startDaemon(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Daemon> {
  const child = spawn('node', [troupe, 'server', '--port', '0', '--log-level', 'warn', '--pool-threads', '2', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdout.push(line);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`troupe server exited with ${code} before listening: ${stderr}`)));
  });
  return { child, url, stdout, exited };
}

/** Reads an SSE response until `until` says stop; returns the frames `[id, data]`. */
async function readFrames(res: Response, until: (frames: Array<[string, Record<string, unknown>]>) => boolean): Promise<Array<[string, Record<string, unknown>]>> {
  const frames: Array<[string, Record<string, unknown>]> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let i;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const [idLine, dataLine] = buffer.slice(0, i).split('\n');
      buffer = buffer.slice(i + 2);
      frames.push([idLine!.slice(4), JSON.parse(dataLine!.slice(6))]);
    }
    if (until(frames)) {
      await reader.cancel();
      break;
    }
  }
  return frames;
}

describe('troupe server over a real socket', () => {
  let dir: string;
  let flowsDir: string;
  let daemon: Daemon;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-daemon-'));
    flowsDir = join(dir, 'flows');
    cpSync(examples, flowsDir, { recursive: true });
    daemon = await startDaemon(['--data', join(dir, 'data'), '--flows', flowsDir, '--watch']);
  }, 30_000);

  afterAll(async () => {
    if (daemon && daemon.child.exitCode === null) {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly one line, binds 127.0.0.1, and has the example flows deployed', async () => {
    expect(daemon.stdout).toEqual([`listening on ${daemon.url}`]);
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${daemon.url}/ping`)).text()).toBe('pong');
    const search = (await (await fetch(`${daemon.url}/api/v1/flows/search?size=100`)).json()) as { total: number; results: Array<{ id: string }> };
    expect(search.results.map((f) => f.id)).toEqual(expect.arrayContaining(['hello', 'loops']));
    expect(search.total).toBeGreaterThanOrEqual(3);
  });

  it('creates an execution over HTTP, follows it over SSE to its end frame, and reads its logs', async () => {
    const created = await fetch(`${daemon.url}/api/v1/executions/company.team/hello`, { method: 'POST' });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${daemon.url}/api/v1/executions/${id}`)).status).toBe(200);
    const follow = await fetch(`${daemon.url}/api/v1/executions/${id}/follow`);
    expect(follow.headers.get('content-type')).toBe('text/event-stream');
    const frames = await readFrames(follow, (f) => f.some(([k]) => k === 'end'));
    const end = frames.at(-1)!;
    expect(end[0]).toBe('end');
    expect((end[1]['state'] as { current: string }).current).toBe('SUCCESS');
    const logs = (await (await fetch(`${daemon.url}/api/v1/logs/${id}`)).json()) as unknown[];
    expect(logs.length).toBeGreaterThan(0);
    const logFollow = await fetch(`${daemon.url}/api/v1/logs/${id}/follow`);
    const logFrames = await readFrames(logFollow, (f) => f.length >= logs.length);
    expect(logFrames.map(([, l]) => l)).toEqual(logs);
  });

  it('re-deploys a changed flow file with --watch', async () => {
    const file = join(flowsDir, 'watched.yaml');
    writeFileSync(file, 'id: watched\nnamespace: company.team\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: one\n');
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${daemon.url}/api/v1/flows/company.team/watched`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });

  it('imports flows from a multipart upload, draws their graph, validates and uploads a FILE input', async () => {
    const flow = 'id: upload\nnamespace: company.sock\ninputs:\n  - id: doc\n    type: FILE\ntasks:\n  - id: read\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ read(inputs.doc) }}"\n';
    const form = new FormData();
    form.append('fileUpload', new Blob([`${flow}---\nid: broken\nnamespace: company.sock\ntasks: 5\n`]), 'flows.yml');
    const imported = await fetch(`${daemon.url}/api/v1/flows/import`, { method: 'POST', body: form });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toEqual(['1']);
    const graph = (await (await fetch(`${daemon.url}/api/v1/flows/company.sock/upload/graph`)).json()) as { nodes: Array<{ uid: string }> };
    expect(graph.nodes.map((n) => n.uid)).toEqual(['root._root', 'root._end', 'root.read']);
    const check = new FormData();
    check.append('files', new Blob(['over the socket']), 'doc');
    const validated = (await (await fetch(`${daemon.url}/api/v1/executions/company.sock/upload/validate`, { method: 'POST', body: check })).json()) as { inputs: Array<{ errors: unknown[] }> };
    expect(validated.inputs[0]!.errors).toEqual([]);
    const upload = new FormData();
    upload.append('files', new Blob(['over the socket']), 'doc');
    const created = await fetch(`${daemon.url}/api/v1/executions/company.sock/upload?wait=true`, { method: 'POST', body: upload });
    expect(created.status).toBe(200);
    const execution = (await created.json()) as { id: string; state: { current: string }; inputs: { doc: string } };
    expect(execution.state.current).toBe('SUCCESS');
    const file = await fetch(`${daemon.url}/api/v1/executions/${execution.id}/file?path=${encodeURIComponent(execution.inputs.doc)}`);
    expect(await file.text()).toBe('over the socket');
  });

  it('stops on SIGTERM with exit code 0 and frees the data dir', async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    const engine = await Engine.open({ dataDir: join(dir, 'data'), poolThreads: 1 });
    expect(engine.listFlows().length).toBeGreaterThanOrEqual(3);
    await engine.close();
  });
});

describe('troupe server refusals', () => {
  it('refuses a non-loopback address without credentials, exit code 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-daemon-'));
    try {
      const child = spawn('node', [troupe, 'server', '--host', '0.0.0.0', '--port', '0', '--data', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TROUPE_AUTH: '', TROUPE_TOKEN: '' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without credentials/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a non-loopback address with TROUPE_AUTH, behind credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-daemon-'));
    const d = await startDaemon(['--host', '0.0.0.0', '--data', join(dir, 'data')], { TROUPE_AUTH: 'admin@x.io:pw' });
    try {
      const port = new URL(d.url).port;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/v1/configs`)).status).toBe(401);
      const ok = await fetch(`${base}/api/v1/configs`, { headers: { authorization: `Basic ${Buffer.from('admin@x.io:pw').toString('base64')}` } });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { isBasicAuthEnabled: boolean }).isBasicAuthEnabled).toBe(true);
      d.child.kill('SIGINT');
      expect(await d.exited).toBe(0);
    } finally {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

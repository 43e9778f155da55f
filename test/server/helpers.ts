/** A daemon app on a real engine and temporary data dir, driven with inject(); no socket. */
import type { FastifyInstance } from 'fastify';
import { openTestEngine } from '../helpers/engine.js';
import { buildApp } from '../../src/server/app.js';
import { flowParser, resolveHttpOptions, type HttpOptions } from '../../src/server/context.js';
import { Followers } from '../../src/server/followers.js';
import type { AuthOptions } from '../../src/server/security.js';
import { Credentials } from '../../src/server/credentials.js';
import type { Engine } from '../../src/runtime/engine.js';

export interface TestApp {
  app: FastifyInstance;
  engine: Engine;
  followers: Followers;
  /** The engine's data dir (where runtime-set credentials are kept). */
  dataDir: string;
  dispose: () => Promise<void>;
}

/** Builds the app on a fresh engine; `dispose` closes both and removes the data dir. */
export async function openTestApp(options: { auth?: AuthOptions; http?: Partial<HttpOptions>; bindHost?: string; allowedHosts?: string[] } = {}): Promise<TestApp> {
  const t = await openTestEngine({ noSync: true });
  const followers = new Followers(t.engine);
  const app = await buildApp(
    { engine: t.engine, http: resolveHttpOptions({ followNotFoundMs: 300, ...options.http }), followers, credentials: await Credentials.open({ dataDir: t.dataDir, ...(options.auth ? { auth: options.auth } : {}) }), parsed: flowParser(), version: '0.0.0-test', instanceId: 'test-instance' },
    { bindHost: options.bindHost ?? '127.0.0.1', ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}) },
  );
  return {
    app,
    engine: t.engine,
    followers,
    dataDir: t.dataDir,
    dispose: async () => {
      await app.close();
      await t.dispose();
    },
  };
}

/** A multipart/form-data body from text fields and files (`filename` given). */
export function multipart(fields: Record<string, string>, files: Array<{ field: string; filename: string; content: string }> = []): { payload: string; headers: Record<string, string> } {
  const boundary = '----troupetest' + Math.random().toString(16).slice(2);
  let payload = '';
  for (const [k, v] of Object.entries(fields)) payload += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  for (const f of files) payload += `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n${f.content}\r\n`;
  payload += `--${boundary}--\r\n`;
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export const YAML = { 'content-type': 'application/x-yaml' };

export const LOG_FLOW = `id: hello
namespace: test.api
labels:
  team: core
inputs:
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.name }}"
`;

export const PAUSE_FLOW = `id: pausing
namespace: test.api
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: approved
        type: BOOLEAN
      - id: count
        type: INT
        required: false
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: "approved {{ outputs.wait.onResume.approved }}"
`;

/** Resolves once the execution is in `state` (read after each durable change). */
export function waitState(engine: Engine, id: string, state: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (): boolean => engine.get(id)?.state.current === state;
    if (check()) return resolve();
    const stop = engine.onExecutionChange((changed) => {
      if (changed === id && check()) {
        stop();
        resolve();
      }
    });
  });
}

/** Resolves once `n` event streams are open (their first frame is sent in the same turn). */
export async function streamsOpen(followers: Followers, n: number): Promise<void> {
  while (followers.streams < n) await new Promise((r) => setImmediate(r));
}

/** IPC faults: bad frames, slow subscribers, a daemon killed mid-call, stale and long socket paths. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/runtime/engine.js';
import { listenIpc, type IpcServer } from '../../src/ipc/server.js';
import { connect } from '../../src/client/index.js';
import { encodeFrame, FrameReader } from '../../src/ipc/frames.js';
import { socketPathOf } from '../../src/ipc/socket-path.js';
import { tempDir } from '../helpers/engine.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function daemon(dataDir = tempDir()): Promise<{ engine: Engine; server: IpcServer; dataDir: string }> {
  const engine = await Engine.open({ dataDir, poolThreads: 1, shards: 1 });
  const server = await listenIpc(engine, { dataDir, maxPendingEventBytes: 256 * 1024 });
  cleanups.push(async () => {
    await server.close();
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { engine, server, dataDir };
}

/** A raw socket and the messages it receives. */
async function raw(path: string): Promise<{ socket: Socket; messages: Array<Record<string, unknown>>; closed: Promise<unknown> }> {
  const socket = createConnection(path);
  await once(socket, 'connect');
  const reader = new FrameReader();
  const messages: Array<Record<string, unknown>> = [];
  socket.on('data', (c: Buffer) => messages.push(...reader.push(c)));
  return { socket, messages, closed: once(socket, 'close') };
}

const logs = `
id: logs
namespace: faults
inputs:
  - id: who
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "hello {{ inputs.who }}"
`;

describe('IPC socket', () => {
  it('listens on DATA_DIR/troupe.sock, mode 0600 in a 0700 directory, and removes it on close', async () => {
    const { server, dataDir } = await daemon();
    expect(server.path).toBe(socketPathOf(dataDir).path);
    expect(server.path.endsWith('/troupe.sock')).toBe(true);
    expect(statSync(server.path).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(server.path).isSocket()).toBe(true);
    await server.close();
    expect(() => statSync(server.path)).toThrow();
    await expect(connect({ dataDir })).rejects.toMatchObject({ code: 'TROUPE_IPC_UNAVAILABLE', message: expect.stringContaining('No Troupe daemon listens on the data dir') });
  });

  it('replaces a stale socket left by a process killed with -9', async () => {
    const dataDir = tempDir();
    const path = socketPathOf(dataDir).path;
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await once(child, 'exit');
    expect(statSync(path).isSocket()).toBe(true);
    await expect(connect({ dataDir })).rejects.toMatchObject({ code: 'TROUPE_IPC_UNAVAILABLE' });
    await daemon(dataDir);
    const client = await connect({ dataDir });
    cleanups.push(() => client.close());
    await client.deploy(logs);
    expect((await client.getFlows()).length).toBe(1);
  });

  it('falls back to a private directory under the temp dir when the data dir path is too long for a socket', async () => {
    const base = tempDir();
    const long = join(base, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(long, { recursive: true });
    const { server } = await daemon(long);
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    expect(Buffer.byteLength(join(long, 'troupe.sock'))).toBeGreaterThan(108);
    expect(server.fallback).toBe(true);
    expect(Buffer.byteLength(server.path)).toBeLessThanOrEqual(103);
    expect(statSync(join(server.path, '..')).mode & 0o777).toBe(0o700);
    const client = await connect({ dataDir: long });
    cleanups.push(() => client.close());
    await client.deploy(logs);
    const id = await client.execute('faults', 'logs', { who: 'long' });
    expect((await client.waitFor(id)).state.current).toBe('SUCCESS');
  });
});

describe('IPC faults', () => {
  it('closes a connection that sends an oversized frame with a goodbye record; other connections go on', async () => {
    const { server, dataDir } = await daemon();
    const client = await connect({ dataDir });
    cleanups.push(() => client.close());
    const bad = await raw(server.path);
    bad.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await bad.closed;
    expect(bad.messages).toEqual([{ type: 'goodbye', error: expect.objectContaining({ code: 'TROUPE_IPC_PROTOCOL', message: expect.stringContaining('more than the cap') }) }]);
    const garbage = await raw(server.path);
    garbage.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from([0xc1, 0xc1])]));
    await garbage.closed;
    expect(garbage.messages[0]).toMatchObject({ type: 'goodbye', error: { code: 'TROUPE_IPC_PROTOCOL' } });
    const wrong = await raw(server.path);
    wrong.socket.write(encodeFrame({ type: 'no-such-message' }));
    await wrong.closed;
    expect(wrong.messages[0]).toMatchObject({ type: 'goodbye', error: { code: 'TROUPE_IPC_PROTOCOL', message: expect.stringContaining("'no-such-message'") } });
    const unknownMethod = await raw(server.path);
    unknownMethod.socket.write(encodeFrame({ type: 'request', id: 7, method: 'close', args: [] }));
    await new Promise<void>((r) => unknownMethod.socket.once('data', () => setImmediate(r)));
    expect(unknownMethod.messages[0]).toMatchObject({ type: 'response', id: 7, ok: false, error: { code: 'TROUPE_IPC_PROTOCOL' } });
    unknownMethod.socket.destroy();
    await client.deploy(logs);
    const id = await client.execute('faults', 'logs', { who: 'still here' });
    expect((await client.waitFor(id)).state.current).toBe('SUCCESS');
  });

  it('drops a subscriber that does not read, with TROUPE_IPC_SLOW_SUBSCRIBER, instead of buffering without bound', async () => {
    const { server, dataDir, engine } = await daemon();
    await engine.deploy(logs);
    const slow = await raw(server.path);
    slow.socket.write(encodeFrame({ type: 'hello', version: 1 }));
    slow.socket.write(encodeFrame({ type: 'subscribe', id: 1 }));
    // Frames are served in order: once this request is answered, the subscription is open.
    slow.socket.write(encodeFrame({ type: 'request', id: 2, method: 'getFlows', args: [] }));
    await new Promise<void>((resolve) => slow.socket.on('data', () => slow.messages.some((m) => m.type === 'response') && resolve()));
    slow.socket.pause();
    const big = 'x'.repeat(100_000);
    const client = await connect({ dataDir });
    cleanups.push(() => client.close());
    for (let i = 0; i < 40; i++) await client.waitFor(await client.execute('faults', 'logs', { who: big }));
    slow.socket.resume();
    await new Promise<void>((resolve) => {
      const check = (): void => (slow.messages.some((m) => m.type === 'subscription.end') ? resolve() : void setTimeout(check, 20));
      check();
    });
    const end = slow.messages.find((m) => m.type === 'subscription.end')!;
    expect(end).toMatchObject({ subscription: 1, error: { code: 'TROUPE_IPC_SLOW_SUBSCRIBER' } });
    const events = slow.messages.filter((m) => m.type === 'event').length;
    expect(events).toBeLessThan(40 * 4);
    slow.socket.destroy();
  });

  it('a daemon killed mid-call: waiting calls and follows fail with TROUPE_IPC_DISCONNECTED; the client reconnects by itself once it is back', async () => {
    const dataDir = tempDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const script = new URL('./daemon-child.mjs', import.meta.url).pathname;
    const start = async (): Promise<ChildProcess> => {
      const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`daemon exited ${code}`)));
      });
      return child;
    };
    const first = await start();
    const client = await connect({ dataDir, reconnect: { timeoutMs: 120_000 } });
    cleanups.push(() => client.close());
    const fixed = await connect({ dataDir, reconnect: false });
    cleanups.push(() => fixed.close());
    await client.deploy(`
id: sleeps
namespace: faults
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.5S
`);
    const id = await client.execute('faults', 'sleeps');
    const waiting = client.waitFor(id);
    const following = client.follow(id);
    await following.next();
    first.kill('SIGKILL');
    await expect(waiting).rejects.toMatchObject({ code: 'TROUPE_IPC_DISCONNECTED' });
    await expect((async () => { for await (const _ of following) { /* drain */ } })()).rejects.toMatchObject({ code: 'TROUPE_IPC_DISCONNECTED' });
    expect(client.connected).toBe(false);
    // A call made while the daemon is down waits for it to come back.
    const meanwhile = client.getExecution(id);
    const alsoFollowing = client.follow(id);
    const second = await start();
    cleanups.push(async () => {
      if (second.exitCode !== null || second.signalCode !== null) return;
      second.kill('SIGTERM');
      await once(second, 'exit');
    });
    expect((await meanwhile)!.id).toBe(id);
    expect(client.reconnects).toBe(1);
    // The recovered execution runs to its end on the new daemon; a follow opened meanwhile sees it.
    expect((await client.waitFor(id)).state.current).toBe('SUCCESS');
    const events = [];
    for await (const e of alsoFollowing) events.push(e.type);
    expect(events.at(-1)).toBe('execution.end');
    // Without reconnect, a lost connection stays lost.
    await expect(fixed.getExecution(id)).rejects.toMatchObject({ code: 'TROUPE_IPC_DISCONNECTED' });
    // With a short timeout, a call fails with TROUPE_IPC_UNAVAILABLE while no daemon answers.
    const short = await connect({ dataDir, reconnect: { timeoutMs: 300 } });
    cleanups.push(() => short.close());
    second.kill('SIGKILL');
    await once(second, 'exit');
    await expect(short.getExecution(id)).rejects.toMatchObject({ code: 'TROUPE_IPC_UNAVAILABLE', message: expect.stringContaining('within 300 ms') });
  });
});

describe('troupe/client', () => {
  it('loads no file of the engine: runtime, executor, store, pool, flow, expr, inputs', () => {
    const root = new URL('../../dist/', import.meta.url).pathname;
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g)) {
        visit(join(file, '..', (m[1] ?? m[2] ?? m[3])!));
      }
    };
    visit(join(root, 'client/index.js'));
    const files = [...seen].map((f) => f.slice(root.length)).sort();
    expect(files).toContain('client/connection.js');
    expect(files).toContain('protocol/ipc-messages.js');
    expect(files.filter((f) => /^(runtime|executor|store|pool|flow|expr|inputs|tasks|cli)\//.test(f))).toEqual([]);
  });
});

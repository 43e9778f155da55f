/** The daemon's structured logs: JSON lines, lifecycle at info, one request line at debug, no credentials. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start.js';
import { parseLogLevel } from '../../src/server/logging.js';
import { TroupeError } from '../../src/errors.js';

interface Line {
  level: number;
  time: string;
  name: string;
  msg: string;
  [k: string]: unknown;
}

let server: RunningServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Starts a daemon whose log lines are collected. */
async function start(logLevel: string): Promise<{ lines: Line[] }> {
  dir = mkdtempSync(join(tmpdir(), 'troupe-logs-'));
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  server = await startServer({ port: 0, dataDir: dir, logLevel, logDestination: sink, auth: { token: 'very-secret-token' }, engine: { noSync: true, shards: 1, poolThreads: 1 } });
  return { lines };
}

describe('daemon logs', () => {
  it('are JSON lines: lifecycle at info, requests at debug, never a credential', async () => {
    const { lines } = await start('debug');
    const res = await fetch(`${server!.url}/api/v1/flows/search`, { headers: { authorization: 'Bearer very-secret-token' } });
    expect(res.status).toBe(200);
    await fetch(`${server!.url}/nope`, { headers: { authorization: 'Bearer very-secret-token' } });
    await server!.close();
    server = undefined;
    const msgs = lines.map((l) => l.msg);
    expect(msgs).toEqual(expect.arrayContaining(['engine opened', 'listening', 'stopped: engine closed, data dir released']));
    for (const l of lines) {
      expect(l.name).toBe('troupe');
      expect(new Date(l.time).toISOString()).toBe(l.time);
    }
    const info = lines.filter((l) => l.level === 30).map((l) => l.msg);
    expect(info).toContain('listening');
    const requests = lines.filter((l) => l.msg === 'request completed');
    expect(requests.length).toBeGreaterThanOrEqual(2);
    for (const r of requests) expect(r.level).toBe(20);
    const incoming = lines.find((l) => l.msg === 'incoming request' && (l['req'] as { url: string }).url === '/api/v1/flows/search');
    expect(incoming?.['req']).toEqual({ method: 'GET', url: '/api/v1/flows/search', remoteAddress: '127.0.0.1' });
    expect(JSON.stringify(lines)).not.toContain('very-secret-token');
  });

  it('at info: lifecycle only, no request line', async () => {
    const { lines } = await start('info');
    await fetch(`${server!.url}/ping`);
    expect(lines.map((l) => l.msg)).toContain('listening');
    expect(lines.filter((l) => l.level < 30)).toEqual([]);
    expect(lines.map((l) => l.msg)).not.toContain('request completed');
  });

  it('refuses an unknown level, naming the levels', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(() => parseLogLevel('verbose')).toThrow(TroupeError);
    expect(() => parseLogLevel('verbose')).toThrow(/fatal, error, warn, info, debug, trace, silent/);
  });
});

/**
 * The `daemon` suite: `troupe server` as a real child process on 127.0.0.1. Its cold start (spawn
 * to the `listening on` line) and idle memory with the examples deployed, then kestra-01's shape
 * (OutputValues → Log) created over HTTP by concurrent clients, each request waiting for its
 * execution's end (`?wait=true`), beside the same flow on an Engine in this process at the same
 * concurrency: the price of the HTTP layer, as a ratio.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Engine } from '../runtime/engine.js';
import { KESTRA_01_FLOW } from './engine.js';

/** What the daemon suite measured. */
export interface DaemonResult {
  name: string;
  /** Timed executions, over HTTP and in-process alike. */
  executions: number;
  /** Concurrent HTTP clients (and executions in flight in-process). */
  concurrency: number;
  /** Over HTTP: wall time, rate, latency (request sent to its answer, the execution ended). */
  seconds: number;
  executionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The same flow on an Engine in the bench process, same count and concurrency. */
  inProcessExecutionsPerSecond: number;
  inProcessP50Ms: number;
  inProcessP99Ms: number;
  /** executionsPerSecond / inProcessExecutionsPerSecond. */
  ratioToInProcess: number;
  /** Executions (either side) that did not end SUCCESS, and HTTP answers other than 200. */
  failed: number;
  /** Spawn of `troupe server` to its `listening on` line, in ms (Node's own start included). */
  coldStartMs: number;
  /** Resident set of the idle daemon (examples deployed, settled), in MiB; mapped LMDB pages included. */
  idleRssMiB: number;
  /** Its anonymous part (RssAnon: heaps, stacks), in MiB; absent where /proc is not. */
  idleAnonRssMiB?: number;
  /** Threads of the daemon's and the in-process engine's task pool (their default). */
  poolThreads: number;
}

/** Options of {@link runDaemonSuite}. */
export interface DaemonSuiteOptions {
  quick: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

const NS = 'troupe.bench';
const FLOW_ID = 'daemon-kestra-01';
const CONCURRENCY = 32;
/** How long the idle daemon settles before its memory is read. */
const SETTLE_MS = 2000;
/** A timed phase stops here whatever the count (bounded time on a slow machine). */
const PHASE_LIMIT_MS = 60_000;

/** Kestra's benchmark 01: the engine suite's kestra-01 flow under this suite's own id. */
const FLOW = KESTRA_01_FLOW.replace(/^id: kestra-01$/m, `id: ${FLOW_ID}`);

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
/**
 * The Node flags `troupe` runs with, from its `#!/usr/bin/env -S node …` line: the daemon is
 * measured as the command starts it (a young generation of 2 MiB semi-spaces: 20 MiB less idle
 * memory, the same CPU per execution), though the bench spawns it with this Node binary.
 */
function binNodeFlags(): string[] {
  const first = readFileSync(BIN, 'utf8').split('\n', 1)[0]!;
  return /^#!\S*env -S node(?<flags>( --\S+)*)\s*$/.exec(first)?.groups!.flags!.trim().split(' ').filter(Boolean) ?? [];
}
const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const MIB = 1024 * 1024;

/** The value at fraction `p` of sorted `values` (nearest rank). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** VmRSS and RssAnon of a process, in bytes (RssAnon undefined where /proc is not). */
function processMemory(pid: number): { rss: number; anon: number | undefined } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const field = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const rss = field('VmRSS');
  return rss === undefined ? undefined : { rss, anon: field('RssAnon') };
}

interface Daemon {
  child: ChildProcess;
  url: string;
  coldStartMs: number;
  exited: Promise<number | null>;
}

/** Spawns `troupe server` on a free port; resolves at its `listening on` line. */
async function startDaemon(dataDir: string): Promise<Daemon> {
  const started = performance.now();
  const child = spawn(process.execPath, [...binNodeFlags(), BIN, 'server', '--port', '0', '--data', dataDir, '--flows', EXAMPLES, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`troupe server exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, coldStartMs: performance.now() - started, exited };
}

/** Stops a daemon with SIGTERM (SIGKILL after 10 s). */
async function stopDaemon(d: Daemon): Promise<void> {
  d.child.kill('SIGTERM');
  const timer = setTimeout(() => d.child.kill('SIGKILL'), 10_000);
  await d.exited;
  clearTimeout(timer);
}

interface Lanes {
  latencies: number[];
  failed: number;
  seconds: number;
}

/** Runs `count` calls of `one` (true: it succeeded), `concurrency` at a time; each call timed. */
async function lanes(count: number, concurrency: number, one: () => Promise<boolean>, onDone: () => void): Promise<Lanes> {
  const out: Lanes = { latencies: [], failed: 0, seconds: 0 };
  let next = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < count && performance.now() - started < PHASE_LIMIT_MS) {
      next++;
      const t0 = performance.now();
      const ok = await one().catch(() => false);
      out.latencies.push(performance.now() - t0);
      if (!ok) out.failed++;
      onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  out.seconds = (performance.now() - started) / 1000;
  return out;
}

/*
 * The clients' connections are kept alive, as a load generator's are. node:http, not fetch: the
 * clients run in the bench's process on the daemon's cores, and fetch (undici) spent more than
 * twice the CPU per request (0.67 ms against 0.29 ms, measured), a third of the whole run's —
 * the ratio measured the load generator as much as the daemon.
 */

/** One execution over HTTP, answered when it ended: true when it ended SUCCESS. */
function overHttp(url: URL, agent: Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: `/api/v1/executions/${NS}/${FLOW_ID}?wait=true`, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(text) as { state?: { current?: string } }).state?.current === 'SUCCESS');
        } catch (e) {
          reject(e as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Runs the daemon suite: cold start and idle memory of `troupe server` (examples deployed), then
 * kestra-01 over HTTP with 32 clients, then in-process at the same concurrency.
 * @throws Error when the daemon does not start
 */
export async function runDaemonSuite(options: DaemonSuiteOptions): Promise<DaemonResult[]> {
  const executions = options.quick ? 100 : 2000;
  const warmup = options.quick ? 20 : 200;
  const total = 2 * (warmup + executions);
  let done = 0;
  const progress = (): void => options.onProgress?.('daemon', ++done, total);
  const root = mkdtempSync(join(tmpdir(), 'troupe-bench-daemon-'));
  try {
    // 1. The daemon: cold start, idle memory, then HTTP load.
    const daemon = await startDaemon(join(root, 'daemon'));
    let http: Lanes;
    let idle: { rss: number; anon: number | undefined } | undefined;
    try {
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      idle = processMemory(daemon.child.pid!);
      const deployed = await fetch(`${daemon.url}/api/v1/flows`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: FLOW });
      if (deployed.status !== 200) throw new Error(`deploying the bench flow answered ${deployed.status}: ${await deployed.text()}`);
      const url = new URL(daemon.url);
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      try {
        await lanes(warmup, CONCURRENCY, () => overHttp(url, agent), progress);
        http = await lanes(executions, CONCURRENCY, () => overHttp(url, agent), progress);
      } finally {
        agent.destroy();
      }
    } finally {
      await stopDaemon(daemon);
    }

    // 2. The same flow in this process, same count and concurrency.
    const engine = await Engine.open({ dataDir: join(root, 'in-process') });
    let local: Lanes;
    try {
      await engine.deploy(FLOW);
      const one = async (): Promise<boolean> => (await engine.waitFor(await engine.execute(NS, FLOW_ID), { taskRuns: false })).state.current === 'SUCCESS';
      await lanes(warmup, CONCURRENCY, one, progress);
      local = await lanes(executions, CONCURRENCY, one, progress);
    } finally {
      await engine.close();
    }

    const httpSorted = [...http.latencies].sort((a, b) => a - b);
    const localSorted = [...local.latencies].sort((a, b) => a - b);
    const executionsPerSecond = http.latencies.length / http.seconds;
    const inProcessExecutionsPerSecond = local.latencies.length / local.seconds;
    return [
      {
        name: 'daemon-kestra-01',
        executions: http.latencies.length,
        concurrency: CONCURRENCY,
        seconds: http.seconds,
        executionsPerSecond,
        p50Ms: percentile(httpSorted, 0.5),
        p99Ms: percentile(httpSorted, 0.99),
        inProcessExecutionsPerSecond,
        inProcessP50Ms: percentile(localSorted, 0.5),
        inProcessP99Ms: percentile(localSorted, 0.99),
        ratioToInProcess: executionsPerSecond / inProcessExecutionsPerSecond,
        failed: http.failed + local.failed,
        coldStartMs: daemon.coldStartMs,
        idleRssMiB: (idle?.rss ?? 0) / MIB,
        ...(idle?.anon !== undefined ? { idleAnonRssMiB: idle.anon / MIB } : {}),
        poolThreads: availableParallelism(),
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

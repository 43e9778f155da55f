/**
 * The `ipc` suite: the kestra-01 shape (OutputValues, then Log of its output) executed by 32
 * concurrent callers in-process (the Engine) and over IPC (`troupe/client` on the data dir's Unix
 * socket to the same engine), in the same run, alternating rounds so both see the same machine.
 * Reports executions/s and p50/p99 latency (execute → waitFor) of each, their ratio, the p99
 * latency IPC adds, and the round trip of a call that does no work (getFlow).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import { listenIpc } from '../ipc/server.js';
import { connect } from '../client/index.js';
import type { TroupeApi } from '../troupe-api.js';
import { KESTRA_01_FLOW, percentile } from './engine.js';

/** One side's figures. */
export interface IpcSide {
  executions: number;
  seconds: number;
  executionsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The suite's result. */
export interface IpcResult {
  name: string;
  concurrency: number;
  inProcess: IpcSide;
  ipc: IpcSide;
  /** IPC executions/s ÷ in-process executions/s. */
  ratio: number;
  /** IPC p99 − in-process p99, in ms (what IPC adds to an execution's latency at p99). */
  addedP99Ms: number;
  /** A call that does no work (getFlow), over IPC: p50 and p99 round trip in ms. */
  roundTripP50Ms: number;
  roundTripP99Ms: number;
}

/** Options of {@link runIpcSuite}. */
export interface IpcSuiteOptions {
  quick: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

const CONCURRENCY = 32;

/** Runs `count` executions with `concurrency` callers; each latency is execute → waitFor. */
async function drive(api: TroupeApi, count: number, concurrency: number, latencies: number[], ended: () => void): Promise<void> {
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      const id = await api.execute('troupe.bench', 'kestra-01');
      await api.waitFor(id);
      latencies.push(performance.now() - started);
      ended();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
}

function side(latencies: number[], seconds: number): IpcSide {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { executions: latencies.length, seconds, executionsPerSecond: latencies.length / seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

/** Runs the suite on a fresh engine and data dir (durable, as the engine suite). */
export async function runIpcSuite(options: IpcSuiteOptions): Promise<IpcResult[]> {
  const rounds = options.quick ? 2 : 6;
  const perRound = options.quick ? 64 : 400;
  const warmup = options.quick ? 32 : 128;
  const calls = options.quick ? 500 : 5_000;
  const total = 2 * warmup + 2 * rounds * perRound + calls;
  let done = 0;
  const ended = (): void => options.onProgress?.('kestra-01 × 32 callers', ++done, total);
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-ipc-'));
  const engine = await Engine.open({ dataDir, poolThreads: availableParallelism(), noSync: false });
  try {
    const server = await listenIpc(engine, { dataDir });
    const client = await connect({ dataDir });
    try {
      await engine.deploy(KESTRA_01_FLOW);
      await drive(engine, warmup, CONCURRENCY, [], ended);
      await drive(client, warmup, CONCURRENCY, [], ended);
      const inProcess: number[] = [];
      const overIpc: number[] = [];
      let inSeconds = 0;
      let ipcSeconds = 0;
      // Alternating rounds: a busy moment of the machine falls on both sides alike.
      for (let r = 0; r < rounds; r++) {
        let t = performance.now();
        await drive(engine, perRound, CONCURRENCY, inProcess, ended);
        inSeconds += (performance.now() - t) / 1000;
        t = performance.now();
        await drive(client, perRound, CONCURRENCY, overIpc, ended);
        ipcSeconds += (performance.now() - t) / 1000;
      }
      const trips: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t = performance.now();
        await client.getFlow('troupe.bench', 'kestra-01');
        trips.push(performance.now() - t);
        ended();
      }
      trips.sort((a, b) => a - b);
      const a = side(inProcess, inSeconds);
      const b = side(overIpc, ipcSeconds);
      return [{ name: 'kestra-01-ipc', concurrency: CONCURRENCY, inProcess: a, ipc: b, ratio: b.executionsPerSecond / a.executionsPerSecond, addedP99Ms: b.p99Ms - a.p99Ms, roundTripP50Ms: percentile(trips, 0.5), roundTripP99Ms: percentile(trips, 0.99) }];
    } finally {
      await client.close();
      await server.close();
    }
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

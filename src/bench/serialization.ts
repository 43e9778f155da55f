/**
 * What does ONE state change cost as the execution grows? For N task runs, the per-change time and
 * bytes of (a) Kestra's model: JSON.parse the whole execution, apply the change, JSON.stringify
 * the whole execution; (b) a whole msgpack snapshot per change (msgpackr pack of the execution in
 * memory); (c) Troupe: encode and write only the changed task-run record and the execution
 * header through the real Store, durably, 100 changes per transaction as a shard batches them.
 * Kestra's model is measured twice: CPU only (a), and durable (a'): the same JSON written through
 * LMDB after every change, with an fsync per 100 changes, as Troupe pays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Packr } from 'msgpackr';
import { Bench } from 'tinybench';
import type { Execution } from '../model/execution.js';
import { openStore, type ChangeBatch, type Store } from '../store/index.js';
import { applyChange, makeBenchExecution } from './execution-fixture.js';

/** Options of {@link runSerializationSuite}. */
export interface SerializationSuiteOptions {
  /** Short time budgets (seconds in all), for smoke runs; figures are noisier. */
  quick: boolean;
  /**
   * Numbers of task runs to measure.
   * @default [10, 100, 1000, 10000]; [10, 100, 1000] when `quick`
   */
  sizes?: number[];
  /** Called before each measurement: what is measured, and how many of `total` are done. */
  onProgress?: (label: string, done: number, total: number) => void;
}

/** The cost of one state change, and of a whole execution, at one size. */
export interface SerializationResult {
  /** Task runs in the execution. */
  n: number;
  /** Kestra model: parse + change + stringify of the whole execution JSON, µs per change. */
  kestraUsPerChange: number;
  /** Bytes Kestra's model writes per change: the UTF-8 length of the whole execution JSON. */
  kestraBytesPerChange: number;
  /**
   * Kestra model, durable: the same round-trip, then the whole JSON written to LMDB (one put per
   * change, one fsync'd transaction per 100 changes, as Troupe's figure pays), µs per change.
   * Absent from files written before it was measured.
   */
  kestraDurableUsPerChange?: number;
  /** Whole msgpack snapshot (msgpackr pack of the whole execution), µs per change. */
  snapshotUsPerChange: number;
  /** Bytes of the whole msgpack snapshot. */
  snapshotBytesPerChange: number;
  /** Troupe: encode + durable LMDB write of the changed task-run record and the header, µs per change. */
  troupeUsPerChange: number;
  /** Encoded bytes Troupe writes per change (task-run record + header). */
  troupeBytesPerChange: number;
  /** State changes of a whole execution: CREATED, RUNNING, SUCCESS per task run (3N). */
  changesPerExecution: number;
  /** Per-change figure × 3N, in ms (an upper bound: the execution is smaller before it is complete). */
  kestraMsPerExecution: number;
  /** kestraDurableUsPerChange × 3N, in ms. */
  kestraDurableMsPerExecution?: number;
  snapshotMsPerExecution: number;
  troupeMsPerExecution: number;
  /** Per-change bytes × 3N. */
  kestraBytesPerExecution: number;
  snapshotBytesPerExecution: number;
  troupeBytesPerExecution: number;
}

/** Changes per Troupe write: what a shard gathers into one transaction under load. */
const CHANGES_PER_BATCH = 100;
const DEFAULT_SIZES = [10, 100, 1_000, 10_000];
const QUICK_SIZES = [10, 100, 1_000];

/** Time budget and minimum iterations for one measurement, from the expected cost of an iteration. */
function budget(quick: boolean, expectedIterationMs: number): { time: number; iterations: number } {
  const time = quick ? 100 : 1_000;
  const iterations = Math.max(2, Math.min(64, Math.floor((quick ? 400 : 4_000) / Math.max(expectedIterationMs, 0.001))));
  return { time, iterations };
}

/** Mean latency in ms of one iteration of `fn`, measured by tinybench. */
async function measure(name: string, fn: () => unknown, opts: { time: number; iterations: number }): Promise<number> {
  const bench = new Bench({ name, time: opts.time, iterations: opts.iterations, warmupIterations: 1, warmupTime: 0, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`benchmark ${name} did not complete: ${result.state}`);
  return result.latency.mean;
}

/** (a) Kestra's model: the whole execution crosses JSON both ways on every change. */
async function measureKestra(execution: Execution, quick: boolean): Promise<{ us: number; bytes: number }> {
  const n = execution.taskRunList!.length;
  let json = JSON.stringify(execution);
  let i = 0;
  const ms = await measure(`kestra n=${n}`, () => {
    const whole = JSON.parse(json) as Execution;
    applyChange(whole, i % n, i);
    i++;
    json = JSON.stringify(whole);
  }, budget(quick, n * 0.02));
  return { us: ms * 1000, bytes: Buffer.byteLength(json) };
}

/**
 * (a') Kestra's model made durable as Troupe is: after each round-trip the whole JSON is put in
 * LMDB (the execution's one row, overwritten), and every {@link CHANGES_PER_BATCH} changes the
 * transaction commits with an fsync. Timed with the clock over whole transactions (at N = 10,000
 * one transaction takes seconds, too long for tinybench's repetitions).
 */
async function measureKestraDurable(execution: Execution, quick: boolean): Promise<{ us: number }> {
  const n = execution.taskRunList!.length;
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-kestra-'));
  const root = open({ path: join(dataDir, 'kestra.mdb'), noSync: false, compression: false, maxDbs: 1 });
  try {
    const db = root.openDB<string, string>('executions', { encoding: 'string' });
    let json = JSON.stringify(execution);
    let i = 0;
    const transaction = (): void => {
      root.transactionSync(() => {
        for (let c = 0; c < CHANGES_PER_BATCH; c++, i++) {
          const whole = JSON.parse(json) as Execution;
          applyChange(whole, i % n, i);
          json = JSON.stringify(whole);
          db.putSync(execution.id, json);
        }
      });
    };
    transaction(); // warm-up: the first commit allocates the row's pages
    // Whole transactions for about the budget's time, at least one.
    const expectedMs = n * 0.02 * CHANGES_PER_BATCH;
    const count = Math.max(1, Math.min(20, Math.floor((quick ? 400 : 4_000) / expectedMs)));
    const started = performance.now();
    for (let t = 0; t < count; t++) transaction();
    const ms = performance.now() - started;
    return { us: (ms * 1000) / (count * CHANGES_PER_BATCH) };
  } finally {
    await root.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** (b) A whole msgpack snapshot of the in-memory execution on every change. */
async function measureSnapshot(execution: Execution, quick: boolean): Promise<{ us: number; bytes: number }> {
  const n = execution.taskRunList!.length;
  const packr = new Packr();
  let bytes = 0;
  let i = 0;
  const ms = await measure(`snapshot n=${n}`, () => {
    applyChange(execution, i % n, i);
    i++;
    bytes = packr.pack(execution).length;
  }, budget(quick, n * 0.005));
  return { us: ms * 1000, bytes };
}

/** (c) Troupe: the changed record and the header, 100 changes per durable transaction. */
async function measureTroupe(execution: Execution, quick: boolean): Promise<{ us: number; bytes: number }> {
  const n = execution.taskRunList!.length;
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-'));
  let store: Store | undefined;
  try {
    store = openStore({ dataDir });
    const { taskRunList = [], ...header } = execution;
    // The execution as the shard left it: header and every task-run record on disk.
    for (let start = 0; start < n; start += 1_000) {
      const taskRuns = taskRunList.slice(start, start + 1_000).map((taskRun, k) => ({ executionId: execution.id, record: { seq: start + k, taskRun } }));
      await store.writeBatch({ headers: [header], taskRuns, logs: [] });
    }
    const before = store.stats();
    const s = store;
    let i = 0;
    const ms = await measure(`troupe n=${n}`, async () => {
      const batch: ChangeBatch = { headers: [], taskRuns: [], logs: [] };
      for (let c = 0; c < CHANGES_PER_BATCH; c++, i++) {
        const seq = i % n;
        batch.taskRuns.push({ executionId: execution.id, record: { seq, taskRun: applyChange(execution, seq, i) } });
        batch.headers.push(header);
      }
      await s.writeBatch(batch);
    }, budget(quick, 1));
    const after = store.stats();
    const changes = (after.records - before.records) / 2;
    return { us: (ms * 1000) / CHANGES_PER_BATCH, bytes: (after.bytes - before.bytes) / changes };
  } finally {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Measures the per-change cost of the three persistence models at each size.
 * @param options `quick` for short budgets; `sizes` to measure other numbers of task runs; `onProgress`
 * @returns one result per size, in the order given
 * @example
 * const results = await runSerializationSuite({ quick: false });
 * console.table(results);
 */
export async function runSerializationSuite(options: SerializationSuiteOptions): Promise<SerializationResult[]> {
  const results: SerializationResult[] = [];
  const sizes = options.sizes ?? (options.quick ? QUICK_SIZES : DEFAULT_SIZES);
  const progress = options.onProgress ?? (() => {});
  for (const [k, n] of sizes.entries()) {
    progress(`n=${n} Kestra`, 4 * k, 4 * sizes.length);
    const kestra = await measureKestra(makeBenchExecution(n), options.quick);
    progress(`n=${n} Kestra durable`, 4 * k + 1, 4 * sizes.length);
    const kestraDurable = await measureKestraDurable(makeBenchExecution(n), options.quick);
    progress(`n=${n} snapshot`, 4 * k + 2, 4 * sizes.length);
    const snapshot = await measureSnapshot(makeBenchExecution(n), options.quick);
    progress(`n=${n} Troupe`, 4 * k + 3, 4 * sizes.length);
    const troupe = await measureTroupe(makeBenchExecution(n), options.quick);
    const changes = 3 * n;
    results.push({
      n,
      kestraUsPerChange: kestra.us,
      kestraBytesPerChange: kestra.bytes,
      kestraDurableUsPerChange: kestraDurable.us,
      snapshotUsPerChange: snapshot.us,
      snapshotBytesPerChange: snapshot.bytes,
      troupeUsPerChange: troupe.us,
      troupeBytesPerChange: troupe.bytes,
      changesPerExecution: changes,
      kestraMsPerExecution: (kestra.us * changes) / 1000,
      kestraDurableMsPerExecution: (kestraDurable.us * changes) / 1000,
      snapshotMsPerExecution: (snapshot.us * changes) / 1000,
      troupeMsPerExecution: (troupe.us * changes) / 1000,
      kestraBytesPerExecution: kestra.bytes * changes,
      snapshotBytesPerExecution: snapshot.bytes * changes,
      troupeBytesPerExecution: troupe.bytes * changes,
    });
  }
  return results;
}

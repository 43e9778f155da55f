/**
 * Real flows through the whole engine: shard threads, the piscina pool, LMDB on disk, durable
 * (every group commit awaits fsync). Scenarios are data (`engineScenarios`); each runs on a fresh
 * engine and data dir, and is followed, in the same process, by a bare piscina pool running no-op
 * tasks on as many threads, so throughput is also a ratio to the machine's own limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import { measurePoolNoop } from './pool-baseline.js';
import { sampleRss } from './rss.js';
import { scanStoredRecords, storeFileBytes } from './store-scan.js';

/** One engine scenario: a flow and how to drive it. */
export interface EngineScenario {
  /** The name results carry (Kestra's shapes are `kestra-0…`). */
  name: string;
  /** What the scenario stands for, one sentence (the report prints it). */
  description: string;
  /** The flow, as YAML. */
  flow: string;
  /** Timed executions. */
  executions: number;
  /** Executions in flight at once (1: one after another, for latency). */
  concurrency: number;
  /** Untimed executions run first, on the same engine (JIT, shared structures, pool threads). */
  warmup: number;
  /** Task runs one execution should make, to check the flow did what the scenario says. */
  taskRunsPerExecution: number;
  /** For orchestration overhead: the sequential tasks one execution runs (overhead = p50 / this). */
  sequentialTasks?: number;
  /** Left out of `--quick` runs. */
  full?: boolean;
}

/** What one scenario measured. Field names up to `ratioToPool` are those of issue 7. */
export interface EngineResult {
  name: string;
  /** Timed executions. */
  executions: number;
  /** Task runs of the timed executions. */
  taskRuns: number;
  /** Wall time of the timed executions, from the first execute() to the last waitFor(). */
  seconds: number;
  taskRunsPerSecond: number;
  executionsPerSecond: number;
  /** Execution latency (execute() to waitFor() resolving), median, in ms. */
  p50Ms: number;
  /** Execution latency, 99th percentile (nearest rank), in ms. */
  p99Ms: number;
  /** Growth of the LMDB file over the timed executions, in bytes. */
  bytesWritten: number;
  /** Peak RSS of the process over the scenario (engine threads included), in MiB; counts LMDB's mapped file pages too. */
  peakRssMiB: number;
  /** Peak anonymous resident memory (RssAnon of /proc/self/status: heaps, buffers; no mapped file pages), in MiB; absent where /proc is not. */
  peakAnonRssMiB?: number;
  /** No-op tasks per second of a bare piscina pool with the engine pool's threads, same process, right after. */
  poolNoopTasksPerSecond: number;
  /** taskRunsPerSecond / poolNoopTasksPerSecond. */
  ratioToPool: number;
  /** Executions in flight at once. */
  concurrency: number;
  /** Mean execution latency, in ms. */
  meanMs: number;
  /** Timed executions that did not end in SUCCESS (0 when the flow ran as designed). */
  failedExecutions: number;
  /** For sequential scenarios: p50 latency / sequential tasks, in ms (Windmill's overhead per task). */
  overheadMsPerTask?: number;
  /** bytesWritten / (3 × taskRuns): LMDB file growth per state change (CREATED, RUNNING, SUCCESS). */
  fileBytesPerStateChange: number;
  /** Encoded bytes of every stored record of the timed executions (headers, task runs, logs). */
  storedBytes: number;
  /** The largest task-run record stored, in bytes: one state change writes at most this plus a header. */
  maxTaskRunRecordBytes: number;
  /** The largest execution header stored, in bytes. */
  maxHeaderBytes: number;
  /** The largest log line stored, in bytes. */
  maxLogBytes: number;
  /** Threads of the engine's task pool (and of the bare pool). */
  poolThreads: number;
}

/** Options of {@link runEngineSuite}. */
export interface EngineSuiteOptions {
  /** Small sizes, seconds in all; the 100,000- and 1,000,000-run executions are left out. */
  quick: boolean;
  /** Run only these scenarios (every scenario when absent). */
  scenarios?: EngineScenario[];
  /** Called as executions end: the scenario, executions done, executions in all (warm-up included). */
  onProgress?: (label: string, done: number, total: number) => void;
}

const NS = 'troupe.bench';

function returnTask(id: string, format: string, indent: string): string {
  return `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.debug.Return\n${indent}  format: "${format}"\n`;
}

/** A Sequential of `n` Return tasks. */
function sequentialFlow(id: string, n: number): string {
  let tasks = '';
  for (let i = 1; i <= n; i++) tasks += returnTask(`r${i}`, `{{ task.id }} of {{ flow.id }}`, '      ');
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: seq\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n${tasks}`;
}

/** An EachParallel over `values` values, each running `tasks` Return tasks (all at once). */
function eachParallelFlow(id: string, values: number, tasks: number): string {
  const list = JSON.stringify(Array.from({ length: values }, (_, i) => `v${i + 1}`));
  let children = '';
  for (let i = 1; i <= tasks; i++) children += returnTask(`r${i}`, `{{ task.id }} > {{ taskrun.value }}`, '      ');
  return `id: ${id}\nnamespace: ${NS}\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.EachParallel\n    value: '${list}'\n    tasks:\n${children}`;
}

/** Kestra's benchmark 01: OutputValues, then Log of that output. */
export const KESTRA_01_FLOW = `id: kestra-01
namespace: ${NS}
inputs:
  - id: name
    type: STRING
    defaults: World
tasks:
  - id: concatenate
    type: io.kestra.plugin.core.output.OutputValues
    values:
      message: Hello {{ inputs.name }}
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.concatenate.values.message }}"
`;

/** Kestra's benchmark 02 shape: five If tasks, each running one Return (10 task runs). */
function kestra02(): string {
  let tasks = '';
  for (let i = 1; i <= 5; i++) {
    tasks += `  - id: if${i}\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ ${i} % 2 == 1 }}"\n    then:\n${returnTask(`then${i}`, `then {{ task.id }}`, '      ')}    else:\n${returnTask(`else${i}`, `else {{ task.id }}`, '      ')}`;
  }
  return `id: kestra-02\nnamespace: ${NS}\ntasks:\n${tasks}`;
}

/** Kestra's benchmark 03 shape: ForEach over 100 values, each value OutputValues then Log (201 task runs). */
function kestra03(): string {
  const list = JSON.stringify(Array.from({ length: 100 }, (_, i) => i + 1));
  return `id: kestra-03
namespace: ${NS}
tasks:
  - id: for_each
    type: io.kestra.plugin.core.flow.ForEach
    values: '${list}'
    concurrencyLimit: 0
    tasks:
      - id: output
        type: io.kestra.plugin.core.output.OutputValues
        values:
          value: "item {{ taskrun.value }}"
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "{{ outputs.output[taskrun.value].values.value }}"
`;
}

/** Windmill's cross-engine benchmark shape (as it runs Kestra): a ForEach of 40 values, concurrencyLimit 1. */
function windmill40(): string {
  const list = JSON.stringify(Array.from({ length: 40 }, (_, i) => i));
  return `id: windmill-40
namespace: ${NS}
tasks:
  - id: iterations
    type: io.kestra.plugin.core.flow.ForEach
    values: '${list}'
    concurrencyLimit: 1
    tasks:
${returnTask('script', 'fibo {{ taskrun.value }}', '      ')}`;
}

/**
 * The engine scenarios, as data.
 * @param quick small sizes for smoke runs (names carry the sizes; the 100,000- and 1,000,000-run executions are marked `full`)
 */
export function engineScenarios(quick: boolean): EngineScenario[] {
  const q = <T>(full: T, small: T): T => (quick ? small : full);
  const seq = (n: number, executions: number): EngineScenario => ({
    name: `sequential-${n}`,
    description: `A Sequential of ${n} Return tasks, one execution at a time.`,
    flow: sequentialFlow(`sequential-${n}`, n),
    executions,
    concurrency: 1,
    warmup: 2,
    taskRunsPerExecution: n + 1,
    sequentialTasks: n,
  });
  const each = (values: number, tasks: number, executions: number, full = false): EngineScenario => ({
    name: values * tasks >= 1_000_000 ? 'huge-1m' : values * tasks >= 100_000 ? 'huge-100k' : `each-parallel-${values}x${tasks}`,
    description: `An EachParallel over ${values.toLocaleString('en-US')} values × ${tasks} Return tasks: ${(values * tasks).toLocaleString('en-US')} task runs at once in one execution.`,
    flow: eachParallelFlow(`each-parallel-${values}x${tasks}`, values, tasks),
    executions,
    concurrency: 1,
    warmup: full ? 0 : 1,
    taskRunsPerExecution: values * tasks + 1,
    ...(full ? { full: true } : {}),
  });
  const scenarios: EngineScenario[] = [
    ...(quick ? [seq(20, 3)] : [seq(10, 50), seq(100, 20), seq(1_000, 3)]),
    q(each(100, 100, 3), each(10, 10, 2)),
    {
      name: 'kestra-01',
      description: "Kestra's benchmark 01: OutputValues, then Log of its output (2 task runs).",
      flow: KESTRA_01_FLOW,
      executions: q(200, 20),
      concurrency: 8,
      warmup: q(10, 2),
      taskRunsPerExecution: 2,
    },
    {
      name: 'kestra-02',
      description: "Kestra's benchmark 02 shape: five If tasks, each running one Return (10 task runs).",
      flow: kestra02(),
      executions: q(200, 20),
      concurrency: 8,
      warmup: q(10, 2),
      taskRunsPerExecution: 10,
    },
    {
      name: 'kestra-03',
      description: "Kestra's benchmark 03 shape: ForEach over 100 values (concurrencyLimit 0), each value OutputValues then Log (201 task runs).",
      flow: kestra03(),
      executions: q(200, 5),
      concurrency: 8,
      warmup: q(5, 1),
      taskRunsPerExecution: 201,
    },
    {
      name: 'kestra-03-alone',
      description: 'The kestra-03 flow, one execution at a time: its latency without queueing behind other executions.',
      flow: kestra03(),
      executions: q(30, 3),
      concurrency: 1,
      warmup: q(3, 1),
      taskRunsPerExecution: 201,
    },
    {
      name: 'windmill-40',
      description: "Windmill's cross-engine benchmark shape: a ForEach of 40 values with concurrencyLimit 1 running one task each (40 sequential tasks), one execution at a time.",
      flow: windmill40(),
      executions: q(20, 3),
      concurrency: 1,
      warmup: 2,
      taskRunsPerExecution: 41,
      sequentialTasks: 40,
    },
    each(1_000, 100, 1, true),
    each(1_000, 1_000, 1, true),
  ];
  return quick ? scenarios.filter((s) => !s.full) : scenarios;
}

/** The value at fraction `p` of sorted `values` (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

interface Measured {
  latencies: number[];
  failed: number;
  ids: string[];
}

/**
 * Runs `count` executions of a flow, `concurrency` at a time; latency from execute() to waitFor().
 * Only headers come back (task runs are counted from the store afterwards): the main thread never
 * loads a whole execution, as a caller of a huge one would not.
 */
async function drive(engine: Engine, flowId: string, count: number, concurrency: number, onEnded: () => void): Promise<Measured> {
  const out: Measured = { latencies: [], failed: 0, ids: [] };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      const started = performance.now();
      const id = await engine.execute(NS, flowId);
      const execution = await engine.waitFor(id, { taskRuns: false });
      out.latencies.push(performance.now() - started);
      out.ids.push(id);
      if (execution.state.current !== 'SUCCESS') out.failed++;
      onEnded();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return out;
}

/** Runs one scenario on a fresh engine and data dir, then the bare pool beside it. */
async function runScenario(scenario: EngineScenario, quick: boolean, progress: (done: number, total: number) => void): Promise<EngineResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-engine-'));
  const poolThreads = availableParallelism();
  const total = scenario.warmup + scenario.executions;
  let done = 0;
  const ended = (): void => progress(++done, total);
  try {
    const rss = sampleRss();
    const engine = await Engine.open({ dataDir, poolThreads, noSync: false });
    let measured: Measured;
    let seconds: number;
    let fileBefore: number;
    try {
      const flow = await engine.deploy(scenario.flow);
      await drive(engine, flow.id, scenario.warmup, scenario.concurrency, ended);
      fileBefore = storeFileBytes(dataDir);
      const started = performance.now();
      measured = await drive(engine, flow.id, scenario.executions, scenario.concurrency, ended);
      seconds = (performance.now() - started) / 1000;
    } finally {
      await engine.close();
    }
    const peaks = rss.stop();
    const bytesWritten = Math.max(0, storeFileBytes(dataDir) - fileBefore);
    const stored = await scanStoredRecords(dataDir, measured.ids);
    const taskRuns = stored.taskRunRecords;
    const poolNoopTasksPerSecond = await measurePoolNoop(poolThreads, quick ? 1_000 : 20_000);
    const sorted = [...measured.latencies].sort((a, b) => a - b);
    const taskRunsPerSecond = taskRuns / seconds;
    const p50Ms = percentile(sorted, 0.5);
    return {
      name: scenario.name,
      executions: scenario.executions,
      taskRuns,
      seconds,
      taskRunsPerSecond,
      executionsPerSecond: scenario.executions / seconds,
      p50Ms,
      p99Ms: percentile(sorted, 0.99),
      bytesWritten,
      peakRssMiB: peaks.rssMiB,
      ...(peaks.anonRssMiB !== undefined ? { peakAnonRssMiB: peaks.anonRssMiB } : {}),
      poolNoopTasksPerSecond,
      ratioToPool: taskRunsPerSecond / poolNoopTasksPerSecond,
      concurrency: scenario.concurrency,
      meanMs: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      failedExecutions: measured.failed,
      ...(scenario.sequentialTasks ? { overheadMsPerTask: p50Ms / scenario.sequentialTasks } : {}),
      fileBytesPerStateChange: bytesWritten / (3 * Math.max(1, taskRuns)),
      storedBytes: stored.storedBytes,
      maxTaskRunRecordBytes: stored.maxTaskRunRecordBytes,
      maxHeaderBytes: stored.maxHeaderBytes,
      maxLogBytes: stored.maxLogBytes,
      poolThreads,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs engine scenarios one after another, each on a fresh engine.
 * @returns one result per scenario, in order
 * @throws Error when a scenario's executions did not make the task runs its flow should (the
 *   scenario would measure something else than it says)
 * @example
 * const results = await runEngineSuite({ quick: true });
 */
export async function runEngineSuite(options: EngineSuiteOptions): Promise<EngineResult[]> {
  const scenarios = options.scenarios ?? engineScenarios(options.quick);
  const results: EngineResult[] = [];
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, options.quick, (done, total) => options.onProgress?.(scenario.name, done, total));
    const expected = scenario.executions * scenario.taskRunsPerExecution;
    if (result.taskRuns !== expected) {
      throw new Error(`Scenario ${scenario.name}: ${result.taskRuns} task runs, expected ${expected} (${result.failedExecutions} executions did not succeed)`);
    }
    results.push(result);
  }
  return results;
}

/**
 * The `scripts` suite: 200 `shell.Commands` tasks running `true` through the whole engine
 * (durable), beside a bare `child_process.spawn` of the same command line in the same run —
 * what a script task costs over the process it starts. Sequentially (a ForEach with
 * concurrencyLimit 1: the overhead per task) and 8 at a time (throughput), in alternating rounds
 * so a busy moment of the machine falls on both sides alike.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import { percentile } from './engine.js';

/** What the suite measured, for one concurrency. */
export interface ScriptsResult {
  name: string;
  /** Script tasks per execution (and bare spawns per round). */
  tasks: number;
  /** Tasks running at once: 1 (sequential), or the parallel width. */
  concurrency: number;
  /** Timed rounds (an execution and a bare batch each). */
  rounds: number;
  /** Through the engine: median over the rounds of wall time ÷ tasks, in ms. */
  engineMsPerTask: number;
  /** Bare spawns of the same command, same concurrency: median wall time ÷ tasks, in ms. */
  bareMsPerTask: number;
  /** engineMsPerTask − bareMsPerTask: what a script task adds to its process. */
  overheadMsPerTask: number;
  /** Script tasks per second through the engine (all rounds). */
  engineTasksPerSecond: number;
  /** Bare spawns per second (all rounds). */
  bareTasksPerSecond: number;
  /** Executions that did not end SUCCESS, and bare spawns that did not exit 0. */
  failed: number;
  /** The engine's pool threads. */
  poolThreads: number;
}

/** Options of {@link runScriptsSuite}. */
export interface ScriptsSuiteOptions {
  quick: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

const NS = 'troupe.bench';
/** The parallel width the issue names. */
export const SCRIPTS_PARALLEL = 8;

/** A ForEach over `tasks` values running one `shell.Commands` task (`true`) each, `limit` at a time. */
export function scriptsFlow(id: string, tasks: number, limit: number): string {
  const values = JSON.stringify(Array.from({ length: tasks }, (_, i) => i));
  return `id: ${id}
namespace: ${NS}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: '${values}'
    concurrencyLimit: ${limit}
    tasks:
      - id: sh
        type: io.kestra.plugin.scripts.shell.Commands
        commands:
          - "true"
`;
}

/**
 * The command line a shell.Commands task with `commands: [true]` runs (src/tasks/scripts/pool.ts:
 * `set -e`, then the commands, as the last argument of `/bin/sh -c`), with the same process
 * options (own group, stdout and stderr piped).
 */
function bareSpawn(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', 'set -e\ntrue'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** `tasks` bare spawns, `concurrency` at a time; resolves to [seconds, failures]. */
async function bareBatch(tasks: number, concurrency: number, onDone: () => void): Promise<[number, number]> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < tasks) {
      next++;
      if ((await bareSpawn()) !== 0) failed++;
      onDone();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return [(performance.now() - started) / 1000, failed];
}

/** One execution of `flowId`; resolves to [seconds, failed]. */
async function engineRun(engine: Engine, flowId: string): Promise<[number, boolean]> {
  const started = performance.now();
  const id = await engine.execute(NS, flowId);
  const execution = await engine.waitFor(id, { taskRuns: false });
  return [(performance.now() - started) / 1000, execution.state.current !== 'SUCCESS'];
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 0.5);

/**
 * Runs the suite on a fresh engine and data dir (durable: fsync on every group commit).
 * @returns the sequential result, then the parallel one
 */
export async function runScriptsSuite(options: ScriptsSuiteOptions): Promise<ScriptsResult[]> {
  const tasks = options.quick ? 20 : 200;
  const rounds = options.quick ? 1 : 5;
  const widths = [1, SCRIPTS_PARALLEL];
  // Per width: a warm-up execution and batch, then the rounds; each counts its tasks.
  const total = widths.length * (rounds + 1) * 2 * tasks;
  let done = 0;
  const step = (): void => options.onProgress?.('shell.Commands true', ++done, total);
  const dataDir = mkdtempSync(join(tmpdir(), 'troupe-bench-scripts-'));
  const poolThreads = availableParallelism();
  const engine = await Engine.open({ dataDir, poolThreads, noSync: false });
  const results: ScriptsResult[] = [];
  try {
    for (const width of widths) {
      const flowId = `scripts-${tasks}-x${width}`;
      await engine.deploy(scriptsFlow(flowId, tasks, width));
      let failed = 0;
      const [, warmFailed] = await engineRun(engine, flowId);
      if (warmFailed) failed++;
      done += tasks;
      failed += (await bareBatch(tasks, width, step))[1];
      const engineSeconds: number[] = [];
      const bareSeconds: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const [s, f] = await engineRun(engine, flowId);
        engineSeconds.push(s);
        if (f) failed++;
        done += tasks;
        options.onProgress?.('shell.Commands true', done, total);
        const [b, bf] = await bareBatch(tasks, width, step);
        bareSeconds.push(b);
        failed += bf;
      }
      const engineMsPerTask = (median(engineSeconds) * 1000) / tasks;
      const bareMsPerTask = (median(bareSeconds) * 1000) / tasks;
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      results.push({
        name: width === 1 ? `shell-true-${tasks}` : `shell-true-${tasks}-x${width}`,
        tasks,
        concurrency: width,
        rounds,
        engineMsPerTask,
        bareMsPerTask,
        overheadMsPerTask: engineMsPerTask - bareMsPerTask,
        engineTasksPerSecond: (rounds * tasks) / sum(engineSeconds),
        bareTasksPerSecond: (rounds * tasks) / sum(bareSeconds),
        failed,
        poolThreads,
      });
    }
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

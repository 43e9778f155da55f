/**
 * The results file of a `troupe bench` run: the machine, Node, commit and options beside the
 * figures of every suite, as JSON in bench/results/<date>-<commit>.json (`-quick` or `-partial`
 * appended when the run was not a full one, so a smoke run never overwrites a full run).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { DaemonResult } from './daemon.js';
import type { EngineResult } from './engine.js';
import type { SerializationResult } from './serialization.js';
import type { TemplatingResult } from './templating.js';
import type { IpcResult } from './ipc.js';
import type { ScriptsResult } from './scripts.js';
import type { StorageResult } from './storage.js';
import type { TriggersResult } from './triggers.js';

/** The machine a run measured. */
export interface MachineInfo {
  cpus: number;
  model: string;
  totalmemMiB: number;
  platform: string;
  release: string;
  node: string;
  /** 1-minute load average when the run started: a busy machine slows every figure. */
  loadavg1?: number;
}

/** The options a run was made with. */
export interface RunOptions {
  quick: boolean;
  /** Suites or scenarios the run was restricted to (absent: everything). */
  only?: string[];
}

/** One `troupe bench` run, as written to bench/results/. */
export interface BenchResults {
  /** ISO date and time the run started. */
  date: string;
  machine: MachineInfo;
  git: { commit: string; dirty: boolean };
  options: RunOptions;
  /** Whether this run measured every suite at full size (what `--report` reads). */
  complete: boolean;
  serialization: SerializationResult[];
  engine: EngineResult[];
  /** Absent from files written before the templating suite existed. */
  templating?: TemplatingResult[];
  /** Absent from files written before the daemon suite existed. */
  daemon?: DaemonResult[];
  /** Absent from files written before the ipc suite existed. */
  ipc?: IpcResult[];
  /** Absent from files written before the scripts suite existed. */
  scripts?: ScriptsResult[];
  /** Absent from files written before the storage suite existed. */
  storage?: StorageResult[];
  /** Absent from files written before the triggers suite existed. */
  triggers?: TriggersResult[];
}

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  return {
    cpus: availableParallelism(),
    model: cpus()[0]?.model.trim() ?? 'unknown',
    totalmemMiB: Math.round(totalmem() / (1024 * 1024)),
    platform: platform(),
    release: release(),
    node: process.version,
    loadavg1: Math.round(loadavg()[0]! * 100) / 100,
  };
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The commit checked out in `cwd` (short), and whether the work tree has changes. */
export function gitInfo(cwd: string): { commit: string; dirty: boolean } {
  const commit = git(['rev-parse', '--short', 'HEAD'], cwd) ?? 'unknown';
  const status = git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return { commit, dirty: status !== undefined && status !== '' };
}

/** The file name of a run's results: `<date>-<commit>[-quick|-partial].json`. */
export function resultsFileName(results: BenchResults): string {
  const day = results.date.slice(0, 10);
  const kind = results.options.quick ? '-quick' : results.complete ? '' : '-partial';
  return `${day}-${results.git.commit}${kind}.json`;
}

/** Writes `results` as pretty JSON to `file` (its directory created). */
export function writeResults(file: string, results: BenchResults): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * The newest complete (full, unrestricted) run in `dir`, by its `date`.
 * @returns undefined when the directory has none
 */
export function latestCompleteResults(dir: string): { file: string; results: BenchResults } | undefined {
  if (!existsSync(dir)) return undefined;
  let best: { file: string; results: BenchResults } | undefined;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    let results: BenchResults;
    try {
      results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
    } catch {
      continue;
    }
    if (!results.complete) continue;
    if (!best || results.date > best.results.date) best = { file, results };
  }
  return best;
}

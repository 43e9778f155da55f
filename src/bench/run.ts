/**
 * The shared runner of the benchmark suites: picks the suites and scenarios a run asks for,
 * runs them with a progress display, and returns the results with the machine, Node version,
 * commit and options beside them.
 */
import { TroupeError } from '../errors.js';
import { runDaemonSuite } from './daemon.js';
import { engineScenarios, runEngineSuite, type EngineScenario } from './engine.js';
import type { Progress } from './progress.js';
import { gitInfo, machineInfo, type BenchResults } from './results.js';
import { runSerializationSuite } from './serialization.js';
import { runTemplatingSuite } from './templating.js';
import { runIpcSuite } from './ipc.js';
import { runScriptsSuite } from './scripts.js';
import { runStorageSuite } from './storage.js';
import { runTriggersSuite } from './triggers.js';

/** The suites, by the name `--only` takes. */
export const SUITES = ['serialization', 'engine', 'templating', 'daemon', 'ipc', 'scripts', 'storage', 'triggers'] as const;

/** Options of {@link runBench}. */
export interface BenchRunOptions {
  /** Small sizes: seconds in all. */
  quick: boolean;
  /** Suites (`serialization`, `engine`, `templating`, `daemon`, `ipc`, `scripts`, `storage`, `triggers`) or engine scenarios (a name, or its prefix before a `-`: `kestra`, `sequential`). */
  only?: string[];
  progress?: Progress;
  /** Where to read the git commit (the repository the run measures). */
  cwd: string;
}

/** Whether `name` selects `scenario`: its name, or a prefix of it ending at a `-`. */
function selects(name: string, scenario: EngineScenario): boolean {
  return scenario.name === name || scenario.name.startsWith(`${name}-`);
}

/** The suites and scenarios `only` selects. */
export function selectWork(quick: boolean, only: string[] | undefined): { serialization: boolean; templating: boolean; daemon: boolean; ipc: boolean; scripts: boolean; storage: boolean; triggers: boolean; scenarios: EngineScenario[] } {
  const all = engineScenarios(quick);
  if (!only || only.length === 0) return { serialization: true, templating: true, daemon: true, ipc: true, scripts: true, storage: true, triggers: true, scenarios: all };
  for (const name of only) {
    if (!(SUITES as readonly string[]).includes(name) && !all.some((s) => selects(name, s))) {
      throw new TroupeError('TROUPE_OPTION_INVALID', `--only ${name}: no suite or scenario has this name; expected one of ${[...SUITES, ...all.map((s) => s.name)].join(', ')}`, { option: 'only' });
    }
  }
  return {
    serialization: only.includes('serialization'),
    templating: only.includes('templating'),
    daemon: only.includes('daemon'),
    ipc: only.includes('ipc'),
    scripts: only.includes('scripts'),
    storage: only.includes('storage'),
    triggers: only.includes('triggers'),
    scenarios: only.includes('engine') ? all : all.filter((s) => only.some((name) => selects(name, s))),
  };
}

/**
 * Runs the selected suites, one after another.
 * @throws TroupeError TROUPE_OPTION_INVALID when `only` names no suite or scenario
 */
export async function runBench(options: BenchRunOptions): Promise<BenchResults> {
  const work = selectWork(options.quick, options.only);
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    git: gitInfo(options.cwd),
    options: { quick: options.quick, ...(options.only?.length ? { only: options.only } : {}) },
    complete: !options.quick && !options.only?.length,
    serialization: [],
    engine: [],
    templating: [],
    daemon: [],
    ipc: [],
    scripts: [],
    storage: [],
    triggers: [],
  };
  const progress = options.progress;
  /** Runs a suite that reports progress as (label, done, total), and marks it complete at the end. */
  const tracked = async <T>(name: string, suite: (onProgress: (label: string, done: number, total: number) => void) => Promise<T>): Promise<T> => {
    let steps = 0;
    const result = await suite((label, done, total) => {
      steps = total;
      progress?.update(name, done, total, label);
    });
    progress?.update(name, steps, steps);
    return result;
  };
  if (work.serialization) results.serialization = await tracked('serialization', (onProgress) => runSerializationSuite({ quick: options.quick, onProgress }));
  if (work.templating) results.templating = await tracked('templating', (onProgress) => runTemplatingSuite({ quick: options.quick, onProgress }));
  if (work.ipc) results.ipc = await tracked('ipc', (onProgress) => runIpcSuite({ quick: options.quick, onProgress }));
  for (const scenario of work.scenarios) {
    progress?.update(`engine ${scenario.name}`, 0, scenario.warmup + scenario.executions);
    results.engine.push(...(await runEngineSuite({ quick: options.quick, scenarios: [scenario], onProgress: (name, done, total) => progress?.update(`engine ${name}`, done, total) })));
  }
  if (work.scripts) results.scripts = await tracked('scripts', (onProgress) => runScriptsSuite({ quick: options.quick, onProgress }));
  if (work.storage) results.storage = await tracked('storage', (onProgress) => runStorageSuite({ quick: options.quick, onProgress }));
  if (work.triggers) results.triggers = await tracked('triggers', (onProgress) => runTriggersSuite({ quick: options.quick, onProgress }));
  if (work.daemon) results.daemon = await tracked('daemon', (onProgress) => runDaemonSuite({ quick: options.quick, onProgress }));
  progress?.end();
  return results;
}

/**
 * The case runner: one Engine on a temporary data dir, every flow of the corpus deployed, each
 * `core` case executed with its raw inputs and each `storage` case with typed inputs (a FILE input
 * names a file of the corpus's `fixtures/`, stored into the execution's internal storage), and
 * compared with what Kestra's tests expect. Cases are independent executions, so several run at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../errors.js';
import { harnessInputs, storageInputs } from './harness-inputs.js';
import { Engine } from '../runtime/engine.js';
import type { ExecutionJson } from '../runtime/execution-json.js';
import type { LogEntry } from '../model/index.js';
import { checkExecution, checkLogs } from './check.js';
import { deployFlows, describeError, flowProblem, type DeployedFlows } from './corpus-flows.js';
import { loadExpectations, type ConformanceCase, type LogExpectation } from './expectations.js';

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Run only these cases (by name); every name must be in the corpus. @default every case */
  cases?: readonly string[];
  /** How long one case may run before it is killed and failed. @default 60000 */
  timeoutMs?: number;
  /** Cases running at once. @default 8 */
  concurrency?: number;
  /** Threads of the engine's task pool. @default 2 */
  poolThreads?: number;
  /** Called as each case ends (in completion order), with its index in the report. */
  onResult?: (result: CaseResult, index: number) => void;
}

/** Defaults of {@link ConformanceOptions}. */
export const CONFORMANCE_DEFAULTS = { timeoutMs: 60_000, concurrency: 8, poolThreads: 2 } as const;

/** The outcome of one case. */
export interface CaseResult {
  case: string;
  status: 'passed' | 'failed' | 'skipped';
  /** What differed (failed), or why the case did not run (skipped, starting `skipped:`). */
  reason?: string;
  durationMs: number;
}

/** The outcome of a run, cases in corpus order. */
export interface ConformanceReport {
  results: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

/** The tiers this runner executes; `trigger` cases need triggers, not built yet. */
const RUN_TIERS = new Set(['core', 'storage']);

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new TroupeError('TROUPE_OPTION_INVALID', `${name} must be a positive integer, got ${JSON.stringify(v)}`, { option: name });
  return v;
}

/** Picks the cases to run, in corpus order; unknown names are an error. */
export function selectCases(all: readonly ConformanceCase[], names: readonly string[] | undefined): ConformanceCase[] {
  if (!names) return [...all];
  const known = new Set(all.map((c) => c.case));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown case${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}: the corpus has ${[...known].join(', ')}`, { cases: unknown });
  const wanted = new Set(names);
  return all.filter((c) => wanted.has(c.case));
}

/** A short account of an execution that has not ended: its state and its task runs' states. */
function describeRunning(e: ExecutionJson | undefined): string {
  if (!e) return 'execution not found';
  const runs = e.taskRunList ?? [];
  const open = runs.filter((r) => !['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'SKIPPED', 'CANCELLED', 'RETRIED'].includes(r.state.current));
  const list = open.slice(0, 5).map((r) => `${r.taskId}${r.value !== undefined ? `[${String(r.value)}]` : ''} ${r.state.current}`);
  return `execution ${e.state.current}, ${runs.length} task runs${list.length ? `; open: ${list.join(', ')}${open.length > 5 ? ', ...' : ''}` : ''}`;
}

function delay(ms: number): { promise: Promise<undefined>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/** engine.waitFor: the engine refreshes its read snapshot, so a just-created execution is found. */
function waitForEnd(engine: Engine, id: string): Promise<ExecutionJson> {
  return engine.waitFor(id);
}

/** Waits for an execution to end, or kills it after `timeoutMs` and says where it stood. */
async function waitOrKill(engine: Engine, id: string, timeoutMs: number): Promise<ExecutionJson | string> {
  const ended = waitForEnd(engine, id);
  ended.catch(() => undefined); // a kill or the engine's close may settle it after we stop waiting
  const timer = delay(timeoutMs);
  let execution: ExecutionJson | undefined;
  try {
    execution = await Promise.race([ended, timer.promise]);
  } finally {
    timer.cancel();
  }
  if (execution) return execution;
  const where = describeRunning(engine.get(id));
  engine.kill(id);
  const grace = delay(5_000);
  await Promise.race([ended.catch(() => undefined), grace.promise]);
  grace.cancel();
  return `timed out after ${timeoutMs} ms (${where})`;
}

/** How long log lines may trail the end of their execution (Kestra's tests await logs too). */
const LOG_SETTLE_MS = 2_000;

/**
 * The execution's log lines, re-read until they fit the case's `logs` entries or
 * {@link LOG_SETTLE_MS} has passed: log lines may be stored shortly after the execution ends.
 */
async function settledLogs(engine: Engine, id: string, expected: readonly LogExpectation[]): Promise<LogEntry[]> {
  const deadline = performance.now() + LOG_SETTLE_MS;
  let logs = engine.logs(id);
  while (checkLogs(expected, logs).length > 0 && performance.now() < deadline) {
    const pause = delay(50);
    await pause.promise;
    logs = engine.logs(id);
  }
  return logs;
}

async function runCase(engine: Engine, flows: DeployedFlows, corpusDir: string, c: ConformanceCase, timeoutMs: number): Promise<Omit<CaseResult, 'durationMs'>> {
  const flowsDir = join(corpusDir, 'flows');
  const failed = (reason: string): Omit<CaseResult, 'durationMs'> => ({ case: c.case, status: 'failed', reason });
  const problem = flowProblem(flows, [...c.deploy, c.flow]);
  if (problem) return failed(problem);
  const flow = flows.files.get(c.flow);
  if (!flow?.ok) return failed(`flows/${c.flow} did not deploy`);
  try {
    // Storage-tier inputs go through input typing, a FILE input naming a file of the corpus's fixtures/.
    const id =
      c.tier === 'storage'
        ? await engine.execute(flow.namespace, flow.id, c.inputs ? storageInputs(join(flowsDir, c.flow), corpusDir, c.inputs) : undefined)
        : await engine.execute(flow.namespace, flow.id, c.inputs ? harnessInputs(join(flowsDir, c.flow), c.inputs) : undefined, { rawInputs: true });
    const execution = await waitOrKill(engine, id, timeoutMs);
    if (typeof execution === 'string') return failed(execution);
    const reasons = checkExecution(c.expect, execution, await settledLogs(engine, id, c.expect.logs ?? []));
    return reasons.length ? failed(reasons.join('; ')) : { case: c.case, status: 'passed' };
  } catch (e) {
    return failed(`engine error: ${describeError(e)}`);
  }
}

/** Runs `fn` on every item, at most `limit` at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Runs a conformance corpus: `dir/expectations.yaml` against the flows of `dir/flows/`.
 * @param dir the corpus directory
 * @returns every selected case's outcome, in corpus order, with the counts
 * @throws TroupeError TROUPE_OPTION_INVALID for a bad expectations file, unknown case or option
 * @example
 * const report = await runConformance('../shared/conformance', { timeoutMs: 30_000 });
 * console.log(formatReport(report).join('\n'));
 */
export async function runConformance(dir: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const timeoutMs = positiveInt('timeoutMs', options.timeoutMs, CONFORMANCE_DEFAULTS.timeoutMs);
  const concurrency = positiveInt('concurrency', options.concurrency, CONFORMANCE_DEFAULTS.concurrency);
  const poolThreads = positiveInt('poolThreads', options.poolThreads, CONFORMANCE_DEFAULTS.poolThreads);
  const cases = selectCases(loadExpectations(dir), options.cases);
  const results: CaseResult[] = new Array<CaseResult>(cases.length);
  const record = (index: number, result: CaseResult): void => {
    results[index] = result;
    options.onResult?.(result, index);
  };
  const toRun: number[] = [];
  cases.forEach((c, i) => {
    if (RUN_TIERS.has(c.tier)) toRun.push(i);
    else record(i, { case: c.case, status: 'skipped', reason: `skipped: tier '${c.tier}' needs ${c.tier === 'trigger' ? 'triggers' : 'features'} this runner does not provide (it runs ${[...RUN_TIERS].map((t) => `'${t}'`).join(' and ')} cases)`, durationMs: 0 });
  });
  if (toRun.length) {
    const dataDir = mkdtempSync(join(tmpdir(), 'troupe-conformance-'));
    const engine = await Engine.open({ dataDir, poolThreads, noSync: true });
    try {
      const flows = await deployFlows(engine, join(dir, 'flows'));
      await forEachLimited(toRun, concurrency, async (i) => {
        const started = performance.now();
        const result = await runCase(engine, flows, dir, cases[i]!, timeoutMs);
        record(i, { ...result, durationMs: Math.round(performance.now() - started) });
      });
    } finally {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const count = (s: CaseResult['status']): number => results.filter((r) => r.status === s).length;
  return { results, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

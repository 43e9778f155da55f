/**
 * The `triggers` suite, on the real clock (issue 15): how late a Schedule fires, and how a burst
 * of schedules due in the same second is absorbed.
 *
 * - `schedule-latency-100`: 100 Schedules (`withSeconds`, UTC), spread over the seconds of a cycle
 *   (each fires once per cycle, in its own second), for a run of several cycles on a durable
 *   engine. A firing is measured twice from the date it was due (`trigger.date`): to its
 *   execution's creation date (the timer's lateness, the evaluation, the commit of the trigger
 *   row), and to the moment the engine reports the execution durable (its first change listener
 *   call: the shard's commit of the creation, flushed) — the fire latency, judged by the target.
 * - `schedule-burst-*`: thousands of Schedules (100 per flow) all due at the same second; the figures
 *   are the times from that second to the creation date of the last execution and to the last
 *   one durable, every one created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import type { ExecutionJson } from '../runtime/execution-json.js';
import { percentile } from './engine.js';

/** One scenario's figures. */
export interface TriggersResult {
  name: string;
  /** Schedules deployed. */
  schedules: number;
  /** Executions the schedules created during the measure. */
  firings: number;
  /** Creation date − due date, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Fire latency: the execution reported durable − due date, ms (absent from results before it was measured). */
  durableP50Ms?: number;
  durableP99Ms?: number;
  durableMaxMs?: number;
  /** The burst: from the due second to the creation of the last execution, ms (latency scenario: absent). */
  lastCreatedMs?: number;
  /** The burst: from the due second to the last execution durable, ms. */
  lastDurableMs?: number;
  /** Schedules that did not fire when due (a burst deployed too slowly, or a firing lost). */
  missed: number;
}

/** Options of {@link runTriggersSuite}. */
export interface TriggersSuiteOptions {
  quick: boolean;
  onProgress?: (label: string, done: number, total: number) => void;
}

const NAMESPACE = 'troupe.bench.triggers';

function flowYaml(id: string, crons: string[]): string {
  const triggers = crons.map((cron, i) => `  - id: t${i}\n    type: io.kestra.plugin.core.trigger.Schedule\n    withSeconds: true\n    timezone: UTC\n    cron: "${cron}"\n`).join('');
  return `id: ${id}\nnamespace: ${NAMESPACE}\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ trigger.date }}"\ntriggers:\n${triggers}`;
}

interface Firing {
  due: number;
  created: number;
  /** When the engine first reported a durable change of the execution (NaN: not seen). */
  durable: number;
}

/** Due date, creation date and durable time of each execution a Schedule created. */
function firings(executions: ExecutionJson[], durable: ReadonlyMap<string, number>): Firing[] {
  const out: Firing[] = [];
  for (const e of executions) {
    const date = e.trigger?.variables?.['date'];
    if (typeof date !== 'string') continue;
    out.push({ due: Date.parse(date), created: Date.parse(e.state.histories[0]!.date), durable: durable.get(e.id) ?? Number.NaN });
  }
  return out;
}

/** The figures of a set of firings. */
function figures(measured: Firing[]): Pick<TriggersResult, 'p50Ms' | 'p99Ms' | 'maxMs' | 'durableP50Ms' | 'durableP99Ms' | 'durableMaxMs'> {
  const created = measured.map((l) => l.created - l.due).sort((a, b) => a - b);
  // An execution not yet reported durable counts as late as now (it cannot pass unseen).
  const now = Date.now();
  const durable = measured.map((l) => (Number.isNaN(l.durable) ? now : l.durable) - l.due).sort((a, b) => a - b);
  return { p50Ms: percentile(created, 0.5), p99Ms: percentile(created, 0.99), maxMs: created.at(-1) ?? 0, durableP50Ms: percentile(durable, 0.5), durableP99Ms: percentile(durable, 0.99), durableMaxMs: durable.at(-1) ?? 0 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` on a fresh durable engine, with the time each execution was first reported durable. */
async function withEngine<T>(prefix: string, fn: (engine: Engine, durable: ReadonlyMap<string, number>) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const engine = await Engine.open({ dataDir, poolThreads: availableParallelism(), noSync: false });
  const durable = new Map<string, number>();
  engine.onExecutionChange((id) => {
    if (!durable.has(id)) durable.set(id, Date.now());
  });
  try {
    return await fn(engine, durable);
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 100 Schedules over a cycle of `cycle` seconds, measured for `seconds` seconds. */
async function latencyScenario(cycle: number, seconds: number, progress: (done: number) => void): Promise<TriggersResult> {
  return withEngine('troupe-bench-triggers-', async (engine, durable) => {
    for (let f = 0; f < 10; f++) await engine.deploy(flowYaml(`latency-${f}`, Array.from({ length: 10 }, (_, i) => `${(f * 10 + i) % cycle}-59/${cycle} * * * * *`)));
    // Measure from the next whole second on: the deploys are behind us.
    const from = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    const until = from + seconds * 1000;
    while (Date.now() < until) {
      await sleep(250);
      progress(Math.min(seconds, Math.floor((Date.now() - from) / 1000)));
    }
    // The firings due before `until` are created within a second (a slower one counts as late, not lost).
    await sleep(1000);
    const measured = firings(engine.list({ namespace: NAMESPACE }), durable).filter((l) => l.due >= from && l.due < until);
    const expected = (seconds * 100) / cycle;
    return { name: 'schedule-latency-100', schedules: 100, firings: measured.length, ...figures(measured), missed: Math.max(0, expected - measured.length) };
  });
}

/** `flows` × 100 Schedules all due at the same second. */
async function burstScenario(flows: number, marginSeconds: number, progress: (done: number) => void): Promise<TriggersResult> {
  return withEngine('troupe-bench-burst-', async (engine, durable) => {
    const due = Math.ceil(Date.now() / 1000) * 1000 + marginSeconds * 1000;
    const at = new Date(due);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    for (let f = 0; f < flows; f++) {
      await engine.deploy(flowYaml(`burst-${f}`, Array.from({ length: 100 }, () => cron)));
      progress(f + 1);
    }
    const schedules = flows * 100;
    while (Date.now() < due + 1000) await sleep(100);
    let created: ExecutionJson[] = [];
    for (let i = 0; i < 600; i++) {
      created = engine.list({ namespace: NAMESPACE });
      if (created.length >= schedules && created.every((e) => durable.has(e.id))) break;
      await sleep(100);
    }
    const measured = firings(created, durable).filter((l) => l.due === due);
    const f = figures(measured);
    return { name: `schedule-burst-${schedules}`, schedules, firings: measured.length, ...f, lastCreatedMs: f.maxMs, lastDurableMs: f.durableMaxMs ?? 0, missed: schedules - measured.length };
  });
}

/** Runs both scenarios, each on a fresh durable engine. */
export async function runTriggersSuite(options: TriggersSuiteOptions): Promise<TriggersResult[]> {
  const seconds = options.quick ? 3 : 30;
  const cycle = options.quick ? 2 : 10;
  const flows = options.quick ? 10 : 100;
  const margin = options.quick ? 5 : 30;
  const total = seconds + flows;
  const latency = await latencyScenario(cycle, seconds, (done) => options.onProgress?.('fire latency, 100 schedules', done, total));
  const burst = await burstScenario(flows, margin, (done) => options.onProgress?.(`${flows * 100} schedules due at once`, seconds + done, total));
  return [latency, burst];
}

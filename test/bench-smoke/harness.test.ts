import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { benchmarksMarkdown, perChangeChart } from '../../src/bench/report.js';
import type { BenchResults } from '../../src/bench/results.js';
import { selectWork } from '../../src/bench/run.js';
import { templatingScenarios } from '../../src/bench/templating.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SERIALIZATION_FIELDS = ['n', 'kestraUsPerChange', 'snapshotUsPerChange', 'troupeUsPerChange', 'troupeBytesPerChange'];
const TEMPLATING_FIELDS = ['name', 'template', 'firstUseUs', 'cachedUs'];
const DAEMON_FIELDS = ['executions', 'concurrency', 'seconds', 'executionsPerSecond', 'p50Ms', 'p99Ms', 'inProcessExecutionsPerSecond', 'inProcessP50Ms', 'inProcessP99Ms', 'ratioToInProcess', 'failed', 'coldStartMs', 'idleRssMiB', 'poolThreads'];
const SCRIPTS_FIELDS = ['tasks', 'concurrency', 'rounds', 'engineMsPerTask', 'bareMsPerTask', 'overheadMsPerTask', 'engineTasksPerSecond', 'bareTasksPerSecond', 'failed', 'poolThreads'];
const STORAGE_FIELDS = ['rssRatio', 'kvPutsPerSecond', 'kvGetsPerSecond'];
const STORAGE_RUN_FIELDS = ['fileMiB', 'parts', 'subflows', 'seconds', 'mibPerSecond', 'peakRssMiB'];
const ENGINE_FIELDS = ['name', 'executions', 'taskRuns', 'seconds', 'taskRunsPerSecond', 'executionsPerSecond', 'p50Ms', 'p99Ms', 'bytesWritten', 'peakRssMiB', 'poolNoopTasksPerSecond', 'ratioToPool'];

describe('troupe bench --quick', () => {
  it('runs every suite end to end and writes the results JSON with every field (figures are not judged)', async () => {
    const json = join(dir, 'out.json');
    const resultsDir = join(dir, 'results');
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/troupe.js', 'bench', '--quick', '--json', json, '--results-dir', resultsDir], { cwd: root, maxBuffer: 1 << 24 });
    expect(stdout).toContain('Serialization');
    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(readdirSync(resultsDir)).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\d-[\w-]+-quick\.json$/)]);
    expect(results.options.quick).toBe(true);
    expect(results.complete).toBe(false);
    expect(results.machine).toMatchObject({ cpus: expect.any(Number), model: expect.any(String), totalmemMiB: expect.any(Number), node: process.version });
    expect(results.git.commit).toEqual(expect.any(String));
    expect(results.serialization.length).toBeGreaterThan(0);
    for (const r of results.serialization) for (const f of SERIALIZATION_FIELDS) expect(r).toHaveProperty(f, expect.any(Number));
    const names = results.engine.map((r) => r.name);
    for (const name of ['kestra-01', 'kestra-02', 'kestra-03', 'windmill-40']) expect(names).toContain(name);
    expect(names.some((n) => n.startsWith('sequential-'))).toBe(true);
    expect(names.some((n) => n.startsWith('each-parallel-'))).toBe(true);
    expect(names).not.toContain('huge-100k');
    expect(names).not.toContain('huge-1m');
    for (const r of results.engine) {
      for (const f of ENGINE_FIELDS) expect(r).toHaveProperty(f, f === 'name' ? expect.any(String) : expect.any(Number));
      expect(r.failedExecutions).toBe(0);
    }
    expect(stdout).toContain('Templating');
    expect(results.templating?.map((r) => r.name)).toEqual(templatingScenarios().map((s) => s.name));
    for (const r of results.templating ?? []) {
      expect(Object.keys(r).sort()).toEqual([...TEMPLATING_FIELDS].sort());
      for (const f of TEMPLATING_FIELDS) expect(r).toHaveProperty(f, f === 'name' || f === 'template' ? expect.any(String) : expect.any(Number));
    }
    expect(stdout).toContain('Daemon');
    expect(results.daemon?.map((r) => r.name)).toEqual(['daemon-kestra-01']);
    for (const r of results.daemon ?? []) {
      for (const f of DAEMON_FIELDS) expect(r).toHaveProperty(f, expect.any(Number));
      expect(r.failed).toBe(0);
    }
    expect(stdout).toContain('Scripts');
    expect(results.scripts?.map((r) => [r.name, r.concurrency])).toEqual([['shell-true-20', 1], ['shell-true-20-x8', 8]]);
    for (const r of results.scripts ?? []) {
      for (const f of SCRIPTS_FIELDS) expect(r).toHaveProperty(f, expect.any(Number));
      expect(r.failed).toBe(0);
    }
    expect(stdout).toContain('Storage');
    expect(results.storage?.map((r) => r.name)).toEqual(['split-foreachitem-concat-100']);
    for (const r of results.storage ?? []) {
      for (const f of STORAGE_FIELDS) expect(r).toHaveProperty(f, expect.any(Number));
      for (const p of [r.small, r.large]) for (const f of STORAGE_RUN_FIELDS) expect(p).toHaveProperty(f, expect.any(Number));
      expect([r.small.parts, r.small.subflows, r.large.parts, r.large.subflows]).toEqual([100, 100, 100, 100]);
    }
    expect(stdout).toContain('Triggers');
    expect(results.triggers?.map((r) => r.name)).toEqual(['schedule-latency-100', 'schedule-burst-1000']);
    for (const r of results.triggers ?? []) for (const f of ['schedules', 'firings', 'p50Ms', 'p99Ms', 'maxMs', 'durableP50Ms', 'durableP99Ms', 'durableMaxMs', 'missed']) expect(r).toHaveProperty(f, expect.any(Number));
    // A guard against a hang, not a speed target: the quick run takes about 50 s on a quiet
    // 2-core machine, and several times that when the machine is shared.
  }, 300_000);
});

/** A complete run with made-up figures, for the report. */
function fakeResults(): BenchResults {
  const engine = (name: string, extra: Partial<BenchResults['engine'][number]> = {}): BenchResults['engine'][number] => ({
    name, executions: 1, taskRuns: 10_001, seconds: 1, taskRunsPerSecond: 10_001, executionsPerSecond: 1, p50Ms: 20, p99Ms: 30, bytesWritten: 1, peakRssMiB: 100,
    poolNoopTasksPerSecond: 15_000, ratioToPool: 0.67, concurrency: 1, meanMs: 20, failedExecutions: 0, fileBytesPerStateChange: 300, storedBytes: 1, maxTaskRunRecordBytes: 400, maxHeaderBytes: 260, maxLogBytes: 200, poolThreads: 2, ...extra,
  });
  const ser = (n: number, troupe: number): BenchResults['serialization'][number] => ({
    n, kestraUsPerChange: n * 20, kestraBytesPerChange: n * 1_200, snapshotUsPerChange: n * 10, snapshotBytesPerChange: n * 700, troupeUsPerChange: troupe, troupeBytesPerChange: 940,
    changesPerExecution: 3 * n, kestraMsPerExecution: (n * 20 * 3 * n) / 1000, kestraDurableUsPerChange: n * 25, kestraDurableMsPerExecution: (n * 25 * 3 * n) / 1000, snapshotMsPerExecution: 1, troupeMsPerExecution: (troupe * 3 * n) / 1000, kestraBytesPerExecution: 1, snapshotBytesPerExecution: 1, troupeBytesPerExecution: 1,
  });
  return {
    date: '2025-01-01T00:00:00.000Z', machine: { cpus: 2, model: 'cpu', totalmemMiB: 4096, platform: 'linux', release: '6', node: 'v20' }, git: { commit: 'abc1234', dirty: false },
    options: { quick: false }, complete: true,
    serialization: [ser(10, 10), ser(100, 10), ser(1_000, 11), ser(10_000, 30)],
    engine: [engine('each-parallel-100x100'), engine('kestra-03', { p50Ms: 60 }), engine('windmill-40', { overheadMsPerTask: 0.25 }), engine('huge-100k', { taskRuns: 100_001, maxTaskRunRecordBytes: 401 }), engine('huge-1m', { taskRuns: 1_000_001, peakRssMiB: 1_400, peakAnonRssMiB: 700 })],
    templating: [{ name: 'filters', template: "{{ inputs.name | lower | replace({' ': '-'}) }}", firstUseUs: 12, cachedUs: 2 }],
    scripts: [
      { name: 'shell-true-200', tasks: 200, concurrency: 1, rounds: 5, engineMsPerTask: 6.5, bareMsPerTask: 2.5, overheadMsPerTask: 4, engineTasksPerSecond: 150, bareTasksPerSecond: 400, failed: 0, poolThreads: 2 },
      { name: 'shell-true-200-x8', tasks: 200, concurrency: 8, rounds: 5, engineMsPerTask: 2, bareMsPerTask: 1, overheadMsPerTask: 1, engineTasksPerSecond: 500, bareTasksPerSecond: 1000, failed: 0, poolThreads: 2 },
    ],
    storage: [{
      name: 'split-foreachitem-concat-1000',
      small: { fileMiB: 20, parts: 1000, subflows: 1000, seconds: 10, mibPerSecond: 2, peakRssMiB: 300, peakAnonRssMiB: 200 },
      large: { fileMiB: 100, parts: 1000, subflows: 1000, seconds: 20, mibPerSecond: 5, peakRssMiB: 320, peakAnonRssMiB: 210 },
      rssRatio: 1.05, kvPutsPerSecond: 5000, kvGetsPerSecond: 500000,
    }],
    daemon: [{ name: 'daemon-kestra-01', executions: 2000, concurrency: 32, seconds: 10, executionsPerSecond: 200, p50Ms: 40, p99Ms: 90, inProcessExecutionsPerSecond: 250, inProcessP50Ms: 30, inProcessP99Ms: 60, ratioToInProcess: 0.8, failed: 0, coldStartMs: 700, idleRssMiB: 95, idleAnonRssMiB: 60, poolThreads: 2 }],
  };
}

describe('the report', () => {
  it('marks each target met or not met with its figure, and links the chart', () => {
    const md = benchmarksMarkdown(fakeResults(), 'bench/results/x.json');
    expect(md).toContain('(benchmarks-per-change.svg)');
    expect(md).toMatch(/per-change cost at N=10,000 within 1\.5× of N=10 \| .*3× \| ❌ not met/);
    expect(md).toMatch(/1,000× Troupe per execution at N=1,000 \| durable .*2,273×; CPU only: .*1,818× \| ✅ met/);
    expect(md).toMatch(/Benchmark 03 .* \| p50 60 ms.* \| ❌ not met/);
    expect(md).toMatch(/overhead at most 0\.3 ms .* \| 0\.25 ms per task.* \| ✅ met/);
    expect(md).toMatch(/huge-1m\) completes with peak anonymous memory at most 1 GiB \| .*peak RssAnon 700 MiB.* \| ✅ met/);
    expect(md).toMatch(/no stored record grows with N \| .* \| ✅ met/);
  });

  it('judges the daemon targets and has a daemon section', () => {
    const md = benchmarksMarkdown(fakeResults(), 'bench/results/x.json');
    expect(md).toMatch(/at least 0\.7× the in-process rate \| 200 executions\/s over HTTP vs 250 in-process: 0\.8× \| ✅ met/);
    expect(md).toMatch(/p99 at most 50 ms .* \| p50 40 ms, p99 90 ms over HTTP .* \| ❌ not met/);
    expect(md).toMatch(/RSS at most 80 MiB \| 95 MiB \(anonymous 60 MiB\), 2 pool threads \| ❌ not met/);
    expect(md).toMatch(/cold start to `listening` at most 1 s \| 700 ms .* \| ✅ met/);
    expect(md).toContain('## Daemon');
    expect(md).toContain('| daemon-kestra-01 | 2,000 | 32 | 200 | 40 | 90 | 250 | 30 | 60 | 0.8× | 0 | 700 | 95 | 60 |');
    const { daemon: _daemon, ...old } = fakeResults();
    expect(benchmarksMarkdown(old, 'bench/results/x.json')).not.toContain('## Daemon');
  });

  it('judges the scripts target and has a scripts section', () => {
    const md = benchmarksMarkdown(fakeResults(), 'bench/results/x.json');
    expect(md).toMatch(/over a bare spawn of the same command at most 5 ms .* \| 4 ms per task \(6\.5 ms through the engine, 2\.5 ms bare\); 8 at a time 500 tasks\/s vs 1,000 bare spawns\/s \| ✅ met/);
    expect(md).toContain('## Scripts');
    expect(md).toContain('| shell-true-200-x8 | 200 | 8 | 5 | 2 | 1 | 1 | 500 | 1,000 | 0 |');
    const { scripts: _scripts, ...old } = fakeResults();
    expect(benchmarksMarkdown(old, 'bench/results/x.json')).not.toContain('## Scripts');
  });

  it('judges the storage target by the memory ratio and has a storage section', () => {
    const md = benchmarksMarkdown(fakeResults(), 'bench/results/x.json');
    expect(md).toMatch(/Split → ForEachItem subflows → Concat: peak memory at the larger file size at most 1\.25× the smaller's .* \| 100 MiB: RssAnon 210 MiB, 5 MiB\/s; 20 MiB: RssAnon 200 MiB, 2 MiB\/s: 1\.05× .*KV 5,000 puts\/s, 500,000 gets\/s \| ✅ met/);
    expect(md).toContain('## Storage');
    expect(md).toContain('| split-foreachitem-concat-1000 | 100 | 1,000 | 1,000 | 20 | 5 | 320 | 210 | 1.05× | 5,000 | 500,000 |');
    const { storage: _storage, ...old } = fakeResults();
    expect(benchmarksMarkdown(old, 'bench/results/x.json')).not.toContain('## Storage');
  });

  it('has a templating section with each expression, its template and both figures', () => {
    const md = benchmarksMarkdown(fakeResults(), 'bench/results/x.json');
    expect(md).toContain('## Templating');
    expect(md).toContain("| filters | `{{ inputs.name \\| lower \\| replace({' ': '-'}) }}` | 12 | 2 | 6× |");
    expect(md).toContain('(reference/expressions.md)');
  });

  it('leaves the templating section out for results files written before the suite existed', () => {
    const { templating: _templating, ...old } = fakeResults();
    expect(benchmarksMarkdown(old, 'bench/results/x.json')).not.toContain('## Templating');
  });

  it('draws the four models on log-log axes (three for a file without the durable Kestra figure)', () => {
    const svg = perChangeChart(fakeResults().serialization);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    const old = fakeResults().serialization.map(({ kestraDurableUsPerChange: _a, kestraDurableMsPerExecution: _b, ...r }) => r);
    expect(perChangeChart(old).match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('>10k<');
  });

  it('--report-only regenerates docs from the newest complete results file', async () => {
    const resultsDir = join(dir, 'report-results');
    const docsDir = join(dir, 'docs');
    mkdirSync(resultsDir, { recursive: true });
    mkdirSync(docsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'full.json'), JSON.stringify(fakeResults()));
    writeFileSync(join(resultsDir, 'quick.json'), JSON.stringify({ ...fakeResults(), date: '2030-01-01T00:00:00.000Z', complete: false }));
    await promisify(execFile)(process.execPath, ['bin/troupe.js', 'bench', '--report-only', '--results-dir', resultsDir, '--docs-dir', docsDir], { cwd: root });
    expect(readFileSync(join(docsDir, 'benchmarks.md'), 'utf8')).toContain('bench/results/full.json');
    expect(readFileSync(join(docsDir, 'benchmarks-per-change.svg'), 'utf8')).toContain('</svg>');
  });
});

describe('--only', () => {
  it('selects suites, scenarios and name prefixes, and refuses unknown names', () => {
    expect(selectWork(false, ['serialization'])).toEqual({ serialization: true, templating: false, daemon: false, ipc: false, scripts: false, storage: false, triggers: false, scenarios: [] });
    expect(selectWork(true, ['templating'])).toEqual({ serialization: false, templating: true, daemon: false, ipc: false, scripts: false, storage: false, triggers: false, scenarios: [] });
    expect(selectWork(false, ['daemon'])).toEqual({ serialization: false, templating: false, daemon: true, ipc: false, scripts: false, storage: false, triggers: false, scenarios: [] });
    expect(selectWork(true, ['ipc'])).toEqual({ serialization: false, templating: false, daemon: false, ipc: true, scripts: false, storage: false, triggers: false, scenarios: [] });
    expect(selectWork(true, ['scripts'])).toEqual({ serialization: false, templating: false, daemon: false, ipc: false, scripts: true, storage: false, triggers: false, scenarios: [] });
    expect(selectWork(true, ['storage'])).toEqual({ serialization: false, templating: false, daemon: false, ipc: false, scripts: false, storage: true, triggers: false, scenarios: [] });
    expect(selectWork(true, ['triggers'])).toEqual({ serialization: false, templating: false, daemon: false, ipc: false, scripts: false, storage: false, triggers: true, scenarios: [] });
    expect(selectWork(true, undefined)).toMatchObject({ serialization: true, templating: true, daemon: true, ipc: true, scripts: true, storage: true, triggers: true });
    expect(selectWork(false, ['kestra']).scenarios.map((s) => s.name)).toEqual(['kestra-01', 'kestra-02', 'kestra-03', 'kestra-03-alone']);
    expect(selectWork(false, ['kestra-03']).scenarios.map((s) => s.name)).toEqual(['kestra-03', 'kestra-03-alone']);
    expect(() => selectWork(false, ['nope'])).toThrow(/--only nope/);
  });
});

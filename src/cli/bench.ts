/**
 * `troupe bench [--quick] [--json FILE] [--report] [--only NAME…]`: runs the benchmark suites
 * (serialization, engine, templating) with a progress display on stderr, prints their tables,
 * writes the results JSON to bench/results/ (and FILE), and with --report regenerates
 * docs/benchmarks.md and its chart from the newest full run. Paths are relative to the working directory: run it from the repository.
 */
import { resolve } from 'node:path';
import { createProgress } from '../bench/progress.js';
import { writeReport } from '../bench/report.js';
import { latestCompleteResults, resultsFileName, writeResults, type BenchResults } from '../bench/results.js';
import { runBench } from '../bench/run.js';
import { daemonTable, engineTable, ipcTable, scriptsTable, serializationTable, storageTable, templatingTable, textTable, triggersTable } from '../bench/tables.js';
import { judgeTargets } from '../bench/targets.js';

/** Options of `troupe bench`. */
export interface BenchCommandOptions {
  quick?: boolean;
  /** Also write the results JSON here. */
  json?: string;
  /** Regenerate docs/benchmarks.md from the newest full run after running. */
  report?: boolean;
  /** Regenerate docs/benchmarks.md from the newest full run without running anything. */
  reportOnly?: boolean;
  /** Suites (`serialization`, `engine`, `templating`, `daemon`, `ipc`, `scripts`, `storage`, `triggers`) or engine scenarios to run. */
  only?: string[];
  /** Where results files go and --report reads them. @default bench/results */
  resultsDir?: string;
  /** Where --report writes benchmarks.md and its chart. @default docs */
  docsDir?: string;
}

function printResults(results: BenchResults, out: (s: string) => void): void {
  if (results.serialization.length) {
    out('\nSerialization: the cost of one state change (per execution: × 3N changes)\n');
    out(textTable(serializationTable(results.serialization)));
  }
  if (results.engine.length) {
    out('\nEngine: real flows, durable (ms/task = p50 ÷ sequential tasks; max record B = task run / header)\n');
    out(textTable(engineTable(results.engine)));
  }
  if (results.templating?.length) {
    out('\nTemplating: mean µs per render, parsed on first use vs served from the template cache\n');
    out(textTable(templatingTable(results.templating)));
  }
  if (results.daemon?.length) {
    out('\nDaemon: kestra-01 over HTTP (32 clients, ?wait=true) beside in-process; the idle daemon\n');
    out(textTable(daemonTable(results.daemon)));
  }
  if (results.ipc?.length) {
    out('\nIPC: kestra-01 by 32 concurrent callers, in-process and over the Unix socket (alternating rounds)\n');
    out(textTable(ipcTable(results.ipc)));
  }
  if (results.scripts?.length) {
    out('\nScripts: shell.Commands `true` through the engine (durable) beside a bare spawn of the same command, alternating rounds\n');
    out(textTable(scriptsTable(results.scripts)));
  }
  if (results.storage?.length) {
    out('\nStorage: a FILE input → Split → ForEachItem (a subflow per part) → Concat, at two sizes; KV put/get\n');
    out(textTable(storageTable(results.storage)));
  }
  if (results.triggers?.length) {
    out('\nTriggers: Schedule fire latency on the real clock (creation − due date), and a burst due at once\n');
    out(textTable(triggersTable(results.triggers)));
  }
  const verdicts = judgeTargets(results).filter((v) => v.met !== undefined);
  if (verdicts.length) {
    out(`\nTargets (issues 7, 10, 11, 12, 13 and 14)${results.options.quick ? ' — quick sizes: indicative only' : ''}\n`);
    for (const v of verdicts) out(`${v.met ? '  ✓ met    ' : '  ✗ missed '} ${v.target}\n             ${v.measured}`);
  }
}

function report(resultsDir: string, docsDir: string, out: (s: string) => void, err: (s: string) => void): number {
  const latest = latestCompleteResults(resultsDir);
  if (!latest) {
    err(`No full run in ${resultsDir}: run \`troupe bench --report\` without --quick or --only first`);
    return 1;
  }
  for (const file of writeReport(docsDir, latest.results, latest.file)) out(`wrote ${file}`);
  return 0;
}

/** Runs `troupe bench`; resolves to the exit code (0, or 1 when --report finds no full run). */
export async function benchCommand(opts: BenchCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const resultsDir = resolve(opts.resultsDir ?? 'bench/results');
  const docsDir = resolve(opts.docsDir ?? 'docs');
  if (opts.reportOnly) return report(resultsDir, docsDir, out, err);

  const results = await runBench({
    quick: opts.quick === true,
    ...(opts.only ? { only: opts.only } : {}),
    progress: createProgress(process.stderr),
    cwd: process.cwd(),
  });
  printResults(results, out);
  const file = resolve(resultsDir, resultsFileName(results));
  writeResults(file, results);
  out(`\nwrote ${file}`);
  if (opts.json) {
    writeResults(resolve(opts.json), results);
    out(`wrote ${resolve(opts.json)}`);
  }
  return opts.report ? report(resultsDir, docsDir, out, err) : 0;
}

/**
 * docs/benchmarks.md and its chart, generated from a full results file (never hand-written):
 * the targets of issues 7, 10 and 11 met or not, the tables of every suite, and an SVG of the cost of one
 * state change against the size of the execution, log-log, for the three persistence models.
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { engineScenarios } from './engine.js';
import { FINDINGS } from './findings.js';
import type { BenchResults } from './results.js';
import type { SerializationResult } from './serialization.js';
import { daemonTable, engineTable, ipcTable, markdownTable, num, scriptsTable, serializationTable, storageTable, templatingTable, triggersTable } from './tables.js';
import { judgeTargets } from './targets.js';

/** The chart's file name, next to benchmarks.md. */
export const CHART_FILE = 'benchmarks-per-change.svg';

interface Series {
  label: string;
  color: string;
  /** The figure; undefined when the run did not measure it (an older results file). */
  value: (r: SerializationResult) => number | undefined;
}

const SERIES: Series[] = [
  { label: 'Kestra model: JSON round-trip of the whole execution', color: '#d62728', value: (r) => r.kestraUsPerChange },
  { label: 'Kestra model, durable: the JSON through LMDB, fsync per 100 changes', color: '#9467bd', value: (r) => r.kestraDurableUsPerChange },
  { label: 'whole msgpack snapshot', color: '#ff7f0e', value: (r) => r.snapshotUsPerChange },
  { label: 'Troupe: changed record + header, durable LMDB', color: '#1f77b4', value: (r) => r.troupeUsPerChange },
];

/** A power of ten as a short label: 10, 100, 1k, 10k; µs values as 1 µs … 100 ms. */
function decadeLabel(exp: number, unit: 'n' | 'us'): string {
  if (unit === 'n') return exp >= 3 ? `${10 ** (exp - 3)}k` : String(10 ** exp);
  if (exp < 0) return `${10 ** exp} µs`;
  if (exp < 3) return `${10 ** exp} µs`;
  if (exp < 6) return `${10 ** (exp - 3)} ms`;
  return `${10 ** (exp - 6)} s`;
}

/**
 * The cost of one state change against N, log-log, one line per model.
 * @returns the SVG document
 */
export function perChangeChart(results: SerializationResult[]): string {
  const W = 720;
  const H = 440;
  const m = { left: 70, right: 20, top: 40, bottom: 110 };
  const points = results.filter((r) => r.n > 0);
  const series = SERIES.filter((s) => points.every((r) => s.value(r) !== undefined));
  const value = (s: Series, r: SerializationResult): number => Math.log10(Math.max(s.value(r) ?? 0, 1e-3));
  const ns = points.map((r) => Math.log10(r.n));
  const ys = points.flatMap((r) => series.map((s) => value(s, r)));
  const x0 = Math.floor(Math.min(...ns));
  const x1 = Math.ceil(Math.max(...ns));
  const y0 = Math.floor(Math.min(...ys));
  const y1 = Math.ceil(Math.max(...ys));
  const px = (lx: number): number => m.left + ((lx - x0) / Math.max(1, x1 - x0)) * (W - m.left - m.right);
  const py = (ly: number): number => H - m.bottom - ((ly - y0) / Math.max(1, y1 - y0)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">Cost of one state change against task runs in the execution (log-log)</text>`);
  for (let e = x0; e <= x1; e++) {
    const x = px(e).toFixed(1);
    parts.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${H - m.bottom}" stroke="#dddddd"/>`);
    parts.push(`<text x="${x}" y="${H - m.bottom + 18}" text-anchor="middle">${decadeLabel(e, 'n')}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = py(e).toFixed(1);
    parts.push(`<line x1="${m.left}" y1="${y}" x2="${W - m.right}" y2="${y}" stroke="#dddddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${(py(e) + 4).toFixed(1)}" text-anchor="end">${decadeLabel(e, 'us')}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#888888"/>`);
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - m.bottom + 38}" text-anchor="middle">task runs in the execution (N)</text>`);
  parts.push(`<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">time per state change</text>`);
  for (const s of series) {
    const coords = points.map((r) => [px(Math.log10(r.n)), py(value(s, r))] as const);
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${coords.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of coords) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${s.color}"/>`);
  }
  series.forEach((s, i) => {
    const y = H - m.bottom + 60 + i * 16;
    parts.push(`<line x1="${m.left}" y1="${y - 4}" x2="${m.left + 24}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<circle cx="${m.left + 12}" cy="${y - 4}" r="4" fill="${s.color}"/>`);
    parts.push(`<text x="${m.left + 32}" y="${y}">${s.label}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The profiling notes (src/bench/findings.ts) of the missed targets, as a section. */
function whereTheTimeGoes(missed: string[]): string[] {
  const notes = missed.flatMap((target) => FINDINGS.notes.filter((n) => target.startsWith(n.target)).map((n) => `- **${target}**: ${n.note}`));
  if (!notes.length) return [];
  return ['### Where the time goes (missed targets)', '', `Profiled at commit \`${FINDINGS.profiledAt}\`. ${FINDINGS.method}`, '', ...notes, ''];
}

/** The templating section; a results file from before the suite existed has none. */
function templatingSection(results: BenchResults): string[] {
  if (!results.templating?.length) return [];
  return [
    '## Templating: typical Kestra expressions, first use and cached',
    '',
    'Mean µs per string render over a task-run context shaped like the engine\'s. `first use` empties the compiled-template cache before every render (lex, parse, evaluate); `cached` serves the parse from the cache (evaluate only), which is what every render after the first costs. The language: [docs/reference/expressions.md](reference/expressions.md).',
    '',
    markdownTable(templatingTable(results.templating, true)),
    '',
  ];
}

/** The daemon section; a results file from before the suite existed has none. */
function daemonSection(results: BenchResults): string[] {
  if (!results.daemon?.length) return [];
  return [
    '## Daemon: `troupe server` over HTTP beside the engine in-process',
    '',
    '`troupe server` runs as a child process on 127.0.0.1 with the examples deployed and its default threads, with the Node flags of `bin/troupe.js`\'s `#!` line (`--max-semi-space-size=2`), as the `troupe` command and `npm start` run it. `cold start` is spawn to its `listening on` line (Node\'s own start included); `idle RSS` is its resident set after 2 s idle, before any load (`idle anon`: the anonymous part, without mapped LMDB pages). Then 32 clients in the bench process (node:http, connections kept alive) create kestra-01 executions (OutputValues, then Log) with `POST /api/v1/executions/{namespace}/{flowId}?wait=true`, so latency is request to the answer with the ended execution; the same count then runs on an Engine in the bench process at the same concurrency. The clients share the machine with the daemon, and the figures move with the machine\'s load.',
    '',
    markdownTable(daemonTable(results.daemon)),
    '',
  ];
}

/** The ipc section; a results file from before the suite existed has none. */
function ipcSection(results: BenchResults): string[] {
  if (!results.ipc?.length) return [];
  return [
    '## IPC: the same flow in-process and over `troupe/client`',
    '',
    'The kestra-01 flow executed by 32 concurrent callers (execute, then waitFor) on one engine: directly, and through the data dir\'s Unix socket with `troupe/client`, in alternating rounds of the same run. `p99 added` is the IPC p99 minus the in-process p99; `round trip` is a call that does no work (getFlow), one at a time.',
    '',
    markdownTable(ipcTable(results.ipc)),
    '',
  ];
}

/** The triggers section; a results file from before the suite existed has none. */
function triggersSection(results: BenchResults): string[] {
  if (!results.triggers?.length) return [];
  return [
    '## Triggers: Schedules on the real clock',
    '',
    'A durable engine in the bench process. `schedule-latency-100`: 100 Schedules with seconds, each firing once per 10-second cycle in its own second, for 30 s; a firing is measured from its due date (`trigger.date`) to its execution\'s creation date (`created`: the timer\'s lateness, the evaluation and the commit of the trigger row) and to the moment the engine reports the execution durable (`durable`: the shard\'s commit of the creation, flushed; the target judges this one). `schedule-burst-*`: 100 flows of 100 Schedules all due at the same second; `last created / durable after` is the time from that second to the creation of the last execution and to the last one durable. `missed`: firings expected and not seen.',
    '',
    markdownTable(triggersTable(results.triggers)),
    '',
  ];
}

/** The storage section; a results file from before the suite existed has none. */
function storageSection(results: BenchResults): string[] {
  if (!results.storage?.length) return [];
  return [
    '## Storage: a file through Split, ForEachItem subflows and Concat',
    '',
    'A generated file of 100-byte lines is given as a FILE input (uploaded into the execution), split into parts by `storage.Split`; a `storage.Write` lists the parts, and a ForEachItem over that list starts one subflow per part (each reads its part\'s size with `storage.Size` and returns it as a flow output); `storage.Concat` puts the parts back together. Both sizes run in the same process, each on a fresh engine (durable, as many pool threads as cores); `MiB/s` is the file size over execute() to the end, and the peaks are the whole process\'s resident memory (anonymous: without LMDB\'s mapped pages) while it ran. The concatenated file and the sum of the subflows\' sizes are checked against the input. KV: 64 durable puts in flight through the engine\'s KV store, then gets of each key.',
    '',
    markdownTable(storageTable(results.storage)),
    '',
  ];
}

/** The scripts section; a results file from before the suite existed has none. */
function scriptsSection(results: BenchResults): string[] {
  if (!results.scripts?.length) return [];
  return [
    '## Scripts: a script task beside a bare spawn of its command',
    '',
    'One durable engine runs a ForEach of 200 `io.kestra.plugin.scripts.shell.Commands` tasks, each running `true` (`/bin/sh -c "set -e\\ntrue"` in its own process group and working directory, with its marker, its process slot and its output read as lines), one at a time (`concurrencyLimit: 1`) and 8 at a time; in alternating rounds of the same run, the bench process spawns the same command line the same number of times at the same width with `child_process.spawn` (own group, piped output) and awaits each exit. `overhead` is the difference per task of the medians over the rounds: what the engine adds to the process (scheduling, persistence of three state changes, the working directory, the marker).',
    '',
    markdownTable(scriptsTable(results.scripts)),
    '',
  ];
}

/**
 * The Markdown of docs/benchmarks.md for one full run.
 * @param resultsFile the results file's path as the page should name it
 */
export function benchmarksMarkdown(results: BenchResults, resultsFile: string): string {
  const verdicts = judgeTargets(results);
  const mark = (met: boolean | undefined): string => (met === true ? '✅ met' : met === false ? '❌ not met' : '— not measured');
  const { machine, git } = results;
  const descriptions = new Map(engineScenarios(false).map((s) => [s.name, s.description]));
  const lines: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by `troupe bench --report` from bench/results/. Do not edit: run it again. -->',
    '',
    `Generated from \`${resultsFile}\`: run of ${results.date} at commit \`${git.commit}\`${git.dirty ? ' (with uncommitted changes)' : ''}, on ${machine.cpus} × ${machine.model}, ${num(machine.totalmemMiB / 1024)} GiB, ${machine.platform} ${machine.release}, Node ${machine.node}${machine.loadavg1 !== undefined ? `, 1-minute load average ${machine.loadavg1} at the start` : ''}. What each suite measures and why: [bench/README.md](../bench/README.md). Reproduce with \`npm run build && node bin/troupe.js bench --report\`.`,
    '',
    '## Targets (issues 7, 10, 11, 12, 13 and 14)',
    '',
    '| target | measured | verdict |',
    '|:---|:---|:---|',
    ...verdicts.map((v) => `| ${v.target} | ${v.measured} | ${mark(v.met)} |`),
    '',
    ...whereTheTimeGoes(verdicts.filter((v) => v.met === false).map((v) => v.target)),
    '## Serialization: the cost of one state change as the execution grows',
    '',
    `![cost per change against N, log-log](${CHART_FILE})`,
    '',
    'Per change: the Kestra model parses and re-serializes the whole execution as JSON (CPU only), and its durable variant also writes that JSON through LMDB with an fsync per 100 changes, as Troupe pays; the snapshot model packs the whole execution with msgpackr; Troupe encodes the changed task-run record and the execution header and writes them through the real store, durably, 100 changes per transaction. Per execution: the per-change figure × 3N (CREATED, RUNNING, SUCCESS per task run).',
    '',
    markdownTable(serializationTable(results.serialization)),
    '',
    '## Engine: real flows through shard threads, the pool and durable LMDB',
    '',
    'Each scenario runs on a fresh engine and data dir (one shard thread, as many pool threads as cores, fsync on every group commit). Latency is execute() to waitFor() resolving; `ms/task` is p50 ÷ sequential tasks; `pool no-op/s` is a bare piscina pool with the same threads and per-thread concurrency running no-op tasks in the same process right after; `file B/change` is the growth of the LMDB file ÷ 3 per task run; `max record B` is the largest stored task-run record / execution header.',
    '',
    markdownTable(engineTable(results.engine)),
    '',
    '### Scenarios',
    '',
    ...results.engine.map((r) => `- \`${r.name}\`: ${descriptions.get(r.name) ?? ''}`),
    '',
    ...templatingSection(results),
    ...daemonSection(results),
    ...ipcSection(results),
    ...scriptsSection(results),
    ...storageSection(results),
    ...triggersSection(results),
  ];
  return lines.join('\n');
}

/**
 * Writes docs/benchmarks.md and its chart into `docsDir`.
 * @returns the two files written
 */
export function writeReport(docsDir: string, results: BenchResults, resultsFile: string): string[] {
  const md = join(docsDir, 'benchmarks.md');
  const svg = join(docsDir, CHART_FILE);
  writeFileSync(svg, perChangeChart(results.serialization));
  writeFileSync(md, benchmarksMarkdown(results, `bench/results/${basename(resultsFile)}`));
  return [md, svg];
}

/** The result tables, once: printed as text by `troupe bench`, as Markdown in docs/benchmarks.md. */
import type { DaemonResult } from './daemon.js';
import type { EngineResult } from './engine.js';
import type { SerializationResult } from './serialization.js';
import type { TemplatingResult } from './templating.js';
import type { IpcResult } from './ipc.js';
import type { ScriptsResult } from './scripts.js';
import type { StorageResult } from './storage.js';
import type { TriggersResult } from './triggers.js';

/** A table: headers and rows of cells already formatted; `right` marks the numeric columns. */
export interface Table {
  headers: string[];
  rows: string[][];
  right: boolean[];
}

/** A number with a sensible precision: 3 significant digits under 100, thousands separators above. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** The serialization suite: per change, then per execution (3N changes). */
export function serializationTable(results: SerializationResult[]): Table {
  return {
    headers: ['task runs', 'Kestra µs/change', 'Kestra durable µs/change', 'snapshot µs/change', 'Troupe µs/change', 'Kestra B/change', 'snapshot B/change', 'Troupe B/change', 'Kestra s/execution', 'Troupe ms/execution', 'Kestra ÷ Troupe', 'Kestra durable ÷ Troupe'],
    right: Array(12).fill(true) as boolean[],
    rows: results.map((r) => [
      num(r.n),
      num(r.kestraUsPerChange),
      r.kestraDurableUsPerChange === undefined ? '' : num(r.kestraDurableUsPerChange),
      num(r.snapshotUsPerChange),
      num(r.troupeUsPerChange),
      num(r.kestraBytesPerChange),
      num(r.snapshotBytesPerChange),
      num(r.troupeBytesPerChange),
      num(r.kestraMsPerExecution / 1000),
      num(r.troupeMsPerExecution),
      `${num(r.kestraUsPerChange / r.troupeUsPerChange)}×`,
      r.kestraDurableUsPerChange === undefined ? '' : `${num(r.kestraDurableUsPerChange / r.troupeUsPerChange)}×`,
    ]),
  };
}

/** The engine suite: throughput and latency, then what it cost in memory and disk. */
export function engineTable(results: EngineResult[]): Table {
  return {
    headers: ['scenario', 'executions', 'in flight', 'task runs', 'seconds', 'task runs/s', 'executions/s', 'p50 ms', 'p99 ms', 'ms/task', 'pool no-op/s', 'ratio to pool', 'peak RSS MiB', 'peak anon MiB', 'file B/change', 'max record B'],
    right: [false, ...(Array(15).fill(true) as boolean[])],
    rows: results.map((r) => [
      r.name,
      num(r.executions),
      num(r.concurrency),
      num(r.taskRuns),
      num(r.seconds),
      num(r.taskRunsPerSecond),
      num(r.executionsPerSecond),
      num(r.p50Ms),
      num(r.p99Ms),
      r.overheadMsPerTask === undefined ? '' : num(r.overheadMsPerTask),
      num(r.poolNoopTasksPerSecond),
      num(r.ratioToPool),
      num(r.peakRssMiB),
      r.peakAnonRssMiB === undefined ? '' : num(r.peakAnonRssMiB),
      num(r.fileBytesPerStateChange),
      `${num(r.maxTaskRunRecordBytes)} / ${num(r.maxHeaderBytes)}`,
    ]),
  };
}

/** The daemon suite: over HTTP beside in-process, then the idle daemon. */
export function daemonTable(results: DaemonResult[]): Table {
  return {
    headers: ['scenario', 'executions', 'clients', 'HTTP exec/s', 'HTTP p50 ms', 'HTTP p99 ms', 'in-process exec/s', 'in-process p50 ms', 'in-process p99 ms', 'HTTP ÷ in-process', 'failed', 'cold start ms', 'idle RSS MiB', 'idle anon MiB'],
    right: [false, ...(Array(13).fill(true) as boolean[])],
    rows: results.map((r) => [
      r.name,
      num(r.executions),
      num(r.concurrency),
      num(r.executionsPerSecond),
      num(r.p50Ms),
      num(r.p99Ms),
      num(r.inProcessExecutionsPerSecond),
      num(r.inProcessP50Ms),
      num(r.inProcessP99Ms),
      `${num(r.ratioToInProcess)}×`,
      num(r.failed),
      num(r.coldStartMs),
      num(r.idleRssMiB),
      r.idleAnonRssMiB === undefined ? '' : num(r.idleAnonRssMiB),
    ]),
  };
}

/** The templating suite: each expression parsed on first use, then served from the cache. */
export function templatingTable(results: TemplatingResult[], withTemplate = false): Table {
  return {
    headers: ['expression', ...(withTemplate ? ['template'] : []), 'first use µs', 'cached µs', 'first use ÷ cached'],
    right: [false, ...(withTemplate ? [false] : []), true, true, true],
    rows: results.map((r) => [
      r.name,
      ...(withTemplate ? [`\`${r.template}\``] : []),
      num(r.firstUseUs),
      num(r.cachedUs),
      `${num(r.firstUseUs / r.cachedUs)}×`,
    ]),
  };
}

/** The ipc suite: the same flow and callers in-process and over the Unix socket, in the same run. */
export function ipcTable(results: IpcResult[]): Table {
  return {
    headers: ['scenario', 'callers', 'in-process exec/s', 'IPC exec/s', 'ratio', 'in-process p50 / p99 ms', 'IPC p50 / p99 ms', 'p99 added ms', 'round trip p50 / p99 ms'],
    right: [false, ...(Array(8).fill(true) as boolean[])],
    rows: results.map((r) => [
      r.name,
      num(r.concurrency),
      num(r.inProcess.executionsPerSecond),
      num(r.ipc.executionsPerSecond),
      `${num(r.ratio)}×`,
      `${num(r.inProcess.p50Ms)} / ${num(r.inProcess.p99Ms)}`,
      `${num(r.ipc.p50Ms)} / ${num(r.ipc.p99Ms)}`,
      num(r.addedP99Ms),
      `${num(r.roundTripP50Ms)} / ${num(r.roundTripP99Ms)}`,
    ]),
  };
}

/** The scripts suite: a script task beside a bare spawn of its command, sequential and parallel. */
export function scriptsTable(results: ScriptsResult[]): Table {
  return {
    headers: ['scenario', 'tasks', 'at once', 'rounds', 'engine ms/task', 'bare spawn ms/task', 'overhead ms/task', 'engine tasks/s', 'bare spawns/s', 'failed'],
    right: [false, ...(Array(9).fill(true) as boolean[])],
    rows: results.map((r) => [
      r.name,
      num(r.tasks),
      num(r.concurrency),
      num(r.rounds),
      num(r.engineMsPerTask),
      num(r.bareMsPerTask),
      num(r.overheadMsPerTask),
      num(r.engineTasksPerSecond),
      num(r.bareTasksPerSecond),
      num(r.failed),
    ]),
  };
}

/** The storage suite: the pipeline at both sizes, the memory ratio, KV rates. */
export function storageTable(results: StorageResult[]): Table {
  const anon = (x: number | undefined): string => (x === undefined ? '—' : num(x));
  return {
    headers: ['scenario', 'file MiB', 'parts', 'subflows', 'seconds', 'MiB/s', 'peak RSS MiB', 'peak anon MiB', 'memory large ÷ small', 'KV put/s', 'KV get/s'],
    right: [false, ...(Array(10).fill(true) as boolean[])],
    rows: results.flatMap((r) =>
      [r.small, r.large].map((p, i) => [
        r.name,
        num(p.fileMiB),
        num(p.parts),
        num(p.subflows),
        num(p.seconds),
        num(p.mibPerSecond),
        num(p.peakRssMiB),
        anon(p.peakAnonRssMiB),
        i === 1 ? `${num(r.rssRatio)}×` : '',
        i === 1 ? num(r.kvPutsPerSecond) : '',
        i === 1 ? num(r.kvGetsPerSecond) : '',
      ]),
    ),
  };
}

/** The triggers suite: how late Schedules fire on the real clock, alone and in a burst. */
export function triggersTable(results: TriggersResult[]): Table {
  const three = (a: number | undefined, b: number | undefined, c: number | undefined): string => (a === undefined ? '—' : `${num(a)} / ${num(b ?? 0)} / ${num(c ?? 0)}`);
  return {
    headers: ['scenario', 'schedules', 'firings', 'missed', 'created p50 / p99 / max ms', 'durable p50 / p99 / max ms', 'last created / durable after ms'],
    right: [false, true, true, true, true, true, true],
    rows: results.map((r) => [
      r.name,
      num(r.schedules),
      num(r.firings),
      num(r.missed),
      three(r.p50Ms, r.p99Ms, r.maxMs),
      three(r.durableP50Ms, r.durableP99Ms, r.durableMaxMs),
      r.lastCreatedMs === undefined ? '—' : `${num(r.lastCreatedMs)} / ${r.lastDurableMs === undefined ? '—' : num(r.lastDurableMs)}`,
    ]),
  };
}

/** A table as aligned plain text. */
export function textTable(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (table.right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(table.headers), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** A table as GitHub Markdown. */
export function markdownTable(table: Table): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    `| ${table.headers.map(esc).join(' | ')} |`,
    `|${table.right.map((r) => (r ? '---:' : ':---')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ].join('\n');
}

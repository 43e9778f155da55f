/**
 * `GET /api/v1/usages/all`: Kestra's `Usage` record (its CollectorService with details) as far as
 * Troupe can compute it from its store and its host — the deployed flows (count, namespaces, task,
 * trigger and task-runner types), the executions started yesterday and today by day and state, the
 * plugins this build runs, the host (processors, memory, OS, runtime) and the storage kinds.
 * Never a secret, a path or an environment variable: the host is named by a hash.
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, release, totalmem, type as osType, version as osVersion } from 'node:os';
import type { Flow, Task } from '../model/flow.js';
import { formatIsoDuration as isoDuration, isoDate } from '../model/state.js';
import type { ServerContext } from './context.js';
import { latestFlows } from './flow-json.js';
import { listPlugins } from './plugin-catalogue.js';

/** Kestra's `DailyExecutionStatistics` (durations as ISO-8601 strings, as its HTTP mapper writes them). */
export interface DailyExecutionStatistics {
  startDate: string;
  duration: { min?: string; avg?: string; max?: string; sum?: string; count: number };
  executionCounts: Record<string, number>;
  groupBy: 'day';
}

/** Kestra's `HostUsage`. */
interface HostUsage {
  uuid: string;
  hardware: { logicalProcessorCount: number; physicalProcessorCount: number; maxFreq: number; memory: number; knownVmMacAddr: boolean; knownDockerMacAddr: boolean };
  os: { family: string; version?: string; codeName?: string; buildNumber?: string };
  /** Kestra's name for the runtime: here Node.js. */
  jvm: { name: string; vendor: string; version: string };
}

/** Kestra's `FlowUsage`. */
interface FlowUsage {
  count: number;
  namespacesCount: number;
  taskTypeCount: Record<string, number>;
  triggerTypeCount: Record<string, number>;
  taskRunnerTypeCount: Record<string, number>;
}

/** Kestra's `Usage` (OSS): `services` is left out (Troupe keeps no service instances). */
export interface UsageJson {
  uuid: string;
  startUuid: string;
  instanceUuid: string;
  serverType: 'STANDALONE';
  version: string;
  zoneId: string;
  uri?: string;
  startTime: string;
  host: HostUsage;
  configurations: { repositoryType: string; storageType: string };
  plugins: Array<{ manifest: Record<string, string> }>;
  flows: FlowUsage;
  executions: { dailyExecutionsCount: DailyExecutionStatistics[] };
}

/** A random id per daemon process (Kestra's `startUuid`). */
const START_UUID = randomUUID();

/** The states Kestra's daily statistics always list (with 0). */
const COUNTED_STATES = ['CREATED', 'RUNNING', 'RESTARTED', 'KILLING', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'PAUSED', 'QUEUED', 'CANCELLED'];

/** MAC prefixes of virtual machines' network cards (VMware, VirtualBox, Hyper-V, Xen, Parallels, QEMU/KVM). */
const VM_MAC_PREFIXES = ['00:50:56', '00:0c:29', '00:05:69', '00:1c:14', '08:00:27', '0a:00:27', '00:15:5d', '00:16:3e', '00:1c:42', '52:54:00'];

function readText(file: string): string | undefined {
  try {
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** `KEY=value` lines (os-release), quotes removed. */
function keyValues(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** Physical cores: distinct (physical id, core id) pairs of /proc/cpuinfo; the logical count elsewhere. */
function physicalCores(logical: number): number {
  const cores = new Set<string>();
  let physical = '';
  for (const line of (readText('/proc/cpuinfo') ?? '').split('\n')) {
    const [k, v] = line.split(':').map((s) => s.trim());
    if (k === 'physical id') physical = v ?? '';
    else if (k === 'core id') cores.add(`${physical}/${v ?? ''}`);
  }
  return cores.size || logical;
}

/** The highest frequency in Hz (Linux sysfs, in kHz there); -1 when unknown, as Kestra's. */
function maxFrequency(): number {
  const khz = Number(readText('/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq')?.trim());
  return Number.isFinite(khz) && khz > 0 ? khz * 1000 : -1;
}

function osOf(): HostUsage['os'] {
  const kind = osType();
  if (kind === 'Linux') {
    const rel = keyValues(readText('/etc/os-release') ?? readText('/usr/lib/os-release'));
    const os: HostUsage['os'] = { family: rel.get('NAME') ?? 'Linux', buildNumber: release() };
    const version = rel.get('VERSION_ID');
    if (version) os.version = version;
    const codeName = rel.get('VERSION_CODENAME');
    if (codeName) os.codeName = codeName;
    return os;
  }
  return { family: kind === 'Darwin' ? 'macOS' : kind === 'Windows_NT' ? 'Windows' : kind, version: release(), buildNumber: osVersion() };
}

let host: HostUsage | undefined;

/** What the host is (read once). */
function hostUsage(): HostUsage {
  if (host) return host;
  const processors = cpus();
  const macs = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.mac.toLowerCase())
    .filter((mac) => mac !== '00:00:00:00:00:00');
  // A stable name of this machine that reveals nothing of it: a hash of its machine id (or host name) and processors.
  const identity = [readText('/etc/machine-id')?.trim() || hostname(), processors[0]?.model ?? '', String(processors.length)].join('\u0000');
  const hex = createHash('sha256').update(`troupe host\u0000${identity}`).digest('hex');
  host = {
    uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`,
    hardware: {
      logicalProcessorCount: processors.length,
      physicalProcessorCount: physicalCores(processors.length),
      maxFreq: maxFrequency(),
      memory: totalmem(),
      knownVmMacAddr: macs.some((mac) => VM_MAC_PREFIXES.some((p) => mac.startsWith(p))),
      knownDockerMacAddr: macs.some((mac) => mac.startsWith('02:42:ac')),
    },
    os: osOf(),
    jvm: { name: 'Node.js', vendor: 'OpenJS Foundation', version: process.versions.node },
  };
  return host;
}

function countInto(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sortedRecord(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Kestra's FlowUsage of the deployed (latest, not deleted) flows. As Kestra's `allTasks()`, the
 * types counted are those of the flow's own `tasks`, `errors` and listener tasks (not the tasks
 * inside flowables), as written.
 */
function flowUsage(ctx: ServerContext): FlowUsage {
  const live = latestFlows(ctx.engine.listFlows()).filter((r) => !r.deleted);
  const tasks = new Map<string, number>();
  const triggers = new Map<string, number>();
  const runners = new Map<string, number>();
  for (const record of live) {
    let flow: Flow;
    try {
      flow = ctx.parsed(record);
    } catch {
      continue; // A revision this build no longer parses: counted as a flow, its types unknown.
    }
    const own: Task[] = [...flow.tasks, ...(flow.errors ?? []), ...(flow.listeners ?? []).flatMap((l) => l.tasks)];
    for (const task of own) {
      countInto(tasks, task.type);
      const runner = task.props['taskRunner'] as { type?: unknown } | undefined;
      if (runner && typeof runner.type === 'string') countInto(runners, runner.type);
    }
    for (const trigger of flow.triggers) countInto(triggers, trigger.type);
  }
  return {
    count: live.length,
    namespacesCount: new Set(live.map((r) => r.namespace)).size,
    taskTypeCount: sortedRecord(tasks),
    triggerTypeCount: sortedRecord(triggers),
    taskRunnerTypeCount: sortedRecord(runners),
  };
}

/** Midnight (this machine's zone) of the day `days` after the one of `ms`. */
function midnight(ms: number, days = 0): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/**
 * Kestra's daily execution statistics from yesterday's midnight to now: one entry per day
 * (yesterday, today) of the executions started then, their durations (the state's, as
 * `/executions` shows it) and counts by current state.
 */
export function dailyExecutions(ctx: ServerContext, nowMs: number): DailyExecutionStatistics[] {
  const days = [midnight(nowMs, -1), midnight(nowMs)];
  const stats = days.map(() => ({ count: 0, sum: 0, min: Infinity, max: 0, states: new Map<string, number>(COUNTED_STATES.map((s) => [s, 0])) }));
  for (const e of ctx.engine.list()) {
    const first = e.state.histories[0];
    if (!first) continue;
    const start = Date.parse(first.date);
    if (!(start >= days[0]!) || start > nowMs) continue;
    const day = stats[start >= days[1]! ? 1 : 0]!;
    const last = e.state.histories[e.state.histories.length - 1]!;
    const ms = Math.max(0, (e.state.histories.length > 1 ? Date.parse(last.date) : nowMs) - start);
    day.count++;
    day.sum += ms;
    day.min = Math.min(day.min, ms);
    day.max = Math.max(day.max, ms);
    countInto(day.states, e.state.current);
  }
  return days.map((startMs, i) => {
    const { count, sum, min, max, states } = stats[i]!;
    const duration: DailyExecutionStatistics['duration'] = count ? { min: isoDuration(min), avg: isoDuration(Math.floor(sum / count)), max: isoDuration(max), sum: isoDuration(sum), count } : { count: 0 };
    return { startDate: isoDate(startMs), duration, executionCounts: Object.fromEntries(states), groupBy: 'day' };
  });
}

/** The usage record of this daemon now. */
export function usageOf(ctx: ServerContext, nowMs: number): UsageJson {
  return {
    uuid: randomUUID(),
    startUuid: START_UUID,
    instanceUuid: ctx.instanceId,
    serverType: 'STANDALONE',
    version: ctx.version,
    zoneId: Intl.DateTimeFormat().resolvedOptions().timeZone,
    ...(ctx.http.publicUrl ? { uri: ctx.http.publicUrl } : {}),
    startTime: isoDate(Math.round(performance.timeOrigin)),
    host: hostUsage(),
    configurations: { repositoryType: 'lmdb', storageType: 'local' },
    plugins: listPlugins(ctx.version).map((p) => ({ manifest: p.manifest })),
    flows: flowUsage(ctx),
    executions: { dailyExecutionsCount: dailyExecutions(ctx, nowMs) },
  };
}

/** Engine options: validated once at the boundary, defaults applied in one place, then frozen. */
import { resolve } from 'node:path';
import { TroupeError } from '../errors.js';
import { DEFAULT_LIMITS } from '../model/limits.js';
import { systemClock, TestClock, type Clock } from './clock.js';
import { parseDuration } from '../model/duration.js';
import { DEFAULT_MAX_OUTPUT_BYTES } from '../storage/oversized-outputs.js';
import type { RetentionPolicy } from './purge.js';

/** The `retention` engine option (ISO 8601 durations, e.g. `P30D`). */
export interface RetentionOptions {
  executions?: string;
  logs?: string;
  every?: string;
}

/** Options of {@link Engine.open}. */
export interface EngineOptions {
  /** The data directory: LMDB file, lock, internal storage. Created if missing. */
  dataDir: string;
  /**
   * Shard threads hosting execution actors.
   * @default 1
   */
  shards?: number;
  /**
   * Threads of the task pool.
   * @default the machine's available parallelism
   */
  poolThreads?: number;
  /**
   * Pool threads started with the engine and kept; the others start when jobs wait on busy
   * threads and stop after `poolIdleMs` unused (`troupe server` starts none: 0).
   * @default poolThreads (all, at once)
   */
  poolMinThreads?: number;
  /**
   * How long a pool thread beyond `poolMinThreads` stays unused before it stops, in ms.
   * @default 30000
   */
  poolIdleMs?: number;
  /**
   * Actors a shard keeps in memory before it passivates idle ones (PAUSED and QUEUED actors are
   * always passivated).
   * @default 10000
   */
  maxLiveActors?: number;
  /**
   * Skip fsync (tests and throwaway runs only: a crash may lose acknowledged changes).
   * @default false
   */
  noSync?: boolean;
  /**
   * V8 limits of each pool thread (Node's `resourceLimits`): an attempt that blows its thread's
   * heap fails alone with TROUPE_TASK_MEMORY_LIMIT; the thread is replaced and the attempts that
   * shared it run again.
   * @default { maxOldGenerationSizeMb: 512 }
   */
  poolResourceLimits?: PoolResourceLimits;
  /**
   * Task runs of one execution active at once (created, not terminated) before its parallel
   * flowables wait to create more children: bounds an execution's memory whatever its fan-out
   * (a flowable with nothing in progress may always start one child).
   * @default 10000
   */
  maxActiveRuns?: number;
  /**
   * Children one loop run (EachSequential, EachParallel, ForEach) may have, values × tasks; over
   * it the loop task fails with TROUPE_LIMIT_LOOP_RUNS before creating any.
   * @default 1000000
   */
  maxLoopRuns?: number;
  /**
   * The largest outputs a task run keeps in its record, in bytes (as UTF-8 JSON). Beyond it, its
   * largest output values move to internal storage, each replaced by the `kestra://` URI of a
   * file holding it (docs/reference/storage.md#oversized-outputs): no record grows with the data.
   * @default 1 MiB (Kestra's queue-message limit in its tests)
   */
  maxOutputBytes?: number;
  /**
   * Child processes (script tasks) running at once over the whole pool; attempts over it wait for
   * a slot (their `timeout` still runs).
   * @default the machine's available parallelism × 4
   */
  maxProcesses?: number;
  /** `envs` render variable (Kestra's `KESTRA_`-prefixed environment, prefix stripped, lower-cased). */
  envs?: Record<string, string>;
  /** `globals` render variable. */
  globals?: Record<string, unknown>;
  /**
   * The runtime's source of time: step dates, actor timers, creation dates. Tests pass a
   * `TestClock` and move it themselves. (Task attempts in pool threads still date their own
   * start and end from the system clock.)
   * @default the system clock
   */
  clock?: Clock;
  /**
   * An attempt found in flight after this many consecutive crashes of the process (or of its
   * shard thread) fails with TROUPE_TASK_CRASHED instead of being dispatched again.
   * @default 3
   */
  maxAttemptCrashes?: number;
  /**
   * How deep Subflows may nest (a child of a child… counts one per level); a Subflow run deeper
   * than this fails with TROUPE_SUBFLOW_DEPTH (mutual recursion ends there).
   * @default 32
   */
  maxSubflowDepth?: number;
  /**
   * The root of internal storage (files of FILE inputs and tasks, `kestra://` URIs); a crash's
   * leftover temp files (`<storageDir>.tmp`) are removed when the engine opens.
   * @default `<dataDir>/storage`
   */
  storageDir?: string;
  /**
   * Retention: ended executions (their records, log lines and files) and log lines older than
   * these ISO 8601 durations are purged every `every` (default PT1H), in bounded batches; each
   * sweep also removes a batch of expired KV entries. Absent: nothing is purged but by tasks.
   */
  retention?: RetentionOptions;
}

/** Limits of a pool thread, in MiB (Node's `ResourceLimits`). */
export interface PoolResourceLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

const LIMIT_KEYS = new Set(['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']);

/** Options with every default applied. */
export type ResolvedEngineOptions = Readonly<Required<Omit<EngineOptions, 'retention'>> & { retention: RetentionPolicy | undefined }>;

const KEYS = new Set(['dataDir', 'shards', 'poolThreads', 'poolMinThreads', 'poolIdleMs', 'maxLiveActors', 'maxActiveRuns', 'maxLoopRuns', 'maxOutputBytes', 'maxProcesses', 'noSync', 'poolResourceLimits', 'envs', 'globals', 'clock', 'maxAttemptCrashes', 'maxSubflowDepth', 'storageDir', 'retention']);

/** Shard threads follow the engine's clock by messages: only the system clock and a TestClock can be followed. */
function clockOf(v: unknown): Clock {
  if (v === undefined || v === systemClock) return systemClock;
  if (v instanceof TestClock) return v;
  throw new TroupeError('TROUPE_OPTION_INVALID', 'options.clock must be a TestClock (or left out for the system clock)', { option: 'clock' });
}

function positiveInt(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new TroupeError('TROUPE_OPTION_INVALID', `options.${name} must be a positive integer, got ${JSON.stringify(v)}`, { option: name });
  return v;
}

function nonNegativeInt(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TroupeError('TROUPE_OPTION_INVALID', `options.${name} must be a non-negative integer, got ${JSON.stringify(v)}`, { option: name });
  return v;
}

/** Validates engine options (unknown keys are errors) and applies defaults. */
export function resolveEngineOptions(options: EngineOptions, cores: number): ResolvedEngineOptions {
  if (!options || typeof options !== 'object') throw new TroupeError('TROUPE_OPTION_INVALID', 'Engine.open() needs an options object with a dataDir');
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown engine option '${key}': expected one of ${[...KEYS].join(', ')}`, { option: key });
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new TroupeError('TROUPE_OPTION_INVALID', 'options.dataDir must be a non-empty path', { option: 'dataDir' });
  return Object.freeze({
    dataDir: resolve(options.dataDir),
    shards: positiveInt('shards', options.shards, 1),
    poolThreads: positiveInt('poolThreads', options.poolThreads, Math.max(1, cores)),
    poolMinThreads: Math.min(positiveInt('poolThreads', options.poolThreads, Math.max(1, cores)), nonNegativeInt('poolMinThreads', options.poolMinThreads, Number.MAX_SAFE_INTEGER)),
    poolIdleMs: positiveInt('poolIdleMs', options.poolIdleMs, 30_000),
    maxLiveActors: positiveInt('maxLiveActors', options.maxLiveActors, 10_000),
    maxActiveRuns: positiveInt('maxActiveRuns', options.maxActiveRuns, DEFAULT_LIMITS.maxActiveRuns),
    maxLoopRuns: positiveInt('maxLoopRuns', options.maxLoopRuns, DEFAULT_LIMITS.maxLoopRuns),
    maxOutputBytes: positiveInt('maxOutputBytes', options.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES),
    maxProcesses: positiveInt('maxProcesses', options.maxProcesses, Math.max(1, cores) * 4),
    noSync: options.noSync === true,
    poolResourceLimits: resolveLimits(options.poolResourceLimits),
    envs: { ...(options.envs ?? {}) },
    globals: { ...(options.globals ?? {}) },
    clock: clockOf(options.clock),
    maxAttemptCrashes: positiveInt('maxAttemptCrashes', options.maxAttemptCrashes, DEFAULT_LIMITS.maxAttemptCrashes),
    maxSubflowDepth: positiveInt('maxSubflowDepth', options.maxSubflowDepth, DEFAULT_LIMITS.maxSubflowDepth),
    storageDir: storageDirOf(options),
    retention: retentionOf(options.retention),
  });
}

function durationOption(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  let ms = NaN;
  try {
    if (typeof v === 'string' && /^P/i.test(v.trim())) ms = parseDuration(v);
  } catch {
    // reported below
  }
  if (!(ms > 0)) throw new TroupeError('TROUPE_OPTION_INVALID', `options.${name} must be a positive ISO 8601 duration (e.g. P30D), got ${JSON.stringify(v)}`, { option: name });
  return ms;
}

function retentionOf(v: RetentionOptions | undefined): RetentionPolicy | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object') throw new TroupeError('TROUPE_OPTION_INVALID', 'options.retention must be an object: { executions?, logs?, every? }', { option: 'retention' });
  for (const key of Object.keys(v)) {
    if (!['executions', 'logs', 'every'].includes(key)) throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown retention option '${key}': expected executions, logs or every`, { option: `retention.${key}` });
  }
  const executionsMs = durationOption('retention.executions', v.executions);
  const logsMs = durationOption('retention.logs', v.logs);
  return Object.freeze({ ...(executionsMs ? { executionsMs } : {}), ...(logsMs ? { logsMs } : {}), everyMs: durationOption('retention.every', v.every) ?? 3_600_000 });
}

function storageDirOf(options: EngineOptions): string {
  const v = options.storageDir;
  if (v === undefined) return resolve(options.dataDir, 'storage');
  if (typeof v !== 'string' || v === '') throw new TroupeError('TROUPE_OPTION_INVALID', 'options.storageDir must be a non-empty path', { option: 'storageDir' });
  return resolve(v);
}

function resolveLimits(limits: PoolResourceLimits | undefined): PoolResourceLimits {
  if (limits === undefined) return Object.freeze({ maxOldGenerationSizeMb: 512 });
  if (!limits || typeof limits !== 'object') throw new TroupeError('TROUPE_OPTION_INVALID', 'options.poolResourceLimits must be an object of limits in MiB', { option: 'poolResourceLimits' });
  const out: PoolResourceLimits = {};
  for (const [key, v] of Object.entries(limits)) {
    if (!LIMIT_KEYS.has(key)) throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown pool resource limit '${key}': expected one of ${[...LIMIT_KEYS].join(', ')}`, { option: `poolResourceLimits.${key}` });
    out[key as keyof PoolResourceLimits] = positiveInt(`poolResourceLimits.${key}`, v, 0);
  }
  return Object.freeze(out);
}

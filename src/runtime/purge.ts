/**
 * Purging old executions and log lines (Kestra's `ExecutionService.purge` and `LogService.purge`),
 * used by the PurgeExecutions and PurgeLogs tasks and by the engine's `retention` option. Work goes
 * in bounded batches: execution headers are read a page at a time (the main thread yields between
 * pages), each execution's records are deleted in its own transaction, its files by prefix.
 * Only ended executions are purged (a running one is left alone, and counted nowhere).
 * @module
 */
import { TroupeError } from '../errors.js';
import type { ExecutionHeader } from '../model/execution.js';
import { isTerminated } from '../model/state.js';
import type { Store } from '../store/index.js';
import type { ExecutionPurge, ExecutionPurgeResult, LogPurge } from '../tasks/run-spec.js';

/** Headers read per page. */
const PAGE = 500;

/** What a purge needs from the engine. */
export interface PurgeHost {
  store: Store;
  /** Deletes an ended execution's records (through its shard). */
  deleteExecution(executionId: string): Promise<void>;
  /** Deletes the internal-storage files of an execution; resolves with how many. */
  deleteFiles(header: ExecutionHeader): Promise<number>;
}

function dateMs(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `${what} '${text}' is not a date (ISO 8601, e.g. 2024-01-01T00:00:00Z)`, { [what]: text });
  return ms;
}

/** Kestra's namespace filter: the namespace itself, or (without a flow id) it and every namespace under it. */
function inScope(h: ExecutionHeader, namespace: string | undefined, flowId: string | undefined): boolean {
  if (flowId !== undefined && h.flowId !== flowId) return false;
  if (namespace === undefined) return true;
  return h.namespace === namespace || (flowId === undefined && h.namespace.startsWith(`${namespace}.`));
}

/** Every header, a page at a time, yielding to the event loop between pages. */
async function* headers(store: Store): AsyncGenerator<ExecutionHeader> {
  let after: string | undefined;
  for (;;) {
    store.refresh();
    const page = store.readHeaderPage(after, PAGE);
    if (page.length === 0) return;
    for (const h of page) yield h;
    after = page[page.length - 1]!.id;
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Purges ended executions whose start is at or after `startDate` and end at or before `endDate`
 * (Kestra's repository filter), in `states` when given: their records, log lines, metrics (they
 * live on the task runs) and files, as the flags say.
 */
export async function purgeExecutions(host: PurgeHost, purge: ExecutionPurge): Promise<ExecutionPurgeResult> {
  const start = dateMs(purge.startDate, 'startDate');
  const end = dateMs(purge.endDate, 'endDate')!;
  const states = purge.states && purge.states.length ? new Set(purge.states) : undefined;
  const out: ExecutionPurgeResult = { executionsCount: 0, logsCount: 0, storagesCount: 0, metricsCount: 0 };
  for await (const h of headers(host.store)) {
    const state = h.state.current;
    if (!isTerminated(state) || !inScope(h, purge.namespace, purge.flowId)) continue;
    if (states && !states.has(state)) continue;
    const first = h.state.histories[0]?.date;
    const last = h.state.histories.at(-1)?.date;
    if (start !== undefined && (first === undefined || Date.parse(first) < start)) continue;
    if (last === undefined || Date.parse(last) > end) continue;
    if (purge.purgeLog !== false) out.logsCount += await host.store.deleteLogs(h.id, () => true);
    if (purge.purgeStorage !== false) out.storagesCount += await host.deleteFiles(h);
    if (purge.purgeExecution !== false) {
      if (purge.purgeMetric !== false) for (const r of host.store.iterateTaskRuns(h.id)) for (const a of r.taskRun.attempts ?? []) out.metricsCount += a.metrics?.length ?? 0;
      try {
        await host.deleteExecution(h.id);
        out.executionsCount++;
      } catch (e) {
        // Gone or restarted meanwhile: not purged.
        if (!(e instanceof TroupeError && (e.code === 'TROUPE_EXECUTION_NOT_FOUND' || e.code === 'TROUPE_EXECUTION_NOT_TERMINATED'))) throw e;
      }
    }
  }
  return out;
}

/** Purges log lines of executions in scope, at the given levels (all when none), dated within [startDate, endDate]. */
export async function purgeLogs(host: PurgeHost, purge: LogPurge): Promise<number> {
  const start = dateMs(purge.startDate, 'startDate');
  const end = dateMs(purge.endDate, 'endDate')!;
  const levels = purge.logLevels && purge.logLevels.length ? new Set<string>(purge.logLevels) : undefined;
  let count = 0;
  for await (const h of headers(host.store)) {
    if (!inScope(h, purge.namespace, purge.flowId)) continue;
    count += await host.store.deleteLogs(h.id, (l) => {
      if (levels && !levels.has(l.level)) return false;
      const at = Date.parse(l.timestamp);
      return at <= end && (start === undefined || at >= start);
    });
  }
  return count;
}

/** The engine's `retention` option, resolved: what is kept, in milliseconds. */
export interface RetentionPolicy {
  /** Ended executions (records, logs, files) whose end is older than this are purged. */
  executionsMs?: number;
  /** Log lines older than this are purged. */
  logsMs?: number;
  /** How often the sweep runs. */
  everyMs: number;
}

/** What one retention sweep removed. */
export interface RetentionReport {
  executions: ExecutionPurgeResult;
  logs: number;
  kvExpired: number;
}

/** How many expired KV entries one sweep reads at most. */
const KV_SWEEP_BATCH = 1000;

/**
 * The engine's retention: every `everyMs`, purges ended executions and log lines older than the
 * policy says (in pages, see {@link purgeExecutions}) and a bounded batch of expired KV entries.
 * One sweep at a time; the timer never keeps the process alive.
 */
export class Retention {
  readonly #host: PurgeHost;
  readonly #sweepKv: (batch: number) => Promise<number>;
  readonly #policy: RetentionPolicy | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RetentionReport> | undefined;

  constructor(host: PurgeHost, sweepKv: (batch: number) => Promise<number>, policy: RetentionPolicy | undefined, now: () => number) {
    this.#host = host;
    this.#sweepKv = sweepKv;
    this.#policy = policy;
    this.#now = now;
  }

  /** Starts the periodic sweep (when a policy is set). */
  start(): void {
    if (!this.#policy || this.#timer) return;
    this.#timer = setInterval(() => void this.run().catch(() => {}), this.#policy.everyMs);
    this.#timer.unref();
  }

  /** One sweep now (or the one running); resolves with what it removed. */
  run(): Promise<RetentionReport> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  async #sweep(): Promise<RetentionReport> {
    const now = this.#now();
    const p = this.#policy;
    const empty: ExecutionPurgeResult = { executionsCount: 0, logsCount: 0, storagesCount: 0, metricsCount: 0 };
    const executions = p?.executionsMs !== undefined ? await purgeExecutions(this.#host, { endDate: new Date(now - p.executionsMs).toISOString() }) : empty;
    const logs = p?.logsMs !== undefined ? await purgeLogs(this.#host, { endDate: new Date(now - p.logsMs).toISOString() }) : 0;
    const kvExpired = await this.#sweepKv(KV_SWEEP_BATCH);
    return { executions, logs, kvExpired };
  }
}

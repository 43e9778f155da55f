/**
 * The daemon's Prometheus metrics (`GET /metrics`, and `/prometheus` as Kestra's management
 * port names it): the process (prom-client's default metrics: event-loop lag, heap, RSS, CPU,
 * GC), the engine (executions by state, created and ended, task runs ended, mailbox and pool
 * queue depths, group-commit latency: the shards' figures, asked for once per scrape) and HTTP
 * (requests by method, route and status, their duration, requests in flight, follow streams).
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricType, type MetricValueWithName } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { COMMIT_LATENCY_BUCKETS, latencyHistogram, type LatencyHistogram, type ShardStats } from '../protocol/shard-messages.js';
import type { Engine } from '../runtime/engine.js';
import type { Followers } from './followers.js';

/** How long a scrape waits for the shards' figures before it answers without them. */
const STATS_TIMEOUT_MS = 2000;

/** The process's metrics (one set per process, whatever the number of apps built in it). */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
  }
  return processRegistry;
}

type HistogramValue = MetricValueWithName<string>;

/**
 * A histogram whose buckets are counted elsewhere (by each shard, for its group commits) and
 * summed here at each scrape; prom-client's own Histogram only counts what it observes itself.
 */
class SummedHistogram extends Histogram<string> {
  #latest: LatencyHistogram = latencyHistogram();
  readonly #name: string;
  readonly #help: string;

  constructor(name: string, help: string, registry: Registry) {
    super({ name, help, buckets: [...COMMIT_LATENCY_BUCKETS], registers: [registry] });
    this.#name = name;
    this.#help = help;
  }

  /** Sets the counts: the sum of every shard's histogram. */
  set(shards: LatencyHistogram[]): void {
    const total = latencyHistogram();
    for (const h of shards) {
      h.counts.forEach((c, i) => (total.counts[i]! += c));
      total.sum += h.sum;
      total.count += h.count;
    }
    this.#latest = total;
  }

  override async get(): Promise<MetricObjectWithValues<HistogramValue>> {
    return this.getForPromString();
  }

  /** What the registry renders (it prefers this to `get`). */
  async getForPromString(): Promise<MetricObjectWithValues<HistogramValue>> {
    const h = this.#latest;
    const values: HistogramValue[] = [];
    let cumulative = 0;
    COMMIT_LATENCY_BUCKETS.forEach((bound, i) => {
      cumulative += h.counts[i]!;
      values.push({ metricName: `${this.#name}_bucket`, labels: { le: bound }, value: cumulative });
    });
    values.push({ metricName: `${this.#name}_bucket`, labels: { le: '+Inf' }, value: h.count });
    values.push({ metricName: `${this.#name}_sum`, labels: {}, value: h.sum });
    values.push({ metricName: `${this.#name}_count`, labels: {}, value: h.count });
    return { name: this.#name, help: this.#help, type: 'histogram' as unknown as MetricType, values, aggregator: 'sum', collect: () => {} }; // the typings' enum is a string at run time
  }
}

/**
 * A counter fed with the shards' running totals: each scrape adds what grew since the last one
 * (a restarted shard starts from zero again: its new total is what grew).
 */
class TotalsFeed {
  readonly #last = new Map<string, number>();

  /** The growth of the total `key` since the previous call. */
  grown(key: string, total: number): number {
    const before = this.#last.get(key) ?? 0;
    this.#last.set(key, total);
    return total >= before ? total - before : total;
  }
}

/** Buckets of `troupe_http_request_duration_seconds`, in seconds. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** One method and route's requests: answers by status, and the histogram of their durations. */
interface RouteTally {
  method: string;
  route: string;
  statuses: Map<number, number>;
  /** Per bucket of {@link DURATION_BUCKETS} (not cumulative), then above the last. */
  counts: number[];
  sum: number;
}

/**
 * The HTTP requests' counts and durations, tallied in plain maps at each answer and handed to the
 * registry at each scrape: prom-client's inc/observe build and hash a label key per call, which
 * was a tenth of the main thread's time per request under load.
 */
class RequestTally {
  readonly #routes = new Map<string, RouteTally>();

  add(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let t = this.#routes.get(key);
    if (!t) this.#routes.set(key, (t = { method, route, statuses: new Map(), counts: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 }));
    t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++;
    t.counts[i]! += 1;
    t.sum += seconds;
  }

  get routes(): Iterable<RouteTally> {
    return this.#routes.values();
  }
}

/** `troupe_http_request_duration_seconds`, rendered from a {@link RequestTally}. */
class TalliedHistogram extends Histogram<string> {
  readonly #tally: RequestTally;
  readonly #name: string;
  readonly #help: string;

  constructor(name: string, help: string, tally: RequestTally, registry: Registry) {
    super({ name, help, labelNames: ['method', 'route'], buckets: DURATION_BUCKETS, registers: [registry] });
    this.#name = name;
    this.#help = help;
    this.#tally = tally;
  }

  override async get(): Promise<MetricObjectWithValues<HistogramValue>> {
    return this.getForPromString();
  }

  /** What the registry renders (it prefers this to `get`). */
  async getForPromString(): Promise<MetricObjectWithValues<HistogramValue>> {
    const values: HistogramValue[] = [];
    for (const t of this.#tally.routes) {
      const labels = { method: t.method, route: t.route };
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += t.counts[i]!;
        values.push({ metricName: `${this.#name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      const count = cumulative + t.counts[DURATION_BUCKETS.length]!;
      values.push({ metricName: `${this.#name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      values.push({ metricName: `${this.#name}_sum`, labels, value: t.sum });
      values.push({ metricName: `${this.#name}_count`, labels, value: count });
    }
    return { name: this.#name, help: this.#help, type: 'histogram' as unknown as MetricType, values, aggregator: 'sum', collect: () => {} };
  }
}

/** The daemon's metrics: a registry, the hooks that feed it and the scrape. */
export class ServerMetrics {
  readonly #registry = new Registry();
  readonly #engine: Engine;
  readonly #feed = new TotalsFeed();
  readonly #engineUp = new Gauge({ name: 'troupe_engine_up', help: 'Whether the engine answered the last scrape (1) or not (0)', registers: [this.#registry] });
  readonly #executions = new Gauge({ name: 'troupe_executions', help: 'Unfinished executions by current state', labelNames: ['state'], registers: [this.#registry] });
  readonly #created = new Counter({ name: 'troupe_executions_created_total', help: 'Executions created (stored) since the daemon started', registers: [this.#registry] });
  readonly #ended = new Counter({ name: 'troupe_executions_ended_total', help: 'Executions ended since the daemon started, by final state', labelNames: ['state'], registers: [this.#registry] });
  readonly #taskRuns = new Counter({ name: 'troupe_taskruns_ended_total', help: 'Task runs ended (written in a terminal state) since the daemon started', registers: [this.#registry] });
  readonly #attempts = new Counter({ name: 'troupe_task_attempts_dispatched_total', help: 'Task attempts handed to pool threads', registers: [this.#registry] });
  readonly #mailbox = new Gauge({ name: 'troupe_shard_mailbox_depth', help: 'Messages waiting in execution mailboxes, per shard', labelNames: ['shard'], registers: [this.#registry] });
  readonly #poolQueued = new Gauge({ name: 'troupe_pool_queue_depth', help: 'Task attempts waiting for room on a pool thread, per shard', labelNames: ['shard'], registers: [this.#registry] });
  readonly #poolInFlight = new Gauge({ name: 'troupe_pool_in_flight', help: 'Task attempts on pool threads now, per shard', labelNames: ['shard'], registers: [this.#registry] });
  readonly #actors = new Gauge({ name: 'troupe_shard_actors', help: 'Execution actors per shard, in memory (live) or passivated', labelNames: ['shard', 'kind'], registers: [this.#registry] });
  readonly #commits = new Counter({ name: 'troupe_commits_total', help: 'Group commits (LMDB transactions) of the shards', registers: [this.#registry] });
  readonly #commitLatency = new SummedHistogram('troupe_commit_latency_seconds', 'Group commits from write to durable (fsync done), in seconds', this.#registry);
  readonly #tally = new RequestTally();

  /**
   * @param inFlight the requests being handled now (SSE streams not counted), kept by the app's admission hook
   */
  constructor(engine: Engine, followers: Followers, inFlight: () => number) {
    this.#engine = engine;
    const tally = this.#tally;
    new Counter({
      name: 'troupe_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.#registry],
      collect() {
        this.reset();
        for (const t of tally.routes) for (const [status, n] of t.statuses) this.inc({ method: t.method, route: t.route, status: String(status) }, n);
      },
    });
    new TalliedHistogram('troupe_http_request_duration_seconds', 'Time to answer an HTTP request (SSE streams: until the stream ends), by method and route', tally, this.#registry);
    new Gauge({
      name: 'troupe_http_in_flight',
      help: 'HTTP requests being handled, SSE streams not counted',
      registers: [this.#registry],
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: 'troupe_http_follow_streams',
      help: 'Open SSE follow streams',
      registers: [this.#registry],
      collect() {
        this.set(followers.streams);
      },
    });
  }

  /** Counts an answered request (`route` is the route's pattern, not the URL). */
  request(method: string, route: string, status: number, seconds: number): void {
    this.#tally.add(method, route, status, seconds);
  }

  /** The content type of {@link scrape}'s text. */
  get contentType(): string {
    return this.#registry.contentType;
  }

  /** Asks the shards for their figures, then renders every metric in Prometheus' text format. */
  async scrape(): Promise<string> {
    const shards = await this.#shardFigures();
    this.#engineUp.set(shards ? 1 : 0);
    if (shards) this.#update(shards);
    return Registry.merge([processMetrics(), this.#registry]).metrics();
  }

  async #shardFigures(): Promise<ShardStats[] | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), STATS_TIMEOUT_MS);
      });
      return await Promise.race([this.#engine.stats(), late]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  #update(shards: ShardStats[]): void {
    const byState = new Map<string, number>();
    let created = 0;
    let taskRuns = 0;
    let dispatched = 0;
    let commits = 0;
    shards.forEach((s, i) => {
      const shard = String(i);
      for (const [state, n] of Object.entries(s.executions)) byState.set(state, (byState.get(state) ?? 0) + (n ?? 0));
      for (const [state, n] of Object.entries(s.ended)) this.#ended.inc({ state }, this.#feed.grown(`ended:${shard}:${state}`, n ?? 0));
      created += this.#feed.grown(`created:${shard}`, s.created);
      taskRuns += this.#feed.grown(`taskRuns:${shard}`, s.taskRunsEnded);
      dispatched += this.#feed.grown(`dispatched:${shard}`, s.dispatched);
      commits += this.#feed.grown(`commits:${shard}`, s.batches);
      this.#mailbox.set({ shard }, s.mailboxDepth);
      this.#poolQueued.set({ shard }, s.poolQueued);
      this.#poolInFlight.set({ shard }, s.poolInFlight);
      this.#actors.set({ shard, kind: 'live' }, s.liveActors);
      this.#actors.set({ shard, kind: 'passive' }, s.passiveActors);
    });
    this.#executions.reset();
    for (const [state, n] of byState) this.#executions.set({ state }, n);
    this.#created.inc(created);
    this.#taskRuns.inc(taskRuns);
    this.#attempts.inc(dispatched);
    this.#commits.inc(commits);
    this.#commitLatency.set(shards.map((s) => s.commitLatency));
  }
}

/** The paths the metrics are served at (open without credentials, as Kestra's management endpoints). */
export const METRICS_PATHS = ['/metrics', '/prometheus'];

/** Serves the metrics at {@link METRICS_PATHS} and counts every answered request. */
export function metricsRoutes(app: FastifyInstance, metrics: ServerMetrics): void {
  for (const path of METRICS_PATHS) {
    app.get(path, async (_req, reply) => {
      const text = await metrics.scrape();
      return reply.type(metrics.contentType).send(text);
    });
  }
  app.addHook('onResponse', (req, reply, done) => {
    metrics.request(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

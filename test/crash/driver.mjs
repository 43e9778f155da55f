/**
 * The crash test's child process: opens an Engine on a data dir (which recovers what was
 * unfinished), deploys the flows, starts the jobs not yet acknowledged, kills the `kill` jobs
 * through the engine API, and reports on stdout, one JSON object a line:
 *   {"t":"open","recovering":[ids],"ms":n}   the engine is open
 *   {"t":"ack","key":k,"id":id}              execute() resolved: the creation is durable
 *   {"t":"ended","id":id,"state":s}          an execution.ended the driver observed
 *   {"t":"d","e":id,"r":taskRunId,"a":n}    a task attempt handed to the pool (instrumented)
 *   {"t":"done"}                             every job it knows of has ended
 * Usage: node driver.mjs <plan.json>
 *   plan: { dataDir, jobs: [{key, flowId, kill}], acked: {key: id}, shards, poolThreads }
 */
import { readFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';
import { FLOWS } from './flows.mjs';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const started = Date.now();

// Instrumentation: every attempt a shard hands to the pool, so the parent can tell a re-run of an
// ended task run, or of a killed execution's tasks, from a legitimate re-dispatch. Shards send
// jobs to the pool's threads directly, so the trace runs in the threads: every thread the engine
// starts first loads traced-thread.mjs, which wraps the shard's dispatch, then its own entry.
process.env.CRASH_DRIVER_STARTED = String(started);
const TRACED = new URL('./traced-thread.mjs', import.meta.url);
const BaseWorker = workerThreads.Worker;
workerThreads.Worker = class TracedWorker extends BaseWorker {
  constructor(filename, options = {}) {
    super(TRACED, { ...options, argv: [String(filename)] });
  }
};
syncBuiltinESMExports();
const { Engine } = await import('../../dist/index.js');

const engine = await Engine.open({ dataDir: plan.dataDir, shards: plan.shards ?? 2, poolThreads: plan.poolThreads ?? 2 });
emit({ t: 'open', recovering: engine.recovering, ms: Date.now() - started });

for (const source of Object.values(FLOWS)) await engine.deploy(source);

const idOfKey = new Map(Object.entries(plan.acked ?? {}));
const killIds = new Set(plan.jobs.filter((j) => j.kill && idOfKey.has(j.key)).map((j) => idOfKey.get(j.key)));
const waits = [];
const watch = (id) => {
  waits.push(
    engine.waitFor(id).then((x) => emit({ t: 'ended', id, state: x.state.current })),
  );
};

// Recovered executions: the engine resumes them on its own. A kill job's kill may have been lost
// in the crash (or the job was created durably but never acknowledged): kill it again.
for (const id of engine.recovering) {
  if (killIds.has(id) || engine.get(id)?.flowId === 'victim') engine.kill(id);
  watch(id);
}

// Jobs not yet acknowledged: start them (concurrently, as clients would).
await Promise.all(
  plan.jobs
    .filter((j) => !idOfKey.has(j.key))
    .map(async (j) => {
      const id = await engine.execute('crash', j.flowId, undefined, { labels: [{ key: 'crash.key', value: j.key }] });
      emit({ t: 'ack', key: j.key, id });
      if (j.kill) engine.kill(id);
      watch(id);
    }),
);
await Promise.all(waits);
emit({ t: 'done', ms: Date.now() - started });
await engine.close();

/**
 * The daemon's crash test (part of `npm run test:crash`): `troupe server` runs as a real child
 * process on 127.0.0.1 while clients create executions over HTTP; it is killed with SIGKILL at
 * seeded random points, restarted on the same data dir (taking over the dead process's lock),
 * and so on. At the end, every execution a client got a 2xx for must exist and end SUCCESS with
 * each of its tasks run once, and so must every other execution the store holds (a creation
 * whose answer was lost in the kill may or may not exist, but if it does, it completes). The last
 * life is stopped with SIGTERM, which must exit 0 within 10 s.
 *
 * Plain node, no vitest; needs `npm run build` first. Bounded: about 30 s.
 * Environment: DAEMON_CRASH_SEED (default 20261130), DAEMON_CRASH_KILLS (default 4),
 * DAEMON_CRASH_CLIENTS (concurrent clients, default 16), CRASH_KEEP=1 keeps the temp dir.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { prng } from './prng.mjs';

const SEED = Number(process.env.DAEMON_CRASH_SEED ?? 20261130);
const KILLS = Number(process.env.DAEMON_CRASH_KILLS ?? 4);
const CLIENTS = Number(process.env.DAEMON_CRASH_CLIENTS ?? 16);
const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED', 'RETRIED']);
const NAMESPACE = 'crash.daemon';
const started = Date.now();
const root = mkdtempSync(join(tmpdir(), 'troupe-daemon-crash-'));
const dataDir = join(root, 'data');
const flowsDir = join(root, 'flows');
const log = (s) => process.stdout.write(`${s}\n`);

const random = prng(SEED);

const findings = [];
const find = (kind, message) => {
  findings.push({ kind, message });
  if (findings.length <= 30) log(`  ✘ ${kind}: ${message}`);
};

// The daemon starts its pool threads on demand (none at start), as it does by default: a life
// killed within ~100 ms under load may end before any thread begins the recovered attempts, and
// such a crash must not count against them (maxAttemptCrashes counts attempts a thread had begun).
// Two flows: kestra-01's shape (OutputValues → Log), and one that sleeps between two tasks, so a
// kill finds executions in every stage: created, dispatched, sleeping on a timer, ending.
const FLOWS = {
  quick: { tasks: ['values', 'log'], yaml: `id: quick\nnamespace: ${NAMESPACE}\ninputs:\n  - id: n\n    type: INT\n    defaults: 0\ntasks:\n  - id: values\n    type: io.kestra.plugin.core.output.OutputValues\n    values:\n      n: "{{ inputs.n }}"\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: "got {{ outputs.values.values.n }}"\n` },
  sleepy: { tasks: ['first', 'nap', 'last'], yaml: `id: sleepy\nnamespace: ${NAMESPACE}\ntasks:\n  - id: first\n    type: io.kestra.plugin.core.debug.Return\n    format: one\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT0.3S\n  - id: last\n    type: io.kestra.plugin.core.log.Log\n    message: "after {{ outputs.first.value }}"\n` },
};
mkdirSync(flowsDir, { recursive: true });
for (const [id, f] of Object.entries(FLOWS)) writeFileSync(join(flowsDir, `${id}.yaml`), f.yaml);

/** Starts `troupe server`; resolves once it printed `listening on URL`. */
function startDaemon() {
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--data', dataDir, '--flows', flowsDir, '--log-level', 'warn', '--pool-threads', '2', '--shards', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`troupe server exited (${code}) before listening:\n${stderr}`)));
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(guard));
  return url.then((u) => ({ child, url: u, exited, startMs: Date.now() - t0, stderr: () => stderr }));
}

/** Acknowledged creations: id → flow. */
const acked = new Map();
let refused = 0;
let lost = 0;

/** One client: creates executions one after the other until `stop()` says so. */
async function client(url, stop, n) {
  let i = 0;
  while (!stop()) {
    const flow = (n + i++) % 4 === 0 ? 'sleepy' : 'quick';
    try {
      const res = await fetch(`${url}/api/v1/executions/${NAMESPACE}/${flow}`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (res.status >= 200 && res.status < 300) {
        const { id } = JSON.parse(body);
        acked.set(id, flow);
      } else refused++;
    } catch {
      // The daemon died under the request: no answer, nothing acknowledged.
      lost++;
      return;
    }
  }
}

async function get(url, path) {
  const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: res.status === 200 ? await res.json() : await res.text() };
}

// ---------------------------------------------------------------------------------------------
// Lives: create under load, kill -9 at a seeded point, restart.

const lives = [];
let daemon;
try {
  for (let k = 0; k < KILLS; k++) {
    daemon = await startDaemon();
    // The kill point: once this life has acknowledged a seeded number of creations (so that
    // every kill lands amid acknowledged work, whatever the machine's speed), or 5 s at most.
    const target = 5 + Math.floor(random() * 60);
    const before = acked.size;
    let stopped = false;
    const t0 = Date.now();
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(daemon.url, () => stopped, n));
    while (acked.size - before < target && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 2));
    const killAfter = Date.now() - t0;
    daemon.child.kill('SIGKILL');
    const code = await daemon.exited;
    stopped = true;
    await Promise.all(clients);
    lives.push({ startMs: daemon.startMs, killAfter, acked: acked.size - before, code });
    if (code !== 'SIGKILL') find('kill', `life ${k + 1} exited with ${code} instead of being killed`);
  }

  // The last life: recovers, runs every execution to its end, and stops on SIGTERM.
  daemon = await startDaemon();
  lives.push({ startMs: daemon.startMs });
  const deadline = Date.now() + 30_000;
  const pending = new Set(acked.keys());
  while (pending.size && Date.now() < deadline) {
    for (const id of [...pending]) {
      const { status, body } = await get(daemon.url, `/api/v1/executions/${id}`);
      if (status === 404) {
        find('lost', `execution ${id} (${acked.get(id)}) was acknowledged with a 2xx but does not exist after the restart`);
        pending.delete(id);
        continue;
      }
      if (status !== 200) throw new Error(`GET /executions/${id} answered ${status}: ${body}`);
      if (!TERMINAL.has(body.state.current)) continue;
      pending.delete(id);
      checkEnded(body, acked.get(id));
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 100));
  }
  for (const id of pending) find('unfinished', `execution ${id} (${acked.get(id)}) did not end within 30 s of the last restart`);

  // Executions whose answer was lost in a kill may exist: they must complete too.
  const all = await get(daemon.url, `/api/v1/executions/search?namespace=${NAMESPACE}&size=10000`);
  let unacknowledged = 0;
  for (const x of all.body.results) {
    if (acked.has(x.id)) continue;
    unacknowledged++;
    if (!TERMINAL.has(x.state.current)) {
      // Give it the time the others had.
      const again = await waitEnd(daemon.url, x.id, deadline);
      if (!again) find('unfinished', `execution ${x.id} (created, answer lost in a kill) did not end`);
      else checkEnded(again, x.flowId);
    } else checkEnded((await get(daemon.url, `/api/v1/executions/${x.id}`)).body, x.flowId);
  }
  if (all.body.total < acked.size) find('lost', `the store lists ${all.body.total} executions, fewer than the ${acked.size} acknowledged`);

  // SIGTERM: drain and exit 0 within 10 s.
  const t0 = Date.now();
  daemon.child.kill('SIGTERM');
  const code = await Promise.race([daemon.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code !== 0) find('shutdown', `SIGTERM: exit ${code} after ${Date.now() - t0} ms (expected 0 within 10 s)\n${daemon.stderr()}`);

  log(`daemon crash test: seed ${SEED}, ${KILLS} kill -9 of troupe server under ${CLIENTS} HTTP clients, ${acked.size} executions acknowledged (${unacknowledged} more created whose answer was lost), ${lost} requests cut by a kill, ${refused} refused`);
  log(`  lives: ${lives.map((l, i) => (l.killAfter === undefined ? `#${i + 1} listening in ${l.startMs} ms, drained` : `#${i + 1} listening in ${l.startMs} ms, killed after ${l.killAfter} ms (${l.acked} acknowledged)`)).join('; ')}`);
} catch (e) {
  find('error', e instanceof Error ? e.stack : String(e));
  daemon?.child.kill('SIGKILL');
} finally {
  if (process.env.CRASH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  else log(`  kept ${root}`);
}

/** Polls one execution until it ends (or the deadline): its JSON, or undefined. */
async function waitEnd(url, id, until) {
  while (Date.now() < until) {
    const { status, body } = await get(url, `/api/v1/executions/${id}`);
    if (status === 200 && TERMINAL.has(body.state.current)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/** An ended execution: SUCCESS, each task of its flow run exactly once, successfully. */
function checkEnded(x, flow) {
  if (x.state.current !== 'SUCCESS') find('state', `execution ${x.id} (${flow}) ended ${x.state.current}`);
  const runs = (x.taskRunList ?? []).map((r) => r.taskId);
  const expected = FLOWS[flow].tasks;
  if (JSON.stringify([...runs].sort()) !== JSON.stringify([...expected].sort())) find('runs', `execution ${x.id} (${flow}) has task runs [${runs.join(', ')}], expected [${expected.join(', ')}] once each`);
  for (const r of x.taskRunList ?? []) if (r.state.current !== 'SUCCESS') find('runs', `execution ${x.id}: task run ${r.taskId} ended ${r.state.current}`);
}

log(`  ${findings.length ? `✘ ${findings.length} finding(s)` : '✔ nothing acknowledged was lost; every execution ended once'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(findings.length ? 1 : 0);

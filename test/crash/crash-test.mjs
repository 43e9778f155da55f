/**
 * The crash test (`npm run test:crash`): kill -9 a process running Troupe at seeded random points,
 * restart it on the same data dir, and check that nothing acknowledged is lost, that no task run
 * that had ended runs again, that a killed execution's tasks are not resubmitted, and that every
 * execution ends exactly as in an uninterrupted run. Between kills, every other restart first
 * reopens the data dir in LMDB's safe-restore mode (LMDB_RESTORE=safe: the last *synced* meta
 * page, close to a power cut) and checks that everything acknowledged after `flushed` survived.
 *
 * Plain node, no vitest: it drives child processes and prints a summary; the exit code is
 * non-zero on any finding. Needs `npm run build` first (the child imports dist/).
 *
 * Environment: CRASH_SEED (default 20260601), CRASH_KILLS (kill points, default 24),
 * CRASH_KEEP=1 keeps the temp dirs, CRASH_VERBOSE=1 prints each life.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../dist/store/index.js';
import { TEMPLATES, waveJobs } from './flows.mjs';
import { prng } from './prng.mjs';

const SEED = Number(process.env.CRASH_SEED ?? 20260601);
const KILLS = Number(process.env.CRASH_KILLS ?? 24);
const VERBOSE = process.env.CRASH_VERBOSE === '1';
const DRIVER = fileURLToPath(new URL('./driver.mjs', import.meta.url));
const SAFE_OPEN = fileURLToPath(new URL('./safe-open.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED']);
const started = Date.now();
const root = mkdtempSync(join(tmpdir(), 'troupe-crash-'));
const log = (s) => process.stdout.write(`${s}\n`);

const random = prng(SEED);

/** Findings: each a kind and a message; the test fails when any exists. */
const findings = [];
const find = (kind, message) => {
  findings.push({ kind, message });
  if (findings.length <= 40) log(`  ✘ ${kind}: ${message}`);
};

// ---------------------------------------------------------------------------------------------
// Children

/**
 * Runs one life of the driver. Resolves when it exits, with what it reported. `kill`
 * ({ from: 'spawn' | 'open', ms }) SIGKILLs it that long after it was spawned or after the engine
 * reported itself open, unless it has exited by then.
 */
function life(plan, kill, env = {}) {
  const planFile = join(root, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const child = spawn(process.execPath, [DRIVER, planFile], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const out = { acks: [], ended: [], dispatches: [], recovering: undefined, done: false, killed: false, code: null, stderr: '', openMs: undefined, lines: 0 };
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.trim()) continue;
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        out.stderr += `${line}\n`;
        continue;
      }
      out.lines++;
      if (msg.t === 'open') {
        out.recovering = msg.recovering;
        out.openMs = msg.ms;
        if (kill?.from === 'open') arm(kill.ms);
      } else if (msg.t === 'ack') out.acks.push(msg);
      else if (msg.t === 'ended') out.ended.push(msg);
      else if (msg.t === 'd') out.dispatches.push(msg);
      else if (msg.t === 'done') out.done = true;
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => (out.stderr += c));
  const timers = [setTimeout(() => child.kill('SIGKILL'), 120_000)];
  function arm(ms) {
    timers.push(
      setTimeout(() => {
        if (out.code !== null) return;
        out.killed = true;
        child.kill('SIGKILL');
      }, ms),
    );
  }
  if (kill?.from === 'spawn') arm(kill.ms);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      out.code = code ?? signal;
      resolve(out);
    });
  });
}

/** Reopens the data dir writable in a process with LMDB_RESTORE=safe, then closes it. */
function safeReopen(dataDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAFE_OPEN, dataDir], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, LMDB_RESTORE: 'safe' } });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`safe-open exited ${code}: ${err}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// Reading the store

/** Everything the store holds, read-only: per execution its header, task runs and logs. */
async function snapshot(dataDir) {
  const store = openStore({ dataDir, readOnly: true });
  const executions = new Map();
  try {
    for (const id of store.listExecutionIds()) {
      const header = store.readHeader(id);
      const runs = store.readTaskRuns(id).map((r) => r.taskRun);
      const logs = store.readLogs(id);
      const key = header.labels?.find((l) => l.key === 'crash.key')?.value;
      executions.set(id, { id, header, runs, logs, key, template: key?.split('.')[1] });
    }
  } finally {
    await store.close();
  }
  return executions;
}

/** What must be the same as in the uninterrupted run: no ids, no dates. */
function summary(x) {
  const valueOf = new Map(x.runs.map((r) => [r.id, r.value ?? '']));
  return {
    state: x.header.state.current,
    outputs: x.header.outputs ?? null,
    runs: x.runs
      .map((r) => [r.taskId, r.value ?? '', r.state.current, (r.attempts ?? []).map((a) => a.state.current).join(','), JSON.stringify(r.outputs ?? null)].join(' | '))
      .sort(),
    logs: x.logs.map((l) => [l.taskId ?? '', valueOf.get(l.taskRunId) ?? '', l.level, l.message].join(' | ')).sort(),
  };
}

/** The first difference between two summaries, in words. */
function diff(a, b) {
  if (a.state !== b.state) return `state ${a.state}, expected ${b.state}`;
  if (JSON.stringify(a.outputs) !== JSON.stringify(b.outputs)) return `outputs ${JSON.stringify(a.outputs)}, expected ${JSON.stringify(b.outputs)}`;
  for (const field of ['runs', 'logs']) {
    const x = a[field];
    const y = b[field];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const extra = x.filter((v) => !y.includes(v));
    const missing = y.filter((v) => !x.includes(v));
    return `${field}: ${x.length} vs ${y.length} expected; extra ${JSON.stringify(extra.slice(0, 3))}, missing ${JSON.stringify(missing.slice(0, 3))}`;
  }
  return undefined;
}

const runKey = (executionId, runId) => `${executionId}/${runId}`;

// ---------------------------------------------------------------------------------------------
// 1. The uninterrupted reference run

const refDir = join(root, 'reference');
const refStart = Date.now();
const ref = await life({ dataDir: join(refDir, 'data'), jobs: waveJobs(0) });
if (!ref.done || ref.code !== 0) {
  log(`reference run failed (exit ${ref.code}):\n${ref.stderr}`);
  if (process.env.CRASH_KEEP !== '1') rmSync(root, { recursive: true, force: true });
  process.exit(1);
}
const refMs = Date.now() - refStart;
const reference = new Map();
let referenceTaskRuns = 0;
for (const x of (await snapshot(join(refDir, 'data'))).values()) {
  const s = summary(x);
  referenceTaskRuns += x.runs.length;
  const t = TEMPLATES.find((tt) => tt.name === x.template);
  if (t.kill) {
    if (s.state !== 'KILLED') find('reference', `${x.key} ended ${s.state}, expected KILLED`);
    continue;
  }
  const known = reference.get(x.template);
  if (!known) reference.set(x.template, s);
  else if (diff(s, known)) find('reference not deterministic', `${x.key}: ${diff(s, known)}`);
}
log(`reference: ${waveJobs(0).length} executions, ${referenceTaskRuns} task runs in one uninterrupted run (${refMs} ms)`);

// ---------------------------------------------------------------------------------------------
// 2. The crash run

const dataDir = join(root, 'crash', 'data');
let waves = 1;
const jobs = () => Array.from({ length: waves }, (_, w) => waveJobs(w)).flat();
/** key → id of every acknowledged creation. */
const acked = new Map();
/** id → state of every execution.ended the driver reported. */
const endedSeen = new Map();
/**
 * Ended task runs seen in the store at a kill point: `exec/run` → { json, durable }. `durable`
 * once seen after a safe-restore reopen (only then is it known to be on disk, not just committed).
 */
const frozen = new Map();
/** KILLED executions seen in the store: id → JSON of its runs and its log count. */
const killedSeen = new Map();
/** Task runs dispatched and the attempts: `exec/run/attempt` → times dispatched. */
const dispatched = new Map();
const figures = {
  lives: 0,
  kills: 0,
  killsBeforeOpen: 0,
  killsDuringWork: 0,
  earlyExits: 0,
  safeReopens: 0,
  safeRollbacks: 0,
  recordsRolledBack: 0,
  recovered: 0,
  redispatched: 0,
};

/** Checks the store after a kill; `afterSafe` when it was just reopened in safe-restore mode. */
async function verify(afterSafe, dispatchedThisLife) {
  const snap = await snapshot(dataDir);
  // Every acknowledged creation is there.
  for (const [key, id] of acked) if (!snap.has(id)) find('acknowledged execution missing', `${key} (${id})${afterSafe ? ' after safe restore' : ''}`);
  // Every reported end is there, with the same state.
  for (const [id, state] of endedSeen) {
    const x = snap.get(id);
    if (x && x.header.state.current !== state) find('acknowledged end lost', `${id} reported ${state}, store has ${x.header.state.current}${afterSafe ? ' after safe restore' : ''}`);
  }
  // Persist, then act: a dispatched attempt's RUNNING record was durable before the dispatch.
  for (const d of dispatchedThisLife) {
    const run = snap.get(d.e)?.runs.find((r) => r.id === d.r);
    if (!run) find('dispatched before durable', `task run ${d.r} of ${d.e} was dispatched but is not in the store${afterSafe ? ' after safe restore' : ''}`);
  }
  // An ended task run never changes again.
  let rolledBack = 0;
  for (const [key, was] of frozen) {
    const [e, r] = key.split('/');
    const run = snap.get(e)?.runs.find((x) => x.id === r);
    const now = run && JSON.stringify(run);
    if (now === was.json) continue;
    if (afterSafe && !was.durable) {
      // Committed but not yet synced at the kill: safe restore may roll it back (never acknowledged).
      rolledBack++;
      frozen.delete(key);
      continue;
    }
    find('ended task run changed', `${key} ${was.json.slice(0, 160)} → ${now?.slice(0, 160)}`);
    frozen.delete(key);
  }
  if (afterSafe) {
    figures.safeReopens++;
    if (rolledBack) figures.safeRollbacks++;
    figures.recordsRolledBack += rolledBack;
  }
  for (const x of snap.values()) {
    for (const run of x.runs) {
      if (!TERMINAL.has(run.state.current)) continue;
      const key = runKey(x.id, run.id);
      const f = frozen.get(key);
      if (!f) frozen.set(key, { json: JSON.stringify(run), durable: afterSafe });
      else if (afterSafe) f.durable = true;
    }
    if (x.header.state.current === 'KILLED') {
      const now = { runs: JSON.stringify(x.runs), logs: x.logs.length };
      const was = killedSeen.get(x.id);
      if (!was) killedSeen.set(x.id, { ...now, durable: afterSafe });
      else if (was.runs !== now.runs || was.logs !== now.logs) {
        if (afterSafe && !was.durable) killedSeen.set(x.id, { ...now, durable: true });
        else find('killed execution changed', `${x.id}: its task runs or logs changed after it was KILLED`);
      } else if (afterSafe) was.durable = true;
    }
  }
  return snap;
}

/** Whether every job is acknowledged and every execution in the store has ended. */
async function allEnded() {
  const snap = await snapshot(dataDir);
  if (jobs().some((j) => !acked.has(j.key))) return false;
  return [...snap.values()].every((x) => TERMINAL.has(x.header.state.current));
}

/** Runs `troupe recover --data DIR --json` and checks it ended exactly the unfinished executions. */
async function recoverCli(unfinished) {
  const child = spawn(process.execPath, [BIN, 'recover', '--data', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    find('troupe recover', `exit ${code}, no JSON: ${stdout.slice(0, 200)} ${stderr.slice(0, 200)}`);
    return { executions: 0 };
  }
  const listed = new Map(report.recovered.map((r) => [r.id, r.state]));
  const after = await snapshot(dataDir);
  for (const x of unfinished) {
    if (!listed.has(x.id)) find('troupe recover', `${x.id} was unfinished but not recovered`);
    const state = after.get(x.id)?.header.state.current;
    if (!TERMINAL.has(state) || listed.get(x.id) !== state) find('troupe recover', `${x.id} printed ${listed.get(x.id)}, store has ${state}`);
    endedSeen.set(x.id, state);
  }
  return { executions: listed.size, ms: report.ms, code };
}

const crashStart = Date.now();
let safeNext = false;
let cli;
for (let attempt = 0; figures.kills < KILLS && attempt < KILLS * 4; attempt++) {
  if (figures.lives > 0 && (await allEnded())) waves++;
  const plan = { dataDir, jobs: jobs(), acked: Object.fromEntries(acked) };
  // A kill point: a seeded offset after spawn (a quarter of them: while the process starts, the
  // engine opens and recovers) or after the engine reported itself open (the rest: while it works).
  const kill = random() < 0.25 ? { from: 'spawn', ms: Math.round(20 + random() * 400) } : { from: 'open', ms: Math.round(30 + random() * 1000) };
  // Executions KILLED in the store before this life: none of their tasks may be dispatched.
  const killedBefore = new Set([...killedSeen.keys()]);
  const frozenBefore = new Set(frozen.keys());
  const out = await life(plan, kill);
  figures.lives++;
  for (const a of out.acks) acked.set(a.key, a.id);
  for (const e of out.ended) endedSeen.set(e.id, e.state);
  figures.recovered += out.recovering?.length ?? 0;
  for (const d of out.dispatches) {
    const k = `${d.e}/${d.r}/${d.a}`;
    const n = (dispatched.get(k) ?? 0) + 1;
    dispatched.set(k, n);
    if (n > 1) figures.redispatched++;
    if (killedBefore.has(d.e)) find('killed execution resubmitted', `attempt ${d.a} of task run ${d.r} of KILLED execution ${d.e}`);
    if (frozenBefore.has(runKey(d.e, d.r))) find('ended task run re-run', `attempt ${d.a} of task run ${d.r} of ${d.e}, which had ended before the kill`);
  }
  if (!out.killed) {
    figures.earlyExits++;
    if (out.code !== 0 || !out.done) find('child failed', `exit ${out.code}: ${out.stderr.slice(0, 400)}`);
  } else {
    figures.kills++;
    if (out.recovering === undefined) figures.killsBeforeOpen++;
    else figures.killsDuringWork++;
  }
  if (VERBOSE) log(`  life ${figures.lives}: ${out.killed ? `killed ${kill.ms} ms after ${kill.from}` : 'exited'}, open at ${out.openMs ?? '-'} ms, recovering ${out.recovering?.length ?? '-'}, ${out.acks.length} acks, ${out.ended.length} ended, ${out.dispatches.length} dispatches (first at ${out.dispatches[0]?.ms ?? '-'} ms)`);
  // Between kills: check what the store holds as the next life will find it.
  let snap = await verify(false, out.dispatches);
  if (out.killed && safeNext) {
    await safeReopen(dataDir);
    snap = await verify(true, out.dispatches);
  }
  if (out.killed) safeNext = !safeNext;
  // Once: `troupe recover` finishes what the kill left (when no victim is among it: only the
  // driver kills those).
  const unfinished = [...snap.values()].filter((x) => !TERMINAL.has(x.header.state.current));
  if (!cli && unfinished.length > 0 && unfinished.every((x) => x.header.flowId !== 'victim')) {
    cli = await recoverCli(unfinished);
    await verify(false, []);
  }
}

// The last life runs everything to its end.
let final;
for (let tries = 0; tries < 3; tries++) {
  const plan = { dataDir, jobs: jobs(), acked: Object.fromEntries(acked) };
  final = await life(plan);
  figures.lives++;
  for (const a of final.acks) acked.set(a.key, a.id);
  for (const e of final.ended) endedSeen.set(e.id, e.state);
  for (const d of final.dispatches) {
    if (killedSeen.has(d.e)) find('killed execution resubmitted', `attempt ${d.a} of task run ${d.r} of KILLED execution ${d.e}`);
    if (frozen.has(runKey(d.e, d.r))) find('ended task run re-run', `attempt ${d.a} of task run ${d.r} of ${d.e}`);
  }
  if (final.done && final.code === 0) break;
  find('final run failed', `exit ${final.code}: ${final.stderr.slice(0, 400)}`);
}
const crashMs = Date.now() - crashStart;

// ---------------------------------------------------------------------------------------------
// 3. Compare with the uninterrupted run

const snap = await verify(false, final.dispatches);
let compared = 0;
let taskRuns = 0;
let orphans = 0;
const ackedIds = new Set(acked.values());
for (const x of snap.values()) {
  taskRuns += x.runs.length;
  if (!ackedIds.has(x.id)) orphans++; // durable, but the kill came before the client saw the id
  if (!TERMINAL.has(x.header.state.current)) {
    find('not ended', `${x.key} (${x.id}) is ${x.header.state.current}`);
    continue;
  }
  const t = TEMPLATES.find((tt) => tt.name === x.template);
  const s = summary(x);
  compared++;
  if (t.kill) {
    if (s.state !== 'KILLED') find('mismatch', `${x.key} (${x.id}) ended ${s.state}, expected KILLED`);
    continue;
  }
  const d = diff(s, reference.get(x.template));
  if (d) find('mismatch', `${x.key} (${x.id}): ${d}`);
}
for (const j of jobs()) if (!acked.has(j.key)) find('never acknowledged', j.key);

const attempts = [...dispatched.values()].length;
log(`crash run (seed ${SEED}): ${figures.kills} kill points tried (${figures.killsBeforeOpen} while the engine was starting, ${figures.killsDuringWork} after it opened), ${figures.lives} process lives, ${waves} waves of work, ${(crashMs / 1000).toFixed(1)} s`);
log(`  ${acked.size} executions acknowledged, ${orphans} more created durably but unacknowledged at a kill (each job is then started again), ${compared} compared with the reference run`);
log(`  ${taskRuns} task runs, ${attempts} attempts dispatched, ${figures.redispatched} dispatched again after a crash (in flight at the kill), ${figures.recovered} executions recovered on open in total`);
log(`  ${frozen.size} ended task runs tracked across kills; ${killedSeen.size} KILLED executions tracked`);
log(`  safe restore (LMDB_RESTORE=safe): ${figures.safeReopens} reopenings, ${figures.safeRollbacks} rolled back unacknowledged commits (${figures.recordsRolledBack} ended task runs not yet synced), acknowledged changes lost: ${findings.filter((f) => /acknowledged|dispatched before/.test(f.kind)).length}`);
log(`  troupe recover --json: ${cli ? `finished ${cli.executions} unfinished executions left by a kill (${cli.ms} ms, exit ${cli.code})` : 'not exercised (no kill left only non-victim executions unfinished)'}`);
const byKind = new Map();
for (const f of findings) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
log(`  findings: ${findings.length === 0 ? 'none' : [...byKind].map(([k, n]) => `${n} ${k}`).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s in all)`);

if (process.env.CRASH_KEEP === '1') log(`  data kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
process.exit(findings.length ? 1 : 0);

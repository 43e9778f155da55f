/**
 * 10,000 paused executions: how much memory they hold (RSS of the whole process: main thread,
 * shard threads, pool) and whether every one resumes and ends SUCCESS. Part of `npm run test:crash`.
 * Without passivation (not built yet) every paused execution keeps its actor in memory, so the
 * bound checked is per execution (PAUSED_MAX_KB_EACH, default 32 KB; RSS includes the LMDB pages mapped in), not a constant.
 * Environment: PAUSED_COUNT (default 10000), PAUSED_MAX_KB_EACH.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../dist/index.js';

const COUNT = Number(process.env.PAUSED_COUNT ?? 10_000);
const MAX_KB_EACH = Number(process.env.PAUSED_MAX_KB_EACH ?? 32);
const dataDir = mkdtempSync(join(tmpdir(), 'troupe-paused-'));
const log = (s) => process.stdout.write(`${s}\n`);
const flow = `
id: paused
namespace: crash
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "resumed {{ execution.id }}"
`;

const started = Date.now();
const engine = await Engine.open({ dataDir, shards: 2, poolThreads: 2 });
let failed = false;
try {
  await engine.deploy(flow);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const ids = [];
  for (let i = 0; i < COUNT; i += 500) {
    ids.push(...(await Promise.all(Array.from({ length: Math.min(500, COUNT - i) }, () => engine.execute('crash', 'paused')))));
  }
  const allIn = async (state, timeoutMs) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const n = ids.filter((id) => engine.get(id)?.state.current === state).length;
      if (n === ids.length || Date.now() > until) return n;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const paused = await allIn('PAUSED', 120_000);
  global.gc?.();
  const rssPaused = process.memoryUsage().rss;
  const kbEach = (rssPaused - rssBefore) / 1024 / COUNT;
  // Passivation: no paused actor stays in a shard's memory; what a shard keeps per paused
  // execution is its id in the passive set, so its heap does not grow with the executions' size.
  const shards = await engine.stats();
  const live = shards.reduce((n, s) => n + s.liveActors, 0);
  const passive = shards.reduce((n, s) => n + s.passiveActors, 0);
  const heapMiB = shards.reduce((n, s) => n + s.heapUsedBytes, 0) / 2 ** 20;
  const createdMs = Date.now() - started;
  const ends = ids.map((id) => engine.waitFor(id));
  for (const id of ids) engine.resume(id);
  const ended = await Promise.all(ends);
  const ok = ended.filter((x) => x.state.current === 'SUCCESS' && x.taskRunList?.find((r) => r.taskId === 'after')?.outputs?.value === `resumed ${x.id}`).length;
  log(`passivation: ${live} actors in memory, ${passive} passivated; shard heaps ${heapMiB.toFixed(1)} MiB in all`);
  if (live !== 0 || passive !== COUNT) failed = true;
  log(`paused executions: ${paused}/${COUNT} PAUSED in ${createdMs} ms; RSS ${Math.round(rssBefore / 2 ** 20)} MB → ${Math.round(rssPaused / 2 ** 20)} MB (${kbEach.toFixed(1)} KB per paused execution, bound ${MAX_KB_EACH} KB); ${ok}/${COUNT} resumed and ended SUCCESS (${Date.now() - started} ms in all)`);
  if (paused !== COUNT) failed = true;
  if (ok !== COUNT) failed = true;
  if (kbEach > MAX_KB_EACH) failed = true;
} finally {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

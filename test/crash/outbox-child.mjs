/**
 * The process the outbox crash test kills (outbox-crash.test.ts): opens an Engine on a data dir
 * (dist/) and kills itself with SIGKILL at the dangerous point — inside the engine's handling of a
 * shard's drain, once an end (or a subflow request) is durable and before the trigger service or
 * the child's shard has acted on it (change listeners run before the trigger service sees a drain).
 * One JSON object a line on stdout, written synchronously (a line written is never lost to the kill):
 *   {"t":"open"}                         the engine opened
 *   {"t":"ack","id":id}                  an execution's creation is durable
 *   {"t":"kill","id":id}                 about to SIGKILL itself at the dangerous point
 *   {"t":"done"}                         (many) every upstream ended and fired; the engine closes
 * Usage:
 *   node outbox-child.mjs single  <dataDir>                     one upstream; killed once it ended
 *   node outbox-child.mjs many    <dataDir> <total> <killAfter> upstreams until <total> exist; killed
 *                                                                at the end of the <killAfter>th in
 *                                                                this life (0: never)
 *   node outbox-child.mjs subflow <dataDir>                     a Subflow wait: false; killed once it
 *                                                                asked for its child
 */
import { writeSync } from 'node:fs';
import { Engine } from '../../dist/index.js';
import { CHILD, DOWN, PARENT, UP } from './outbox-flows.mjs';

const [mode, dataDir, total, killAfter] = process.argv.slice(2);
const emit = (o) => writeSync(1, `${JSON.stringify(o)}\n`);
const die = (id) => {
  emit({ t: 'kill', id });
  process.kill(process.pid, 'SIGKILL');
};

const engine = await Engine.open({ dataDir, shards: 2, poolThreads: 2, noSync: mode === 'many' });
emit({ t: 'open' });
if (mode === 'subflow') {
  await engine.deploy(CHILD);
  await engine.deploy(PARENT);
  engine.onExecutionChange((id) => {
    const run = engine.get(id)?.taskRunList?.find((r) => r.taskId === 'launch');
    if (run?.outputs?.executionId) die(id);
  });
  emit({ t: 'ack', id: await engine.execute('crash.outbox', 'parent') });
} else {
  await engine.deploy(UP);
  await engine.deploy(DOWN);
  let ends = 0;
  const kill = mode === 'single' ? 1 : Number(killAfter);
  engine.onExecutionChange((id) => {
    const e = engine.get(id);
    if (e?.flowId !== 'up' || e.state.current !== 'SUCCESS') return;
    ends += 1;
    if (ends === kill) die(id);
  });
  if (mode === 'single') emit({ t: 'ack', id: await engine.execute('crash.outbox', 'up') });
  else {
    const want = Number(total);
    let next = engine.list({ namespace: 'crash.outbox', flowId: 'up' }).length;
    const worker = async () => {
      while (next < want) {
        next += 1;
        emit({ t: 'ack', id: await engine.execute('crash.outbox', 'up') });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    for (;;) {
      await engine.triggers.idle();
      const ups = engine.list({ namespace: 'crash.outbox', flowId: 'up' });
      const downs = engine.list({ namespace: 'crash.outbox', flowId: 'down' });
      if (ups.length >= want && ups.every((u) => u.state.current === 'SUCCESS') && downs.length >= ups.length && downs.every((d) => d.state.current === 'SUCCESS')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    emit({ t: 'done' });
    await engine.close();
  }
}

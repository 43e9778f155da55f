/**
 * The process the ForEachItem crash test kills: opens an Engine on a data dir (dist/), deploys a
 * parent whose ForEachItem starts one `child` per line of the items file, at most `window`
 * children unreported at once (maxActiveRuns), and reports one JSON object a line:
 *   {"t":"ack","id":id}          the parent's creation is durable
 *   {"t":"ended","n":n}           how many batches the parent has counted as ended so far
 * Usage: node for-each-item-child.mjs <dataDir> <itemsFile> <window>
 */
import { Engine } from '../../dist/index.js';
import { CHILD, PARENT } from './for-each-item-flows.mjs';

const [dataDir, items, window] = process.argv.slice(2);
const emit = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
const engine = await Engine.open({ dataDir, shards: 2, poolThreads: 2, maxActiveRuns: Number(window) });
await engine.deploy(CHILD);
await engine.deploy(PARENT);
const id = await engine.execute('crash.fei', 'parent', { f: items });
emit({ t: 'ack', id });
setInterval(() => {
  const run = engine.get(id)?.taskRunList?.find((r) => r.taskId === 'each_items');
  const it = run?.outputs?.iterations ?? {};
  emit({ t: 'ended', n: (it.SUCCESS ?? 0) + (it.FAILED ?? 0) });
}, 10);

/**
 * A process running the engine for test/crash/script-survivors.test.ts: opens an Engine (from
 * dist/) on the data dir, deploys and starts the flow given as a file, and prints one JSON line
 * `{"id", "pid"}` once the script told its pid in the execution's logs; then waits to be killed.
 * Usage: node script-child.mjs <dataDir> <flow.yaml>
 */
import { readFileSync } from 'node:fs';

const { Engine } = await import('../../dist/index.js');
const [dataDir, flowFile] = process.argv.slice(2);
const engine = await Engine.open({ dataDir, poolThreads: 1 });
const rec = await engine.deploy(readFileSync(flowFile, 'utf8'));
const id = await engine.execute(rec.namespace, rec.id);
for (;;) {
  const line = engine.logs(id).find((l) => l.message.startsWith('pid='));
  if (line) {
    process.stdout.write(`${JSON.stringify({ id, pid: Number(line.message.slice(4)) })}\n`);
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
setInterval(() => {}, 60_000);

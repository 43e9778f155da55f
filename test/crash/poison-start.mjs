/**
 * First life of the poison-pill test: deploys the flows and starts one execution of each, then
 * waits for them; the preloaded poison kills the process first. Usage: node poison-start.mjs <dataDir>
 */
import { Engine } from '../../dist/index.js';
import { POISON_FLOWS } from './poison-flows.mjs';

const engine = await Engine.open({ dataDir: process.argv[2], poolThreads: 1 });
// The innocent one first: the poison strikes soon after its own creation.
const ids = [];
for (const source of [...POISON_FLOWS].reverse()) {
  const rec = await engine.deploy(source);
  ids.push(await engine.execute(rec.namespace, rec.id));
}
await Promise.all(ids.map((id) => engine.waitFor(id)));
await engine.close();

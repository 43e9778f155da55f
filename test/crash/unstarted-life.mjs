/**
 * One life of unstarted-crash.test.ts: opens an engine whose pool threads start on demand (none at
 * first), with `start` deploys a flow and executes it, then waits for every execution (those it
 * created, or those it recovered) and prints their end states as JSON.
 * Usage: node unstarted-life.mjs <dataDir> [start]
 */
import { Engine } from '../../dist/index.js';

const [dataDir, mode] = process.argv.slice(2);
const engine = await Engine.open({ dataDir, poolThreads: 1, poolMinThreads: 0 });
const ids = [...engine.recovering];
if (mode === 'start') {
  const rec = await engine.deploy(`id: quick
namespace: crash
tasks:
  - id: values
    type: io.kestra.plugin.core.output.OutputValues
    values:
      n: 1
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "got {{ outputs.values.values.n }}"
`);
  ids.push(await engine.execute(rec.namespace, rec.id));
}
const ended = await Promise.all(ids.map((id) => engine.waitFor(id)));
process.stdout.write(`${JSON.stringify(ended.map((x) => ({ id: x.id, state: x.state.current, taskRuns: (x.taskRunList ?? []).map((r) => [r.taskId, r.state.current, r.attempts?.length ?? 0]) })))}\n`);
await engine.close();

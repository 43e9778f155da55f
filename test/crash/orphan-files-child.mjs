/**
 * A process running the engine for test/crash/orphan-files.test.ts: opens an Engine (from dist/),
 * runs the flow given as a file with a FILE input, and once its script task runs, leaves what a
 * crash at the worst moment leaves — through the code the pool and `execute()` use: a complete
 * file of the running attempt (noted in its journal, renamed into place, its result never
 * committed), the FILE input of an execution never created, a torn temp file. Prints one JSON line
 * `{"id", "pid", "lost", "neverCreated"}`, then waits to be killed.
 * Usage: node orphan-files-child.mjs <dataDir> <flow.yaml> <input file>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { Engine } = await import('../../dist/index.js');
const { createTaskFiles, stageInputFiles } = await import('../../dist/storage/index.js');
const [dataDir, flowFile, inputFile] = process.argv.slice(2);
const engine = await Engine.open({ dataDir, poolThreads: 1 });
const rec = await engine.deploy(readFileSync(flowFile, 'utf8'));
const id = await engine.execute(rec.namespace, rec.id, { f: inputFile });
let pid;
for (;;) {
  const line = engine.logs(id).find((l) => l.message.startsWith('pid='));
  if (line) {
    pid = Number(line.message.slice(4));
    break;
  }
  await new Promise((r) => setTimeout(r, 20));
}
const run = engine.get(id).taskRunList.find((r) => r.taskId === 'hang');
const files = createTaskFiles(engine.storage, {
  namespace: rec.namespace, flowId: rec.id, executionId: id, taskId: 'hang', taskRunId: run.id,
  attempt: { number: (run.attempts?.length ?? 0) + 1, journal: engine.fileJournal },
});
const lost = await files.put('lost.txt', 'written by an attempt whose result is never committed');
const staged = stageInputFiles(engine.storage, { namespace: rec.namespace, flowId: rec.id, executionId: 'neverCreated0000000001' }, { journal: engine.fileJournal });
const neverCreated = staged.storeFile('f', inputFile);
await staged.commit();
writeFileSync(join(engine.storage.tmpDir, 'torn.part'), 'half a write');
process.stdout.write(`${JSON.stringify({ id, pid, lost: lost.uri, neverCreated })}\n`);
setInterval(() => {}, 60_000);

// A daemon in a child process for IPC fault tests: opens the engine on argv[2], listens on its
// socket, prints "ready" and runs until killed.
import { Engine, listenIpc } from '../../dist/index.js';

const dataDir = process.argv[2];
const engine = await Engine.open({ dataDir, poolThreads: 1, shards: 1 });
const server = await listenIpc(engine, { dataDir });
process.stdout.write(`ready ${server.path}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  await engine.close();
  process.exit(0);
});

/**
 * Thread entry of a shard: opens the store, connects to the pool's threads (the ports came in
 * workerData), hands every message to its {@link Shard}, recovers the shard's unfinished
 * executions, then says it is ready. An error here ends the thread: the engine fails its open,
 * or restarts the shard.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import { PoolClient } from '../pool/pool-client.js';
import type { FromShard, ShardThreadData, ToShard } from '../protocol/shard-messages.js';
import { Shard } from './shard.js';
import { systemClock, TestClock } from './clock.js';

const { init, poolPorts, poolDemand } = workerData as ShardThreadData;
const port = parentPort!;
const send = (msg: FromShard): void => port.postMessage(msg);
const clock = init.testClockMs === undefined ? systemClock : new TestClock(init.testClockMs, (atMs) => send({ type: 'timer.armed', atMs }));
const store = openStore({ dataDir: init.dataDir, noSync: init.noSync });
let shard: Shard;
const pool = new PoolClient(
  poolPorts,
  (results) => shard.results(results),
  (entries) => shard.streamedLogs(entries),
  { threads: poolDemand.threads, want: () => send({ type: 'pool.want' }), loads: new Int32Array(poolDemand.loads) },
);
shard = new Shard(init, store, send, pool, clock);
function handle(msg: ToShard): void {
  if (msg.type === 'shard.batch') for (const m of msg.messages) handle(m);
  else if (msg.type === 'pool.thread') pool.replaceThread(msg.slot, msg.port, msg.death);
  else if (msg.type === 'pool.retire') send({ type: 'pool.retired', slot: msg.slot, ok: pool.retireThread(msg.slot) });
  else shard.handle(msg);
}
port.on('message', handle);
shard.recoverAll();
send({ type: 'shard.ready' });

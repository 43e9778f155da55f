/**
 * Thread entry of a shard: opens the store, hands every message to its {@link Shard}, recovers
 * the shard's unfinished executions, then says it is ready. An error here ends the thread: the
 * engine fails its open, or restarts the shard.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import type { FromShard, ShardInit, ToShard } from '../protocol/shard-messages.js';
import { Shard } from './shard.js';
import { systemClock, TestClock } from './clock.js';

const init = workerData as ShardInit;
const port = parentPort!;
const send = (msg: FromShard): void => port.postMessage(msg);
const clock = init.testClockMs === undefined ? systemClock : new TestClock(init.testClockMs, (atMs) => send({ type: 'timer.armed', atMs }));
const store = openStore({ dataDir: init.dataDir, noSync: init.noSync });
const shard = new Shard(init, store, send, clock);
port.on('message', (msg: ToShard) => shard.handle(msg));
shard.recoverAll();
send({ type: 'shard.ready' });

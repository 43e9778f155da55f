/** Thread entry of a shard: opens the store and hands every message to its {@link Shard}. */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/index.js';
import type { FromShard, ShardInit, ToShard } from '../protocol/shard-messages.js';
import { Shard } from './shard.js';

const init = workerData as ShardInit;
const port = parentPort!;
const store = openStore({ dataDir: init.dataDir, noSync: init.noSync });
const shard = new Shard(init, store, (msg: FromShard) => port.postMessage(msg));
port.on('message', (msg: ToShard) => shard.handle(msg));
shard.recoverAll();

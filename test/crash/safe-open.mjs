/**
 * Reopens a data dir writable, as the first process to open it, then closes it. Run with
 * LMDB_RESTORE=safe: lmdb-js then picks the last *synced* meta page instead of the last committed
 * one and rolls the environment back to it (as after a power cut, where unsynced pages are lost).
 * Usage: LMDB_RESTORE=safe node safe-open.mjs <dataDir>
 */
import { openStore } from '../../dist/store/index.js';

if (process.env.LMDB_RESTORE !== 'safe') throw new Error('run with LMDB_RESTORE=safe');
const store = openStore({ dataDir: process.argv[2] });
store.listExecutionIds();
await store.close();

/**
 * Prints what one state change costs as an execution grows (see serialization.ts and README.md).
 * Run compiled: `node serialization.bench.js [--quick]`; `troupe bench` calls the suite itself.
 */
import { runSerializationSuite, type SerializationResult } from './serialization.js';

function row(r: SerializationResult): Record<string, string | number> {
  const us = (x: number) => Number(x.toFixed(x < 10 ? 2 : 0));
  return {
    'task runs': r.n,
    'Kestra µs/change': us(r.kestraUsPerChange),
    'Kestra B/change': r.kestraBytesPerChange,
    'snapshot µs/change': us(r.snapshotUsPerChange),
    'snapshot B/change': r.snapshotBytesPerChange,
    'Troupe µs/change': us(r.troupeUsPerChange),
    'Troupe B/change': Math.round(r.troupeBytesPerChange),
    'Kestra s/execution': Number((r.kestraMsPerExecution / 1000).toFixed(3)),
    'Troupe s/execution': Number((r.troupeMsPerExecution / 1000).toFixed(3)),
  };
}

const results = await runSerializationSuite({ quick: process.argv.includes('--quick') });
console.table(results.map(row));

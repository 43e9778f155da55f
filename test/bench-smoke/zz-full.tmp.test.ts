import { it } from 'vitest';
import { runSerializationSuite } from '../../bench/serialization.js';
it('full', async () => {
  const results = await runSerializationSuite({ quick: process.env.QUICK === '1' });
  console.log(JSON.stringify(results, null, 1));
  console.table(results.map((r) => ({ n: r.n, kUs: r.kestraUsPerChange.toFixed(1), kB: r.kestraBytesPerChange, sUs: r.snapshotUsPerChange.toFixed(1), sB: r.snapshotBytesPerChange, tUs: r.troupeUsPerChange.toFixed(2), tB: r.troupeBytesPerChange.toFixed(0), kExecS: (r.kestraMsPerExecution/1000).toFixed(3), sExecS: (r.snapshotMsPerExecution/1000).toFixed(3), tExecS: (r.troupeMsPerExecution/1000).toFixed(4) })));
}, 600_000);

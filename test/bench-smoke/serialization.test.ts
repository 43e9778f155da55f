import { describe, expect, it } from 'vitest';
import { runSerializationSuite } from '../../src/bench/serialization.js';

describe('serialization benchmark suite', () => {
  it('returns one result per size with every figure (timing is not asserted)', async () => {
    const results = await runSerializationSuite({ quick: true, sizes: [10, 100] });
    expect(results.map((r) => r.n)).toEqual([10, 100]);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'n', 'changesPerExecution',
          'kestraUsPerChange', 'kestraBytesPerChange', 'kestraMsPerExecution', 'kestraBytesPerExecution',
          'kestraDurableUsPerChange', 'kestraDurableMsPerExecution',
          'snapshotUsPerChange', 'snapshotBytesPerChange', 'snapshotMsPerExecution', 'snapshotBytesPerExecution',
          'troupeUsPerChange', 'troupeBytesPerChange', 'troupeMsPerExecution', 'troupeBytesPerExecution',
        ].sort(),
      );
      for (const value of Object.values(r)) expect(value).toBeGreaterThan(0);
      expect(r.changesPerExecution).toBe(3 * r.n);
    }
    // Bytes are deterministic: the whole execution grows with n, Troupe's change does not.
    expect(results[1]!.kestraBytesPerChange).toBeGreaterThan(results[0]!.kestraBytesPerChange * 5);
    expect(results[1]!.troupeBytesPerChange).toBeCloseTo(results[0]!.troupeBytesPerChange, -2);
  });
});

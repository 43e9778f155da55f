/** `troupe server` (startServer) listens on the data dir's IPC socket too, and removes it on close. */
import { rmSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/start.js';
import { connect, socketPathOf } from '../../src/client/index.js';
import { tempDir } from '../helpers/engine.js';

describe('startServer and the IPC socket', () => {
  it('serves troupe/client on DATA_DIR/troupe.sock while the HTTP API runs', async () => {
    const dataDir = tempDir();
    const server = await startServer({ dataDir, port: 0, logLevel: 'silent', engine: { poolThreads: 1, shards: 1 } });
    try {
      expect(server.socket).toBe(socketPathOf(dataDir).path);
      const client = await connect({ dataDir });
      await client.deploy('id: hi\nnamespace: ipc.daemon\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: hello\n');
      const id = await client.execute('ipc.daemon', 'hi');
      expect((await client.waitFor(id)).state.current).toBe('SUCCESS');
      await client.close();
    } finally {
      await server.close();
    }
    expect(() => statSync(server.socket)).toThrow();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

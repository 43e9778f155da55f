import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

const flow = `
id: logs
namespace: test.change
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
  - id: bye
    type: io.kestra.plugin.core.log.Log
    message: bye
`;

describe('Engine.onExecutionChange', () => {
  it('reports each durable change of an execution: its logs and states can be read at each call', async () => {
    const t = await openTestEngine();
    disposers.push(t.dispose);
    const { engine } = t;
    await engine.deploy(flow);
    const seen: Array<{ state: string; logs: number }> = [];
    let paused!: () => void;
    const pausedSeen = new Promise<void>((r) => (paused = r));
    const off = engine.onExecutionChange((id) => {
      const e = engine.get(id)!;
      seen.push({ state: e.state.current, logs: engine.logs(id).length });
      if (e.state.current === 'PAUSED') paused();
    });
    const id = await engine.execute('test.change', 'logs');
    await pausedSeen;
    expect(seen.at(-1)).toEqual({ state: 'PAUSED', logs: 1 });
    await engine.resume(id);
    const end = await engine.waitFor(id);
    expect(end.state.current).toBe('SUCCESS');
    expect(seen.at(-1)).toEqual({ state: 'SUCCESS', logs: 2 });
    off();
    const before = seen.length;
    const second = await engine.execute('test.change', 'logs');
    await new Promise<void>((resolve) => {
      const o = engine.onExecutionChange((x) => x === second && engine.get(x)!.state.current === 'PAUSED' && (o(), resolve()));
    });
    expect(seen.length).toBe(before);
  });
});

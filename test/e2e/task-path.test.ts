/**
 * A task run takes two hops (issue 10 §2): shards send jobs straight to the pool's threads and get
 * the results back on the same ports. The main thread hears from a shard at most once per commit
 * (acknowledgements, ends, changes) however many task runs the commit holds, and never from the
 * pool for tasks without a timeout; execution.Resume still runs on the main thread.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});
async function open(options: Parameters<typeof openTestEngine>[0] = {}): Promise<Engine> {
  const t = await openTestEngine({ noSync: true, ...options });
  disposers.push(t.dispose);
  return t.engine;
}

const wide = `id: wide
namespace: t
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.EachParallel
    value: '${JSON.stringify(Array.from({ length: 50 }, (_, i) => i))}'
    tasks:
      - id: a
        type: io.kestra.plugin.core.debug.Return
        format: "a{{ taskrun.value }}"
      - id: b
        type: io.kestra.plugin.core.debug.Return
        format: "b{{ taskrun.value }}"
      - id: c
        type: io.kestra.plugin.core.debug.Return
        format: "c{{ taskrun.value }}"
      - id: d
        type: io.kestra.plugin.core.debug.Return
        format: "d{{ taskrun.value }}"
`;

describe('the two-hop task path', () => {
  it('runs 200 tasks with no job or result through the main thread', async () => {
    const e = await open();
    const before = e.messagesReceived;
    const x = await runFlow(e, wide);
    const received = e.messagesReceived - before;
    expect(x.state.current).toBe('SUCCESS');
    const returns = x.taskRunList!.filter((r) => r.taskId.length === 1);
    expect(returns).toHaveLength(200);
    expect(returns.every((r) => r.state.current === 'SUCCESS' && r.outputs!.value === `${r.taskId}${r.value}`)).toBe(true);
    const [shard] = await e.stats();
    // Every attempt went from the shard to a pool thread, and the results came back in batches.
    expect(shard!.dispatched).toBe(200);
    expect(shard!.resultMessages).toBeGreaterThan(0);
    expect(shard!.resultMessages).toBeLessThan(200);
    // The main thread got at most one message per commit of the shard: none per task run.
    expect(received).toBeLessThanOrEqual(shard!.batches);
    expect(received).toBeLessThan(200);
  });

  it('runs execution.Resume on the main thread', async () => {
    const e = await open();
    await e.deploy(`id: paused
namespace: t
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: resumed
`);
    const pausedId = await e.execute('t', 'paused');
    await new Promise<void>((resolve) => {
      const check = (): boolean => e.get(pausedId)?.state.current === 'PAUSED';
      if (check()) return resolve();
      const off = e.onExecutionChange(() => {
        if (check()) {
          off();
          resolve();
        }
      });
    });
    const resumer = await runFlow(
      e,
      `id: resumer
namespace: t
inputs:
  - id: target
    type: STRING
tasks:
  - id: resume
    type: io.kestra.plugin.core.execution.Resume
    executionId: "{{ inputs.target }}"
`,
      { target: pausedId },
    );
    expect(resumer.state.current).toBe('SUCCESS');
    const paused = await e.waitFor(pausedId);
    expect(paused.state.current).toBe('SUCCESS');
    expect(paused.taskRunList!.find((r) => r.taskId === 'after')!.outputs).toEqual({ value: 'resumed' });
  });
});

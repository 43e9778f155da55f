import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/runtime/clock.js';
import type { Engine } from '../../src/runtime/engine.js';
import { parseFlow } from '../../src/flow/index.js';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

const flow = (name: string): string => readFileSync(new URL(`./flows/${name}.yaml`, import.meta.url), 'utf8');

async function open(clock?: TestClock, dataDir?: string): Promise<{ engine: Engine; dataDir: string }> {
  const t = await openTestEngine({ noSync: true, ...(clock ? { clock } : {}), ...(dataDir ? { dataDir } : {}) });
  disposers.push(t.dispose);
  return t;
}

const START = Date.parse('2026-01-01T00:00:00Z');

describe("Flow SLA (Kestra's SLATestCase)", () => {
  it('maxDurationSLAShouldFail: Sleep PT2S under a PT0.5S MAX_DURATION with FAIL ends FAILED at the deadline', async () => {
    const clock = new TestClock(START);
    const { engine } = await open(clock);
    await engine.deploy(flow('sla-max-duration-fail'));
    const id = await engine.execute('io.kestra.tests', 'sla-max-duration-fail');
    // Two timers: the Sleep's and the SLA's deadline, in either order.
    const armed = [await clock.nextTimer(), await clock.nextTimer()].sort();
    expect(armed).toEqual([START + 500, START + 2000]);
    clock.set(START + 500);
    const e = await engine.waitFor(id);
    expect(e.state.current).toBe('FAILED');
    expect(e.state.histories.at(-1)!.date).toBe('2026-01-01T00:00:00.500Z');
    expect(e.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([['sleep', 'FAILED']]);
    const logs = engine.logs(id).map((l) => `${l.level} ${l.message}`);
    expect(logs).toContain("WARN SLA 'maxDuration' violated: execution duration of PT0.5S exceed the maximum duration of PT0.5S.");
    expect(logs).toContain("ERROR Execution failed due to SLA 'maxDuration' violated: execution duration of PT0.5S exceed the maximum duration of PT0.5S.");
  });

  it('maxDurationSLAShouldPass: Sleep PT0.5S under PT10S ends SUCCESS (real clock)', async () => {
    const { engine } = await open();
    await engine.deploy(flow('sla-max-duration-ok'));
    const e = await engine.waitFor(await engine.execute('io.kestra.tests', 'sla-max-duration-ok'));
    expect(e.state.current).toBe('SUCCESS');
    expect(engine.logs(e.id).some((l) => l.message.includes('SLA'))).toBe(false);
  });

  it('executionConditionSLAShouldPass / ShouldCancel / ShouldLabel', async () => {
    const { engine } = await open();
    await engine.deploy(flow('sla-execution-condition'));
    const pass = await engine.waitFor(await engine.execute('io.kestra.tests', 'sla-execution-condition'));
    expect(pass.state.current).toBe('SUCCESS');
    expect(pass.labels.some((l) => l.key === 'sla')).toBe(false);

    const cancel = await engine.waitFor(await engine.execute('io.kestra.tests', 'sla-execution-condition', { string: 'CANCEL' }));
    expect(cancel.state.current).toBe('CANCELLED');
    expect(cancel.taskRunList ?? []).toHaveLength(0);
    expect(engine.logs(cancel.id).map((l) => `${l.level} ${l.message}`)).toContain("WARN SLA 'condition' violated: assertion is false: {{inputs.string != 'CANCEL'}}.");

    const label = await engine.waitFor(await engine.execute('io.kestra.tests', 'sla-execution-condition', { string: 'LABEL' }));
    expect(label.state.current).toBe('SUCCESS');
    expect(label.labels).toContainEqual({ key: 'sla', value: 'violated' });
    // Added once, though the assertion is violated at every change.
    expect(label.labels.filter((l) => l.key === 'sla')).toHaveLength(1);
  });

  it('a MAX_DURATION whose deadline passed while the engine was down fires when it opens again', async () => {
    const clock = new TestClock(START);
    const first = await open(clock);
    await first.engine.deploy(flow('sla-max-duration-fail'));
    const id = await first.engine.execute('io.kestra.tests', 'sla-max-duration-fail');
    await clock.nextTimer();
    await clock.nextTimer();
    expect(first.engine.get(id)!.state.current).toBe('RUNNING');
    await first.engine.close();

    // Down for three seconds: both the SLA (0.5 s) and the Sleep (2 s) came due; the SLA first.
    const later = new TestClock(START + 3000);
    const second = await open(later, first.dataDir);
    const e = await second.engine.waitFor(id);
    expect(e.state.current).toBe('FAILED');
    expect(second.engine.logs(id).map((l) => l.message)).toContain('Execution failed due to SLA \'maxDuration\' violated: execution duration of PT3S exceed the maximum duration of PT0.5S.');
  });

  it('NONE with labels: the deadline adds the labels and the execution goes on; after a restart it does not fire again', async () => {
    const clock = new TestClock(START);
    const first = await open(clock);
    await first.engine.deploy(`id: sla-none
namespace: troupe.sla
sla:
  - id: slow
    type: MAX_DURATION
    behavior: NONE
    duration: PT1S
    labels:
      - key: late
        value: "yes"
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
`);
    const id = await first.engine.execute('troupe.sla', 'sla-none');
    expect(await clock.nextTimer()).toBe(START + 1000);
    clock.set(START + 1000);
    for (;;) {
      const e = first.engine.get(id)!;
      if (e.labels.some((l) => l.key === 'late')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(first.engine.get(id)!.state.current).toBe('PAUSED');
    await first.engine.close();
    const second = await open(new TestClock(START + 5000), first.dataDir);
    await second.engine.resume(id);
    const e = await second.engine.waitFor(id);
    expect(e.state.current).toBe('SUCCESS');
    expect(e.labels.filter((l) => l.key === 'late')).toEqual([{ key: 'late', value: 'yes' }]);
    expect(second.engine.logs(id).filter((l) => l.message.startsWith("SLA 'slow' violated"))).toHaveLength(1);
  });

  it('validate: type, behavior, duration and assert are checked at their line', () => {
    const bad = `id: bad
namespace: troupe.sla
sla:
  - id: a
    type: MAX_TIME
    behavior: FAIL
  - id: b
    type: MAX_DURATION
    behavior: EXPLODE
    duration: soon
  - id: c
    type: EXECUTION_ASSERTION
    behavior: NONE
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
`;
    expect(() => parseFlow(bad)).toThrow(/sla\[0\]\.type: expected MAX_DURATION or EXECUTION_ASSERTION/);
    try {
      parseFlow(bad);
    } catch (e) {
      const errors = (e as { details: { errors: Array<{ path: string; line: number }> } }).details.errors;
      expect(errors.map((x) => [x.path, x.line])).toEqual([
        ['sla[0].type', 5],
        ['sla[1].behavior', 9],
        ['sla[1].duration', 10],
        ['sla[2].assert', 11],
      ]);
    }
  });
});

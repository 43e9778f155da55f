import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/runtime/clock.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';
import { windowBounds } from '../../src/triggers/preconditions.js';
import { parseFlow } from '../../src/flow/index.js';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

const flow = (name: string): string => readFileSync(new URL(`./flows/${name}.yaml`, import.meta.url), 'utf8');

async function open(options: { clock?: TestClock; dataDir?: string } = {}): Promise<{ engine: Engine; dataDir: string }> {
  const t = await openTestEngine({ noSync: true, ...options });
  disposers.push(t.dispose);
  return t;
}

async function run(engine: Engine, namespace: string, flowId: string): Promise<ExecutionJson> {
  const e = await engine.waitFor(await engine.execute(namespace, flowId));
  await engine.triggers.idle();
  return e;
}

/**
 * The ended executions of `flowId`, once there are at least `count` (the upstream's end may be
 * visible in the store before the engine hands it to the trigger service, so this waits for it).
 */
async function executionsOf(engine: Engine, flowId: string, count = 0): Promise<ExecutionJson[]> {
  for (let i = 0; i < 1000 && engine.list({ flowId }).length < count; i++) {
    await engine.triggers.idle();
    await new Promise((r) => setTimeout(r, 10));
  }
  await engine.triggers.idle();
  return Promise.all(engine.list({ flowId }).map((e) => engine.waitFor(e.id)));
}

const NS = 'io.kestra.tests.trigger';

describe("MultipleCondition and preconditions (Kestra's MultipleConditionTriggerCaseTest)", () => {
  it('trigger: flow-a then flow-b in the same day fire the listener once, with the trigger variables of flow-b', async () => {
    const { engine } = await open();
    for (const f of ['trigger-multiplecondition-listener', 'trigger-multiplecondition-flow-a', 'trigger-multiplecondition-flow-b']) await engine.deploy(flow(f));
    const a = await run(engine, NS, 'trigger-multiplecondition-flow-a');
    expect(a.state.current).toBe('SUCCESS');
    expect(await executionsOf(engine, 'trigger-multiplecondition-listener')).toHaveLength(0);
    const b = await run(engine, NS, 'trigger-multiplecondition-flow-b');
    const [listener, ...more] = await executionsOf(engine, 'trigger-multiplecondition-listener', 1);
    expect(more).toHaveLength(0);
    expect(listener!.state.current).toBe('SUCCESS');
    expect(listener!.taskRunList).toHaveLength(1);
    expect(listener!.trigger!.variables).toMatchObject({ executionId: b.id, namespace: NS, flowId: 'trigger-multiplecondition-flow-b' });
    // The window was reset on success: flow-b alone fires nothing more.
    await run(engine, NS, 'trigger-multiplecondition-flow-b');
    expect(await executionsOf(engine, 'trigger-multiplecondition-listener')).toHaveLength(1);
  });

  it('failed: a FAILED flow-c never counts (ExecutionStatus SUCCESS comes first), so flow-d alone does not fire', async () => {
    const { engine } = await open();
    for (const f of ['trigger-multiplecondition-failed', 'trigger-multiplecondition-flow-c', 'trigger-multiplecondition-flow-d']) await engine.deploy(flow(f));
    expect((await run(engine, NS, 'trigger-multiplecondition-flow-c')).state.current).toBe('FAILED');
    expect((await run(engine, NS, 'trigger-multiplecondition-flow-d')).state.current).toBe('SUCCESS');
    expect(await executionsOf(engine, 'trigger-multiplecondition-failed')).toHaveLength(0);
  });

  it('flowTriggerPreconditions: flow-a twice then flow-b fire the listener once (flows + where filters, labels in an EXPRESSION)', async () => {
    const { engine } = await open();
    for (const f of ['flow-trigger-preconditions-flow-listen', 'flow-trigger-preconditions-flow-a', 'flow-trigger-preconditions-flow-b']) await engine.deploy(flow(f));
    const ns = `${NS}.preconditions`;
    await run(engine, ns, 'flow-trigger-preconditions-flow-a');
    await run(engine, ns, 'flow-trigger-preconditions-flow-a');
    expect(await executionsOf(engine, 'flow-trigger-preconditions-flow-listen')).toHaveLength(0);
    await run(engine, ns, 'flow-trigger-preconditions-flow-b');
    const listeners = await executionsOf(engine, 'flow-trigger-preconditions-flow-listen', 1);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]!.state.current).toBe('SUCCESS');
    expect(listeners[0]!.taskRunList).toHaveLength(1);
  });

  it('resetOnSuccess: false fires again each time a condition is met again in the window; a where filter with OR', async () => {
    const { engine } = await open();
    await engine.deploy(`id: listen
namespace: troupe.pre
triggers:
  - id: both
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: both
      resetOnSuccess: false
      flows:
        - namespace: troupe.pre
          flowId: a
      where:
        - id: b-or-c
          operand: OR
          filters:
            - field: FLOW_ID
              type: EQUAL_TO
              value: b
            - field: FLOW_ID
              type: REGEX
              value: "c+"
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.flowId }}"
`);
    for (const id of ['a', 'b', 'cc']) await engine.deploy(`id: ${id}\nnamespace: troupe.pre\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`);
    await run(engine, 'troupe.pre', 'b');
    expect(await executionsOf(engine, 'listen')).toHaveLength(0);
    await run(engine, 'troupe.pre', 'a');
    expect(await executionsOf(engine, 'listen', 1)).toHaveLength(1);
    await run(engine, 'troupe.pre', 'cc');
    const fired = await executionsOf(engine, 'listen', 2);
    expect(fired.map((e) => e.taskRunList![0]!.outputs!['value']).sort()).toEqual(['a', 'cc']);
  });

  it('windows are durable: a condition met before a restart still counts after it', async () => {
    const first = await open();
    for (const f of ['trigger-multiplecondition-listener', 'trigger-multiplecondition-flow-a', 'trigger-multiplecondition-flow-b']) await first.engine.deploy(flow(f));
    await run(first.engine, NS, 'trigger-multiplecondition-flow-a');
    // The end reaches the trigger service after the store shows it: wait for the window.
    for (let i = 0; i < 1000 && first.engine.triggers.conditionWindows().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await first.engine.triggers.idle();
    expect(first.engine.triggers.conditionWindows()).toMatchObject([{ conditionId: 'multiple', results: { success: true, 'flow-a': true } }]);
    await first.engine.close();
    const second = await open({ dataDir: first.dataDir });
    await run(second.engine, NS, 'trigger-multiplecondition-flow-b');
    expect(await executionsOf(second.engine, 'trigger-multiplecondition-listener', 1)).toHaveLength(1);
  });

  it('DURATION_WINDOW PT1H: conditions met in different windows do not add up (simulated clock)', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T10:20:00Z'));
    const { engine } = await open({ clock });
    await engine.deploy(`id: hourly
namespace: troupe.pre
triggers:
  - id: both
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - id: both
        type: io.kestra.plugin.core.condition.MultipleCondition
        timeWindow:
          type: DURATION_WINDOW
          window: PT1H
        conditions:
          a:
            type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: troupe.pre
            flowId: a
          b:
            type: io.kestra.plugin.core.condition.ExecutionFlow
            namespace: troupe.pre
            flowId: b
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
`);
    for (const id of ['a', 'b']) await engine.deploy(`id: ${id}\nnamespace: troupe.pre\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`);
    await run(engine, 'troupe.pre', 'a');
    // Counted in the 10:00 window before the clock moves on.
    for (let i = 0; i < 1000 && engine.triggers.conditionWindows().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(engine.triggers.conditionWindows()).toMatchObject([{ start: Date.parse('2026-01-01T10:00:00Z'), results: { a: true } }]);
    clock.set(Date.parse('2026-01-01T11:05:00Z'));
    await run(engine, 'troupe.pre', 'b');
    expect(await executionsOf(engine, 'hourly')).toHaveLength(0);
    clock.set(Date.parse('2026-01-01T11:10:00Z'));
    await run(engine, 'troupe.pre', 'a');
    expect(await executionsOf(engine, 'hourly', 1)).toHaveLength(1);
  });

  it('window bounds as Kestra computes them', () => {
    const at = Date.parse('2026-03-04T07:37:12.345Z');
    const iso = (w: { start: number; end: number }): string[] => [new Date(w.start).toISOString(), new Date(w.end).toISOString()];
    expect(iso(windowBounds({ type: 'DURATION_WINDOW' }, at))).toEqual(['2026-03-04T00:00:00.000Z', '2026-03-04T23:59:59.999Z']);
    expect(iso(windowBounds({ type: 'DURATION_WINDOW', windowMs: 600_000 }, at))).toEqual(['2026-03-04T07:30:00.000Z', '2026-03-04T07:39:59.999Z']);
    expect(iso(windowBounds({ type: 'DURATION_WINDOW', windowMs: 86_400_000, advanceMs: 6 * 3_600_000 }, at))).toEqual(['2026-03-04T06:00:00.000Z', '2026-03-05T05:59:59.999Z']);
    expect(iso(windowBounds({ type: 'SLIDING_WINDOW', windowMs: 3_600_000 }, at))).toEqual(['2026-03-04T07:37:12.000Z', '2026-03-04T08:37:12.000Z']);
    expect(iso(windowBounds({ type: 'DAILY_TIME_WINDOW', startTime: 6 * 3600, endTime: 9 * 3600 }, at))).toEqual(['2026-03-04T06:00:00.000Z', '2026-03-04T09:00:00.000Z']);
    expect(iso(windowBounds({ type: 'DAILY_TIME_DEADLINE', deadline: 9 * 3600 }, at))).toEqual(['2026-03-04T00:00:00.000Z', '2026-03-04T09:00:00.000Z']);
  });

  it('validate: preconditions without an id, or with an unknown timeWindow type, are refused at preconditions', () => {
    const yaml = (pre: string): string => `id: bad\nnamespace: troupe.pre\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: x\ntriggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    preconditions:\n${pre}`;
    expect(() => parseFlow(yaml('      flows:\n        - namespace: a\n'))).toThrow(/triggers\[0\]\.preconditions: preconditions: missing required property 'id'/);
    expect(() => parseFlow(yaml('      id: p\n      timeWindow:\n        type: WEEKLY\n'))).toThrow(/timeWindow\.type: expected DURATION_WINDOW/);
    expect(parseFlow(yaml('      id: p\n      timeWindow:\n        type: DAILY_TIME_DEADLINE\n        deadline: "09:00:00"\n')).triggers).toHaveLength(1);
  });
});

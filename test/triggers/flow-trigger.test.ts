import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import type { ExecutionJson } from '../../src/runtime/execution-json.js';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

const flow = (name: string): string => readFileSync(new URL(`./flows/${name}.yaml`, import.meta.url), 'utf8');

async function open(): Promise<Engine> {
  const t = await openTestEngine({ noSync: true });
  disposers.push(t.dispose);
  return t.engine;
}

/** Waits until `count` executions of `flowId` exist and have ended; returns them, whole. */
async function ended(engine: Engine, flowId: string, count: number): Promise<ExecutionJson[]> {
  for (let i = 0; i < 3000; i++) {
    await engine.triggers.idle();
    const list = engine.list({ flowId });
    if (list.length >= count) return Promise.all(list.map((e) => engine.waitFor(e.id)));
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${flowId}: ${engine.list({ flowId }).length} executions, expected ${count}`);
}

describe('Flow trigger (Kestra FlowTriggerCaseTest)', () => {
  it('trigger: three listeners run once each, with trigger.executionId/namespace/flowId and untyped inputs from the upstream outputs', async () => {
    const engine = await open();
    for (const f of ['trigger-flow', 'trigger-flow-listener', 'trigger-flow-listener-no-inputs', 'trigger-flow-listener-namespace-condition', 'trigger-flow-listener-invalid']) await engine.deploy(flow(f));
    const upstream = await engine.waitFor(await engine.execute('io.kestra.tests.trigger', 'trigger-flow'));
    expect(upstream.state.current).toBe('SUCCESS');

    const [listener] = await ended(engine, 'trigger-flow-listener', 1);
    expect(listener!.state.current).toBe('SUCCESS');
    expect(listener!.taskRunList![0]!.outputs).toEqual({ value: `childs: from parents: ${upstream.id}` });
    expect(listener!.trigger).toMatchObject({ id: 'listen-flow', type: 'io.kestra.plugin.core.trigger.Flow', variables: { executionId: upstream.id, namespace: 'io.kestra.tests.trigger', flowId: 'trigger-flow', flowRevision: 1, state: 'SUCCESS' } });

    const [noInputs] = await ended(engine, 'trigger-flow-listener-no-inputs', 1);
    expect(noInputs!.state.current).toBe('SUCCESS');
    expect(noInputs!.taskRunList![0]!.outputs).toEqual({ value: `v1: ${upstream.id}` });

    // Any SUCCESS of the namespace but its own: trigger-flow and the two listeners above.
    const namespaced = await ended(engine, 'trigger-flow-listener-namespace-condition', 3);
    expect(namespaced.map((e) => e.trigger!.variables!['flowId']).sort()).toEqual(['trigger-flow', 'trigger-flow-listener', 'trigger-flow-listener-no-inputs']);
    // The invalid listener's inputs cannot render: no execution.
    await engine.triggers.idle();
    expect(engine.list({ flowId: 'trigger-flow-listener-invalid' })).toHaveLength(0);
    expect(engine.list({ flowId: 'trigger-flow-listener' })).toHaveLength(1);
  });

  it('triggerWithPause: states RUNNING, PAUSED, SUCCESS… fire four times, with trigger.state RUNNING, PAUSED, RUNNING, SUCCESS', async () => {
    const engine = await open();
    await engine.deploy(flow('trigger-flow-with-pause'));
    await engine.deploy(flow('trigger-flow-listener-with-pause'));
    const upstream = await engine.waitFor(await engine.execute('io.kestra.tests.trigger.pause', 'trigger-flow-with-pause'));
    expect(upstream.state.current).toBe('SUCCESS');
    expect(upstream.taskRunList).toHaveLength(3);
    const listeners = await ended(engine, 'trigger-flow-listener-with-pause', 4);
    expect(listeners.every((e) => e.state.current === 'SUCCESS')).toBe(true);
    // Created in the order the states were reached.
    const byCreation = listeners.sort((a, b) => a.state.histories[0]!.date.localeCompare(b.state.histories[0]!.date));
    expect(byCreation.map((e) => e.outputs?.['status']).sort()).toEqual(['PAUSED', 'RUNNING', 'RUNNING', 'SUCCESS']);
    expect(byCreation.map((e) => e.trigger!.variables!['state'])).toContain('PAUSED');
    // Its outbox records reported again after they were handled (a late report, as under load) fire nothing again.
    engine.triggers.drained([], upstream.state.histories.map((_, i) => [upstream.id, i] as const));
    await engine.triggers.idle();
    expect(engine.list({ flowId: 'trigger-flow-listener-with-pause' })).toHaveLength(4);
  });

  it('a flow never triggers itself; disabled listeners and states not listed do not fire; a throwing condition is false', async () => {
    const engine = await open();
    await engine.deploy(`id: self
namespace: t.flow
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: any
    type: io.kestra.plugin.core.trigger.Flow
`);
    await engine.deploy(`id: on-failure
namespace: t.flow
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: x
triggers:
  - id: failed
    type: io.kestra.plugin.core.trigger.Flow
    states: [FAILED]
  - id: throws
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.Expression
        expression: "{{ nope.missing }}"
  - id: off
    type: io.kestra.plugin.core.trigger.Flow
    disabled: true
`);
    await engine.waitFor(await engine.execute('t.flow', 'self'));
    await engine.triggers.idle();
    // 'self' ended SUCCESS: on-failure listens to FAILED only (the others are off or throw); self never fires for itself.
    expect(engine.list({ flowId: 'self' })).toHaveLength(1);
    expect(engine.list({ flowId: 'on-failure' })).toHaveLength(0);
  });

  it('fires exactly once per upstream execution over 1,000 upstream executions', async () => {
    const engine = await open();
    await engine.deploy('id: up\nnamespace: t.many\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ execution.id }}"\n');
    await engine.deploy(`id: down
namespace: t.many
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
triggers:
  - id: after-up
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlowCondition
        namespace: t.many
        flowId: up
`);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i += 50) ids.push(...(await Promise.all(Array.from({ length: 50 }, () => engine.execute('t.many', 'up')))));
    await Promise.all(ids.map((id) => engine.waitFor(id, { taskRuns: false })));
    const downs = await ended(engine, 'down', 1000);
    await engine.triggers.idle();
    expect(engine.list({ flowId: 'down' })).toHaveLength(1000);
    expect(new Set(downs.map((e) => e.trigger!.variables!['executionId']))).toEqual(new Set(ids));
  });
});

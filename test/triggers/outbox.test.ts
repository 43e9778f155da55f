/**
 * The Flow triggers' outbox (src/triggers/outbox.ts): which executions a shard records, and the
 * records a crash or a close leaves behind, handled exactly once by the next open — on a real
 * engine and LMDB file. The kill -9 cases are in test/crash/outbox-crash.test.ts.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { TestClock } from '../../src/runtime/clock.js';
import { openStore, type Store } from '../../src/store/index.js';
import { interestTest, listenersEffect, triggerPatterns } from '../../src/triggers/outbox.js';
import { resolveTaskType } from '../../src/tasks/registry.js';
import { openTestEngine, tempDir } from '../helpers/engine.js';

/** A data dir removed after the test. */
function dir(prefix: string): string {
  const d = tempDir(prefix);
  cleanup.unshift(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const canonical = (t: string): string => resolveTaskType(t)?.name ?? t;
const NS = 't.outbox';

const UP = `id: up
namespace: ${NS}
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
`;
const OTHER = UP.replace('id: up', 'id: other');
const DOWN = `id: down
namespace: ${NS}
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
triggers:
  - id: on-up
    type: io.kestra.plugin.core.trigger.Flow
    states: [SUCCESS]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: ${NS}
        flowId: up
`;

async function open(dataDir: string, clock?: TestClock): Promise<Engine> {
  const t = await openTestEngine({ dataDir, noSync: true, shards: 2, ...(clock ? { clock } : {}) });
  cleanup.push(() => t.engine.close());
  return t.engine;
}

/** Waits until `count` executions of `flowId` exist and have ended (the trigger service idle). */
async function settled(engine: Engine, flowId: string, count: number): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    await engine.triggers.idle();
    const list = engine.list({ namespace: NS, flowId });
    if (list.length >= count && list.every((e) => ['SUCCESS', 'FAILED', 'WARNING', 'KILLED'].includes(e.state.current))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${flowId}: ${engine.list({ namespace: NS, flowId }).length} executions, expected ${count}`);
}

function readStore(dataDir: string, body: (store: Store) => Promise<void> | void): Promise<void> {
  const store = openStore({ dataDir, noSync: true });
  return Promise.resolve(body(store)).finally(() => store.close());
}

describe('the interest a shard records for', () => {
  it('narrows to the upstream flow or namespace a condition names, never the listening flow itself', () => {
    const self = { namespace: NS, id: 'down' };
    const test = interestTest(triggerPatterns(self, { conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionFlowCondition', namespace: NS, flowId: 'up' }] }, ['SUCCESS'], canonical))!;
    expect(test(NS, 'up', ['RUNNING', 'SUCCESS'])).toBe(true);
    expect(test(NS, 'up', ['RUNNING', 'FAILED'])).toBe(false);
    expect(test(NS, 'other', ['SUCCESS'])).toBe(false);
    const byPrefix = interestTest(triggerPatterns(self, { conditions: [{ type: 'io.kestra.plugin.core.condition.ExecutionNamespace', namespace: 't.', comparison: 'PREFIX' }] }, ['SUCCESS'], canonical))!;
    expect(byPrefix('t.x', 'any', ['SUCCESS'])).toBe(true);
    expect(byPrefix('u.x', 'any', ['SUCCESS'])).toBe(false);
    expect(byPrefix(NS, 'down', ['SUCCESS'])).toBe(false);
    const any = interestTest(triggerPatterns(self, {}, ['SUCCESS', 'FAILED'], canonical))!;
    expect(any('x', 'y', ['FAILED'])).toBe(true);
    expect(any('x', 'y', ['PAUSED'])).toBe(false);
    expect(interestTest([])).toBeUndefined();
  });

  it('reads preconditions flows only while each window forgets itself once complete', () => {
    const self = { namespace: NS, id: 'down' };
    const pre = { id: 'pre', flows: [{ namespace: NS, flowId: 'a' }, { namespace: NS, flowId: 'b' }] };
    const test = interestTest(triggerPatterns(self, { preconditions: pre }, ['SUCCESS'], canonical))!;
    expect([test(NS, 'a', ['SUCCESS']), test(NS, 'b', ['SUCCESS']), test(NS, 'c', ['SUCCESS'])]).toEqual([true, true, false]);
    // A complete window kept (resetOnSuccess: false) fires for any upstream that passes the other conditions.
    const kept = interestTest(triggerPatterns(self, { preconditions: { ...pre, resetOnSuccess: false } }, ['SUCCESS'], canonical))!;
    expect(kept(NS, 'c', ['SUCCESS'])).toBe(true);
    const where = interestTest(triggerPatterns(self, { preconditions: { ...pre, where: [{ id: 'w', filters: [] }] } }, ['SUCCESS'], canonical))!;
    expect(where(NS, 'c', ['SUCCESS'])).toBe(true);
  });
});

describe('the outbox of Flow triggers', () => {
  it('is written with the end of an execution a trigger may fire for (only then), and deleted once its execution is created', async () => {
    const dataDir = dir('troupe-outbox-');
    const engine = await open(dataDir);
    const store = openStore({ dataDir, noSync: true });
    // The cleanup closes this store before the engine, whose close may still report changes.
    let storeClosed = false;
    cleanup.push(() => {
      storeClosed = true;
      store.close();
    });
    for (const f of [UP, OTHER, DOWN]) await engine.deploy(f);
    // Called with each durable change, before the trigger service sees it.
    const atEnd = new Map<string, number>();
    engine.onExecutionChange((id) => {
      if (storeClosed) return;
      store.refresh();
      const h = store.readHeader(id);
      if (h?.state.current === 'SUCCESS' && !atEnd.has(id)) atEnd.set(id, store.readOutbox(id).length);
    });
    const up = await engine.execute(NS, 'up');
    const other = await engine.execute(NS, 'other');
    await engine.waitFor(up);
    await engine.waitFor(other);
    await settled(engine, 'down', 1);
    expect(atEnd.get(up)).toBe(1);
    expect(atEnd.get(other)).toBe(0);
    store.refresh();
    expect(store.listOutbox()).toEqual([]);
    const [down] = engine.list({ namespace: NS, flowId: 'down' });
    expect(down!.trigger!.variables).toMatchObject({ executionId: up, state: 'SUCCESS' });
  });

  it('keeps the record of an execution that ends during close(); the next open creates its execution, once', async () => {
    const dataDir = dir('troupe-outbox-close-');
    const clock = new TestClock(Date.UTC(2026, 5, 1));
    let engine = await open(dataDir, clock);
    const sleeper = UP.replace("type: io.kestra.plugin.core.debug.Return\n    format: \"{{ execution.id }}\"", 'type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1M');
    await engine.deploy(sleeper);
    await engine.deploy(DOWN);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await engine.execute(NS, 'up'));
    for (let i = 0; i < ids.length; i++) await clock.nextTimer();
    // Every Sleep ends in the shards while the engine closes: the trigger service stops first.
    const closing = engine.close();
    clock.advance(120_000);
    await closing;
    let endedAtClose = 0;
    let leftAtClose = 0;
    await readStore(dataDir, (store) => {
      const records = new Set(store.listOutbox().map((r) => r.executionId));
      leftAtClose = records.size;
      const downstream = new Set(store.listExecutionIds().map((id) => store.readHeader(id)!).filter((h) => h.flowId === 'down').map((h) => h.trigger!.variables!['executionId']));
      for (const id of ids) {
        if (store.readHeader(id)!.state.current !== 'SUCCESS') continue;
        endedAtClose += 1;
        // Its execution was created before the trigger service closed, or its record waits for the next open.
        expect(records.has(id) || downstream.has(id)).toBe(true);
      }
    });
    engine = await open(dataDir, clock);
    for (const id of ids) await engine.waitFor(id);
    await settled(engine, 'down', ids.length);
    const downs = engine.list({ namespace: NS, flowId: 'down' });
    expect(downs.map((d) => d.trigger!.variables!['executionId']).sort()).toEqual([...ids].sort());
    // (Measured: about half of them end in the shards after the trigger service closed, each leaving its record.)
    expect(leftAtClose).toBeLessThanOrEqual(endedAtClose);
    await engine.close();
    await readStore(dataDir, (store) => expect(store.listOutbox()).toEqual([]));
  });

  it('replays a record left by a crash: the execution it decides gets the same id, and is never created twice', async () => {
    const dataDir = dir('troupe-outbox-replay-');
    let engine = await open(dataDir);
    await engine.deploy(UP);
    await engine.deploy(DOWN);
    const up = await engine.execute(NS, 'up');
    const upstream = await engine.waitFor(up);
    await settled(engine, 'down', 1);
    const [first] = engine.list({ namespace: NS, flowId: 'down' });
    await engine.close();
    const seq = upstream.state.histories.length - 1;
    const record = { executionId: up, entry: { seq, effect: listenersEffect(seq, seq + 1) } };
    // As if the process died after the end's commit, before anything was created.
    await readStore(dataDir, async (store) => {
      await store.deleteExecution(first!.id);
      await store.writeBatch({ headers: [], taskRuns: [], logs: [], outboxPut: [record] });
    });
    engine = await open(dataDir);
    await settled(engine, 'down', 1);
    const again = engine.list({ namespace: NS, flowId: 'down' });
    expect(again.map((d) => d.id)).toEqual([first!.id]);
    await engine.close();
    // As if it died after the creation, before the record's deletion.
    await readStore(dataDir, (store) => store.writeBatch({ headers: [], taskRuns: [], logs: [], outboxPut: [record] }));
    engine = await open(dataDir);
    await engine.triggers.idle();
    expect(engine.list({ namespace: NS, flowId: 'down' }).map((d) => d.id)).toEqual([first!.id]);
    await engine.close();
    await readStore(dataDir, (store) => expect(store.listOutbox()).toEqual([]));
  });

  it('meets the windows of preconditions once: a record already decided creates what it decided without touching them again', async () => {
    const dataDir = dir('troupe-outbox-windows-');
    const A = UP.replace('id: up', 'id: a');
    const B = UP.replace('id: up', 'id: b');
    const BOTH = `id: both
namespace: ${NS}
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
triggers:
  - id: on-both
    type: io.kestra.plugin.core.trigger.Flow
    preconditions:
      id: pre
      flows:
        - { namespace: ${NS}, flowId: a, states: [SUCCESS] }
        - { namespace: ${NS}, flowId: b, states: [SUCCESS] }
`;
    let engine = await open(dataDir);
    for (const f of [A, B, BOTH]) await engine.deploy(f);
    await engine.waitFor(await engine.execute(NS, 'a'));
    await engine.triggers.idle();
    expect(engine.triggers.conditionWindows()).toHaveLength(1);
    const b = await engine.waitFor(await engine.execute(NS, 'b'));
    await settled(engine, 'both', 1);
    expect(engine.triggers.conditionWindows()).toHaveLength(0);
    const [fired] = engine.list({ namespace: NS, flowId: 'both' });
    await engine.close();
    const seq = b.state.histories.length - 1;
    // As if it died once the windows and the decision were written, before the creation.
    await readStore(dataDir, async (store) => {
      await store.deleteExecution(fired!.id);
      const execution = { id: fired!.id, inputs: {}, labels: [], trigger: fired!.trigger! };
      await store.writeBatch({ headers: [], taskRuns: [], logs: [], outboxPut: [{ executionId: b.id, entry: { seq, effect: { type: 'creations', executions: [{ namespace: NS, flowId: 'both', execution }] } as { type: string } } }] });
      expect(store.listConditionWindows()).toEqual([]);
    });
    engine = await open(dataDir);
    await settled(engine, 'both', 1);
    expect(engine.list({ namespace: NS, flowId: 'both' }).map((d) => d.id)).toEqual([fired!.id]);
    // The windows were not met again (flow b alone would have opened one).
    expect(engine.triggers.conditionWindows()).toHaveLength(0);
    await engine.close();
    await readStore(dataDir, (store) => expect(store.listOutbox()).toEqual([]));
  });
});

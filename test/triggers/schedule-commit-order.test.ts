/**
 * The order a firing Schedule writes in (service.ts): its row, naming the execution, is committed
 * before the execution's creation is asked for, and the creation does not wait for the row's
 * flush to disk (LMDB makes commits durable in commit order: the execution, committed later by its
 * shard, is never durable without the row). The service runs here on a real store and the test
 * clock, with a host that records the creation requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderObject, renderString } from '../../src/expr/index.js';
import { parseFlow } from '../../src/flow/index.js';
import { TestClock } from '../../src/runtime/clock.js';
import { openStore, type FlowRecord, type StagedWrite, type Store } from '../../src/store/index.js';
import { resolveTaskType } from '../../src/tasks/registry.js';
import { TriggerService, type TriggerHost } from '../../src/triggers/index.js';
import { tempDir } from '../helpers/engine.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const FLOW = `id: every-second
namespace: troupe.triggers
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    withSeconds: true
    timezone: UTC
    cron: "* * * * * *"
`;

describe('a firing Schedule: row committed, then the creation, then the row flushed', () => {
  it('asks for the execution once the row naming it is committed, before its flush', async () => {
    const real = openStore({ dataDir: tempDir('troupe-commit-order-') });
    closers.push(() => real.close());
    const events: string[] = [];
    /** The flush of the rows the evaluation wrote, released by the test once the creation was asked for. */
    let releaseFlush!: () => void;
    const flushHeld = new Promise<void>((r) => (releaseFlush = r));
    // A service that waited for the flush before creating would wait for ever: it fails instead.
    setTimeout(() => releaseFlush(), 5000).unref();
    let firing = false;
    const store = new Proxy(real, {
      get(target, key) {
        if (key !== 'writeTriggersStaged') {
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        }
        return (...args: Parameters<Store['writeTriggersStaged']>): StagedWrite => {
          const staged = target.writeTriggersStaged(...args);
          if (!firing) return staged;
          void staged.committed.then(() => events.push(`committed ${args[0][0]!.executionId}`));
          return { committed: staged.committed, durable: Promise.all([staged.durable, flushHeld]).then(() => void events.push('durable')) };
        };
      },
    });
    const clock = new TestClock(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    let ids = 0;
    const host: TriggerHost = {
      store,
      clock,
      zone: 'UTC',
      newId: () => `execution${++ids}`,
      flow: (record) => ({ ...parseFlow(record.source), revision: record.revision }),
      canonical: (type) => resolveTaskType(type)?.name ?? type,
      render: (template, vars) => renderString(template, vars),
      renderObject: (value, vars) => renderObject(value, vars),
      hostVars: () => ({}),
      typeInputs: (_record, inputs) => inputs,
      create: (_record, execution) => {
        events.push(`create ${execution.id} ${String(execution.trigger.variables?.['date'])}`);
        releaseFlush();
        return Promise.resolve();
      },
      createFailed: () => Promise.reject(new Error('no condition here throws')),
      header: () => undefined,
      pollHttp: () => Promise.reject(new Error('no poll here')),
      warn: (message) => events.push(`warn ${message}`),
    };
    const service = await TriggerService.open(host);
    closers.push(() => service.close());
    const record: FlowRecord = { namespace: 'troupe.triggers', id: 'every-second', revision: 1, source: FLOW, updated: new Date(clock.now()).toISOString() };
    await real.putFlow(record);
    await service.flowChanged(record);
    expect(service.list()[0]!.row.nextExecutionDate).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));

    firing = true;
    clock.set(Date.UTC(2026, 0, 1, 0, 0, 1));
    await service.idle();
    expect(events).toEqual(['committed execution1', 'create execution1 2026-01-01T00:00:01Z', 'durable']);
    // The row names the execution, durably.
    expect(real.listTriggers()[0]!.executionId).toBe('execution1');
  });
});

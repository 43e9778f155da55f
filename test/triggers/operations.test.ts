/**
 * The trigger operations of TroupeApi (list, get, enable, disable, unlock, restart, backfill and
 * its pause, unpause, delete), run against the in-process Engine and against `troupe/client`
 * talking to it over a real Unix socket (listenIpc): the same results, the same TROUPE_* errors.
 * The engine runs on a TestClock, so schedules fire when the test moves time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/index.js';
import { TroupeError } from '../../src/errors.js';
import { listenIpc } from '../../src/ipc/server.js';
import { TestClock } from '../../src/runtime/clock.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { TroupeApi } from '../../src/troupe-api.js';
import { openTestEngine } from '../helpers/engine.js';

interface Fixture {
  engine: Engine;
  api: TroupeApi;
  clock: TestClock;
}

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0).reverse()) await d();
});

async function openEmbedded(clock: TestClock): Promise<Fixture> {
  const t = await openTestEngine({ clock });
  disposers.push(t.dispose);
  return { engine: t.engine, api: t.engine, clock };
}

async function openOverIpc(clock: TestClock): Promise<Fixture> {
  const t = await openTestEngine({ clock });
  disposers.push(t.dispose);
  const server = await listenIpc(t.engine, { dataDir: t.dataDir });
  disposers.push(() => server.close());
  const client = await connect({ dataDir: t.dataDir, reconnect: false });
  disposers.push(() => client.close());
  return { engine: t.engine, api: client, clock };
}

const NS = 'troupe.ops';

const nightly = `
id: nightly
namespace: ${NS}
inputs:
  - id: who
    type: STRING
    defaults: schedule
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}|{{ inputs.who }}"
triggers:
  - id: at-two
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: UTC
    recoverMissedSchedules: NONE
  - id: upstream
    type: io.kestra.plugin.core.trigger.Flow
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: ${NS}
        flowId: nope
`;

const paris = `
id: paris
namespace: ${NS}.sub
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
triggers:
  - id: hourly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 * * * *"
    timezone: Europe/Paris
`;

/** Waits until the trigger service is idle and no execution of `flowId` runs; returns their outputs, sorted. */
async function settle(engine: Engine, flowId: string): Promise<string[]> {
  for (let i = 0; i < 1000; i++) {
    await engine.triggers.idle();
    const running = engine.list({ flowId }).filter((e) => !['SUCCESS', 'FAILED', 'WARNING', 'KILLED'].includes(e.state.current));
    const locked = engine.triggers.list().some((v) => v.row.flowId === flowId && v.row.executionId);
    if (!running.length && !locked) break;
    for (const e of running) await engine.waitFor(e.id);
    if (!running.length) await new Promise((r) => setTimeout(r, 10));
  }
  const values = await Promise.all(engine.list({ flowId }).map(async (e) => String((await engine.waitFor(e.id)).taskRunList?.[0]?.outputs?.['value'] ?? e.state.current)));
  return values.sort();
}

async function rejection(p: Promise<unknown>): Promise<TroupeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TroupeError);
  return e as TroupeError;
}

for (const [name, open] of [
  ['embedded Engine', openEmbedded],
  ['troupe/client over the daemon socket', openOverIpc],
] as const) {
  describe(`trigger operations (${name})`, () => {
    it('lists the triggers with a state (filters by namespace and below, flow, text), gets one, refuses unknown ones', async () => {
      const { engine, api } = await open(new TestClock(Date.parse('2026-01-10T00:00:30Z')));
      await engine.deploy(nightly);
      await engine.deploy(paris);
      const all = await api.listTriggers();
      expect(all.map((t) => `${t.triggerContext.namespace}/${t.triggerContext.flowId}/${t.triggerContext.triggerId}`)).toEqual([`${NS}/nightly/at-two`, `${NS}.sub/paris/hourly`]);
      expect(all[0]!.abstractTrigger).toMatchObject({ id: 'at-two', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '0 2 * * *' });
      expect(all[0]!.triggerContext).toMatchObject({ disabled: false, nextExecutionDate: '2026-01-10T02:00:00Z' });
      expect(all[1]!.triggerContext.nextExecutionDate).toBe('2026-01-10T02:00:00+01:00');
      expect((await api.listTriggers({ namespace: NS })).length).toBe(2);
      expect((await api.listTriggers({ namespace: `${NS}.sub` })).map((t) => t.triggerContext.flowId)).toEqual(['paris']);
      expect((await api.listTriggers({ namespace: 'troupe.op' })).length).toBe(0);
      expect((await api.listTriggers({ flowId: 'nightly' })).map((t) => t.triggerContext.triggerId)).toEqual(['at-two']);
      expect((await api.listTriggers({ q: 'HOUR' })).map((t) => t.triggerContext.triggerId)).toEqual(['hourly']);

      expect(await api.getTrigger(NS, 'nightly', 'at-two')).toEqual(all[0]!.triggerContext);
      // A Flow trigger keeps no state row; nor does an unknown one.
      expect(await api.getTrigger(NS, 'nightly', 'upstream')).toBeUndefined();
      expect(await api.getTrigger(NS, 'gone', 'at-two')).toBeUndefined();
      const noFlow = await rejection(api.disableTrigger(NS, 'gone', 'at-two'));
      expect(noFlow).toMatchObject({ code: 'TROUPE_FLOW_NOT_FOUND', message: 'Flow of trigger at-two not found' });
      const noTrigger = await rejection(api.enableTrigger(NS, 'nightly', 'nope'));
      expect(noTrigger).toMatchObject({ code: 'TROUPE_TRIGGER_NOT_FOUND', message: 'Flow nightly has no trigger nope' });
    });

    it('disable: nothing fires while disabled; enable applies recoverMissedSchedules (NONE: the next date from now)', async () => {
      const clock = new TestClock(Date.parse('2026-01-10T00:00:30Z'));
      const { engine, api } = await open(clock);
      await engine.deploy(nightly);
      const off = await api.disableTrigger(NS, 'nightly', 'at-two');
      expect(off.disabled).toBe(true);
      expect(off).not.toHaveProperty('nextExecutionDate');
      clock.set(Date.parse('2026-01-11T12:00:00Z'));
      await engine.triggers.idle();
      expect(engine.list({ flowId: 'nightly' })).toHaveLength(0);
      const on = await api.enableTrigger(NS, 'nightly', 'at-two');
      expect(on).toMatchObject({ disabled: false, nextExecutionDate: '2026-01-12T02:00:00Z' });
      clock.set(Date.parse('2026-01-12T02:00:00Z'));
      expect(await settle(engine, 'nightly')).toEqual(['2026-01-12T02:00:00Z|schedule']);
    });

    it('unlock drops the lock on a running execution (TROUPE_ILLEGAL_STATE when not locked); restart forgets the last date', async () => {
      const clock = new TestClock(Date.parse('2026-01-10T00:59:30Z'));
      const { engine, api } = await open(clock);
      await engine.deploy(paris);
      const notLocked = await rejection(api.unlockTrigger(`${NS}.sub`, 'paris', 'hourly'));
      expect(notLocked).toMatchObject({ code: 'TROUPE_ILLEGAL_STATE', message: 'Trigger is not locked' });
      clock.set(Date.parse('2026-01-10T01:00:00Z'));
      await engine.triggers.idle();
      const locked = await api.getTrigger(`${NS}.sub`, 'paris', 'hourly');
      expect(locked!.executionId).toEqual(expect.any(String));
      // The execution pauses and holds the trigger.
      for (let i = 0; i < 500 && engine.get(locked!.executionId!)?.state.current !== 'PAUSED'; i++) await new Promise((r) => setTimeout(r, 10));
      const unlocked = await api.unlockTrigger(`${NS}.sub`, 'paris', 'hourly');
      expect(unlocked).not.toHaveProperty('executionId');
      expect(unlocked.nextExecutionDate).toBe('2026-01-10T03:00:00+01:00');
      const restarted = await api.restartTrigger(`${NS}.sub`, 'paris', 'hourly');
      expect(restarted).not.toHaveProperty('date');
      expect(restarted.nextExecutionDate).toBe('2026-01-10T03:00:00+01:00');
      await engine.kill(locked!.executionId!);
    });

    it('backfill: its dates fire one at a time with its inputs and labels, then the schedule resumes its own next date', async () => {
      const clock = new TestClock(Date.parse('2026-01-10T00:00:30Z'));
      const { engine, api } = await open(clock);
      await engine.deploy(nightly);
      const concurrent: number[] = [];
      engine.onExecutionChange(() => concurrent.push(engine.list({ flowId: 'nightly' }).filter((e) => !['SUCCESS', 'FAILED'].includes(e.state.current)).length));
      const started = await api.backfillTrigger(NS, 'nightly', 'at-two', { start: '2026-01-01', end: '2026-01-03T03:00:00Z', inputs: { who: 'backfill {{ trigger.date }}' }, labels: [{ key: 'origin', value: 'backfill' }] });
      expect(started.backfill).toMatchObject({ start: '2026-01-01T00:00:00Z', end: '2026-01-03T03:00:00Z', paused: false, inputs: { who: 'backfill {{ trigger.date }}' }, labels: [{ key: 'origin', value: 'backfill' }], previousNextExecutionDate: '2026-01-10T02:00:00Z' });
      expect(await settle(engine, 'nightly')).toEqual([
        '2026-01-01T02:00:00Z|backfill 2026-01-01T02:00:00Z',
        '2026-01-02T02:00:00Z|backfill 2026-01-02T02:00:00Z',
        '2026-01-03T02:00:00Z|backfill 2026-01-03T02:00:00Z',
      ]);
      for (const e of engine.list({ flowId: 'nightly' })) expect(e.labels).toContainEqual({ key: 'origin', value: 'backfill' });
      expect(Math.max(0, ...concurrent)).toBe(1);
      const after = await api.getTrigger(NS, 'nightly', 'at-two');
      expect(after).not.toHaveProperty('backfill');
      expect(after!.nextExecutionDate).toBe('2026-01-10T02:00:00Z');
    });

    it('backfill paused, unpaused, deleted; bad dates and missing backfills are refused with their TROUPE_* code', async () => {
      const clock = new TestClock(Date.parse('2026-01-10T00:00:30Z'));
      const { engine, api } = await open(clock);
      await engine.deploy(nightly);
      expect(await rejection(api.pauseBackfill(NS, 'nightly', 'at-two'))).toMatchObject({ code: 'TROUPE_ILLEGAL_STATE', message: 'No backfill found' });
      expect(await rejection(api.deleteBackfill(NS, 'nightly', 'at-two'))).toMatchObject({ code: 'TROUPE_ILLEGAL_STATE', message: 'No backfill found' });
      expect((await rejection(api.backfillTrigger(NS, 'nightly', 'at-two', { start: 'yesterday' }))).code).toBe('TROUPE_ILLEGAL_ARGUMENT');
      expect((await rejection(api.backfillTrigger(NS, 'nightly', 'at-two', { start: '2026-01-05', end: '2026-01-01' }))).message).toMatch(/is before backfill.start/);

      const paused = await api.backfillTrigger(NS, 'nightly', 'at-two', { start: '2026-01-01T00:00:00Z', end: '2026-01-02T03:00:00Z', paused: true });
      expect(paused.backfill!.paused).toBe(true);
      await engine.triggers.idle();
      expect(engine.list({ flowId: 'nightly' })).toHaveLength(0);
      expect((await api.unpauseBackfill(NS, 'nightly', 'at-two')).backfill!.paused).toBe(false);
      expect(await settle(engine, 'nightly')).toEqual(['2026-01-01T02:00:00Z|schedule', '2026-01-02T02:00:00Z|schedule']);

      await api.backfillTrigger(NS, 'nightly', 'at-two', { start: '2026-01-05T00:00:00Z', end: '2026-01-08T00:00:00Z', paused: true });
      expect((await api.pauseBackfill(NS, 'nightly', 'at-two')).backfill!.paused).toBe(true);
      const deleted = await api.deleteBackfill(NS, 'nightly', 'at-two');
      expect(deleted).not.toHaveProperty('backfill');
      expect(deleted.nextExecutionDate).toBe('2026-01-10T02:00:00Z');
      await engine.triggers.idle();
      expect(engine.list({ flowId: 'nightly' })).toHaveLength(2);
    });

    it("reads a backfill's local dates in the trigger's zone", async () => {
      const { engine, api } = await open(new TestClock(Date.parse('2026-07-10T00:00:30Z')));
      await engine.deploy(paris);
      const row = await api.backfillTrigger(`${NS}.sub`, 'paris', 'hourly', { start: '2026-07-01', end: '2026-07-01T06:30', paused: true });
      expect(row.backfill).toMatchObject({ start: '2026-07-01T00:00:00+02:00', end: '2026-07-01T06:30:00+02:00' });
      await api.deleteBackfill(`${NS}.sub`, 'paris', 'hourly');
    });
  });
}

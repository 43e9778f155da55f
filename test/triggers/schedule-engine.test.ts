import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/runtime/clock.js';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine } from '../helpers/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

async function open(clock: TestClock, dataDir?: string): Promise<{ engine: Engine; dataDir: string }> {
  const t = await openTestEngine({ clock, ...(dataDir ? { dataDir } : {}) });
  disposers.push(t.dispose);
  return t;
}

const daily = (extra = ''): string => `
id: nightly
namespace: troupe.triggers
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}|{{ trigger.next ?? '-' }}|{{ trigger.previous ?? '-' }}|{{ schedule.date }}"
triggers:
  - id: every-night
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: Europe/Paris
${extra}`;

/** Advances the clock timer by timer until `until`, waiting for each execution a trigger starts; returns them in order. */
async function runSchedule(engine: Engine, clock: TestClock, until: number): Promise<string[]> {
  const dates: string[] = [];
  for (;;) {
    const at = await clock.nextTimer();
    if (at >= until) return dates;
    clock.set(at);
    await engine.triggers.idle();
    const row = engine.triggers.list()[0]!.row;
    if (!row.executionId) continue;
    const execution = await engine.waitFor(row.executionId);
    expect(execution.state.current).toBe('SUCCESS');
    dates.push(String(execution.taskRunList![0]!.outputs!['value']));
    await engine.triggers.idle();
  }
}

describe('Schedule trigger in the engine (simulated clock)', () => {
  it('a year of 0 2 * * * in Europe/Paris: one execution a night, none on 2026-03-29 (02:00 does not exist), one on 2026-10-25', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T00:00:00Z'));
    const { engine } = await open(clock);
    await engine.deploy(daily());
    const values = await runSchedule(engine, clock, Date.parse('2027-01-01T00:00:00Z'));
    const dates = values.map((v) => v.split('|')[0]);
    const expected: string[] = [];
    for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2027, 0, 1); d += 86_400_000) {
      const day = new Date(d).toISOString().slice(0, 10);
      if (day === '2026-03-29') continue;
      const summer = day > '2026-03-29' && day <= '2026-10-25';
      expected.push(`${day}T02:00:00${summer ? '+02:00' : '+01:00'}`);
    }
    expect(dates).toEqual(expected);
    expect(dates).toHaveLength(364);
    // next / previous / schedule.* around the gap
    const before = values.find((v) => v.startsWith('2026-03-28'))!;
    expect(before).toBe('2026-03-28T02:00:00+01:00|2026-03-30T02:00:00+02:00|2026-03-27T02:00:00+01:00|2026-03-28T02:00:00+01:00');
    expect(engine.list({ flowId: 'nightly' })).toHaveLength(364);
  });
});

const minutely = (recover: string, extra = ''): string => `
id: minutely
namespace: troupe.triggers
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: every-minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "* * * * *"
    timezone: UTC
    recoverMissedSchedules: ${recover}
${extra}`;

/** Waits until the trigger service has nothing queued and every execution of the flow has ended. */
async function settle(engine: Engine, flowId: string): Promise<string[]> {
  for (let i = 0; i < 1000; i++) {
    await engine.triggers.idle();
    const running = engine.list({ flowId }).filter((e) => !['SUCCESS', 'FAILED', 'WARNING', 'KILLED'].includes(e.state.current));
    const locked = engine.triggers.list().some((v) => v.row.flowId === flowId && v.row.executionId);
    if (!running.length && !locked) break;
    for (const e of running) await engine.waitFor(e.id);
    // A lock whose execution has ended is released when the end reaches the service (a message
    // from the shard): give the event loop a turn, or this loop spins on microtasks alone.
    if (!running.length) await new Promise((r) => setTimeout(r, 10));
  }
  const all = engine.list({ flowId });
  const values = await Promise.all(all.map(async (e) => String((await engine.waitFor(e.id)).taskRunList?.[0]?.outputs?.['value'] ?? e.state.current)));
  return values.sort();
}

describe('missed schedules after the engine was down (close, advance the clock, reopen)', () => {
  for (const [recover, expected] of [
    ['ALL', ['2026-01-01T00:02:00Z', '2026-01-01T00:03:00Z', '2026-01-01T00:04:00Z', '2026-01-01T00:05:00Z', '2026-01-01T00:06:00Z']],
    ['LAST', ['2026-01-01T00:06:00Z']],
    ['NONE', []],
  ] as const) {
    it(`recoverMissedSchedules ${recover}`, async () => {
      const start = Date.parse('2026-01-01T00:00:30Z');
      const clock = new TestClock(start);
      const first = await open(clock);
      await first.engine.deploy(minutely(recover));
      expect(await clock.nextTimer()).toBe(Date.parse('2026-01-01T00:01:00Z'));
      clock.set(Date.parse('2026-01-01T00:01:00Z'));
      expect(await settle(first.engine, 'minutely')).toEqual(['2026-01-01T00:01:00Z']);
      await first.engine.close();

      // Down for five and a half minutes: 00:02 … 00:06 were missed.
      const later = new TestClock(Date.parse('2026-01-01T00:06:30Z'));
      const concurrent: number[] = [];
      const second = await open(later, first.dataDir);
      second.engine.onExecutionChange(() => {
        concurrent.push(second.engine.list({ flowId: 'minutely' }).filter((e) => !['SUCCESS', 'FAILED'].includes(e.state.current)).length);
      });
      const values = await settle(second.engine, 'minutely');
      // The clock stood still: creation dates tie, so the list order is not the firing order.
      expect(values.slice(1).sort()).toEqual(expected);
      // One at a time: never two executions of the schedule unfinished at once.
      expect(Math.max(0, ...concurrent)).toBeLessThanOrEqual(1);
      expect(second.engine.triggers.list()[0]!.row.nextExecutionDate).toBe(Date.parse('2026-01-01T00:07:00Z'));
    });
  }
});

describe('Schedule behaviours', () => {
  it('a condition that throws creates a FAILED execution; stopAfter FAILED then disables the trigger', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T00:00:30Z'));
    const { engine } = await open(clock);
    await engine.deploy(minutely('ALL', `    stopAfter: [FAILED]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionStatus
        in: [SUCCESS]`));
    clock.set(await clock.nextTimer());
    await engine.triggers.idle();
    const [failed] = engine.list({ flowId: 'minutely' });
    expect(failed!.state.current).toBe('FAILED');
    expect(engine.logs(failed!.id)[0]!.message).toContain('Invalid condition with null execution');
    expect(engine.triggers.list()[0]!.row.disabled).toBe(true);
  });

  it('stopAfter SUCCESS disables the trigger after its first success', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T00:00:30Z'));
    const { engine } = await open(clock);
    await engine.deploy(minutely('ALL', '    stopAfter: [SUCCESS]'));
    clock.set(await clock.nextTimer());
    expect(await settle(engine, 'minutely')).toEqual(['2026-01-01T00:01:00Z']);
    expect(engine.triggers.list()[0]!.row.disabled).toBe(true);
    clock.set(Date.parse('2026-01-01T00:10:00Z'));
    await engine.triggers.idle();
    expect(engine.list({ flowId: 'minutely' })).toHaveLength(1);
  });

  it('schedule conditions: DayWeekInMonth picks the first Monday of each month (SchedulerConditionTest)', async () => {
    const clock = new TestClock(Date.parse('2021-09-06T12:00:00Z'));
    const { engine } = await open(clock);
    await engine.deploy(`
id: first-monday
namespace: troupe.triggers
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: monthly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 0 * * *"
    timezone: UTC
    scheduleConditions:
      - type: io.kestra.plugin.core.condition.DayWeekInMonth
        dayOfWeek: MONDAY
        dayInMonth: FIRST
`);
    const dates: string[] = [];
    while (dates.length < 4) {
      clock.set(await clock.nextTimer());
      dates.push(...(await settle(engine, 'first-monday')).slice(dates.length));
    }
    expect(dates).toEqual(['2021-10-04T00:00:00Z', '2021-11-01T00:00:00Z', '2021-12-06T00:00:00Z', '2022-01-03T00:00:00Z']);
  });

  it('an edited trigger resets its row (next from now); an unchanged redeploy keeps it; a removed trigger loses it', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T00:00:30Z'));
    const { engine } = await open(clock);
    await engine.deploy(minutely('ALL'));
    clock.set(Date.parse('2026-01-01T00:05:30Z')); // the engine was busy: 00:01 … 00:05 due
    await engine.triggers.idle();
    await engine.deploy(minutely('ALL', '    labels:\n      edited: "yes"'));
    await settle(engine, 'minutely');
    // The edit reset the row: at most the one execution already started, then next from now.
    expect(engine.list({ flowId: 'minutely' }).length).toBeLessThanOrEqual(1);
    expect(engine.triggers.list()[0]!.row.nextExecutionDate).toBe(Date.parse('2026-01-01T00:06:00Z'));
    clock.set(Date.parse('2026-01-01T00:06:00Z'));
    await settle(engine, 'minutely');
    const last = engine.list({ flowId: 'minutely' }).at(-1)!;
    expect(last.labels).toContainEqual({ key: 'edited', value: 'yes' });
    await engine.deploy('id: minutely\nnamespace: troupe.triggers\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n');
    expect(engine.triggers.list()).toHaveLength(0);
  });
});

describe('io.kestra.plugin.core.trigger.Toggle', () => {
  it('disables and enables a Schedule of its own flow by default, of another flow when named; fails for a missing trigger', async () => {
    const clock = new TestClock(Date.parse('2026-01-01T00:00:30Z'));
    const { engine } = await open(clock);
    await engine.deploy(minutely('ALL'));
    await engine.deploy(`id: toggler
namespace: troupe.triggers
tasks:
  - id: toggle
    type: io.kestra.plugin.core.trigger.Toggle
    flowId: minutely
    trigger: every-minute
    enabled: false
`);
    const off = await engine.waitFor(await engine.execute('troupe.triggers', 'toggler'));
    expect(engine.logs(off.id).map((l) => l.message)).toEqual(['Trigger every-minute of troupe.triggers.minutely disabled']);
    expect(off.state.current).toBe('SUCCESS');
    expect(engine.triggers.list()[0]!.row.disabled).toBe(true);
    await engine.deploy(`id: self-toggle
namespace: troupe.triggers
tasks:
  - id: toggle
    type: io.kestra.plugin.core.trigger.Toggle
    trigger: nope
`);
    const missing = await engine.waitFor(await engine.execute('troupe.triggers', 'self-toggle'));
    expect(missing.state.current).toBe('FAILED');
    expect(engine.logs(missing.id).map((l) => l.message)).toContain('Unable to find trigger nope for the flow troupe.triggers.self-toggle');
  });
});

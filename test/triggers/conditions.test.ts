/**
 * The date conditions of Kestra (DayWeek, DayWeekInMonth, Weekend, TimeBetween, DateTimeBetween,
 * PublicHoliday) with the cases of Kestra's own tests (core/src/test/…/condition/*Test.java, fixed
 * dates instead of `now()`), then PublicHoliday in a Schedule run by the engine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { renderString } from '../../src/expr/index.js';
import { parseFlow } from '../../src/flow/index.js';
import { TestClock } from '../../src/runtime/clock.js';
import { resolveTaskType } from '../../src/tasks/registry.js';
import { ConditionError, testCondition, type ConditionContext } from '../../src/triggers/conditions.js';
import { isPublicHoliday, systemCountry } from '../../src/triggers/holidays.js';
import { openTestEngine } from '../helpers/engine.js';

const C = 'io.kestra.plugin.core.condition.';

function ctx(vars: Record<string, unknown> = {}): ConditionContext {
  return { vars, render: (t, v) => renderString(t, v), canonical: (t) => resolveTaskType(t)?.name ?? t, publicHoliday: isPublicHoliday };
}

const holds = (condition: Record<string, unknown>, vars?: Record<string, unknown>): boolean => testCondition(condition, ctx(vars));

describe('date conditions (Kestra test cases)', () => {
  it('DayWeek', () => {
    expect(holds({ type: `${C}DayWeek`, date: '2013-09-08', dayOfWeek: 'SUNDAY' })).toBe(true);
    expect(holds({ type: `${C}DayWeek`, date: '2013-09-08', dayOfWeek: 'MONDAY' })).toBe(false);
    // The legacy name, and the default date {{ trigger.date }} (its local fields, whatever the offset).
    expect(holds({ type: 'io.kestra.core.models.conditions.types.DayWeekCondition', dayOfWeek: 'SUNDAY' }, { trigger: { date: '2013-09-08T23:30:00-05:00' } })).toBe(true);
  });

  it('DayWeekInMonth', () => {
    const cases: Array<[string, string, string, boolean]> = [
      ['2021-04-01', 'MONDAY', 'FIRST', false],
      ['2021-04-05', 'MONDAY', 'FIRST', true],
      ['2021-04-01', 'THURSDAY', 'FIRST', true],
      ['2021-04-01', 'MONDAY', 'LAST', false],
      ['2021-04-26', 'MONDAY', 'LAST', true],
      ['2021-04-12', 'MONDAY', 'SECOND', true],
      ['2021-04-19', 'MONDAY', 'THIRD', true],
      ['2021-04-26', 'MONDAY', 'FOURTH', true],
    ];
    for (const [date, dayOfWeek, dayInMonth, result] of cases) expect(holds({ type: `${C}DayWeekInMonth`, date, dayOfWeek, dayInMonth }), `${date} ${dayOfWeek} ${dayInMonth}`).toBe(result);
  });

  it('Weekend', () => {
    expect(holds({ type: `${C}Weekend`, date: '2013-09-08' })).toBe(true);
    expect(holds({ type: `${C}Weekend`, date: '2013-09-07' })).toBe(true);
    expect(holds({ type: `${C}Weekend`, date: '2013-09-09' })).toBe(false);
    expect(holds({ type: `${C}Weekend`, date: '{{ "2013-09-08T15:19:12.000000+02:00" | date("iso_local_date") }}' })).toBe(true);
  });

  it('TimeBetween (times compared with their offsets)', () => {
    const date = '2024-02-21T16:19:12+02:00';
    expect(holds({ type: `${C}TimeBetween`, date, after: '16:19:11+02:00' })).toBe(true);
    expect(holds({ type: `${C}TimeBetween`, date, after: '17:19:12+02:00' })).toBe(false);
    expect(holds({ type: `${C}TimeBetween`, date, before: '16:20:12+02:00', after: '16:18:12+02:00' })).toBe(true);
    expect(holds({ type: `${C}TimeBetween`, date, before: '16:20:12+02:00' })).toBe(true);
    expect(holds({ type: `${C}TimeBetween`, date, before: '16:18:12+02:00' })).toBe(false);
    expect(holds({ type: `${C}TimeBetween`, date, before: '14:20:00Z' })).toBe(true);
    expect(() => holds({ type: `${C}TimeBetween`, date })).toThrow(ConditionError);
  });

  it('DateTimeBetween', () => {
    const date = '2013-09-08T16:19:12.000000+02:00';
    expect(holds({ type: `${C}DateTimeBetween`, date: '2026-01-01T00:00:00Z', after: date })).toBe(true);
    expect(holds({ type: `${C}DateTimeBetween`, date, after: '2026-01-01T00:00:00Z' })).toBe(false);
    expect(holds({ type: `${C}DateTimeBetween`, date, before: '2013-09-08T16:20:12.000000+02:00', after: '2013-09-08T16:18:12.000000+02:00' })).toBe(true);
    expect(holds({ type: `${C}DateTimeBetween`, date, before: '2013-09-08T16:20:12.000000+02:00' })).toBe(true);
    expect(holds({ type: `${C}DateTimeBetween`, date, before: '2013-09-08T14:19:11Z' })).toBe(false);
  });
});

describe('PublicHoliday', () => {
  const holiday = (props: Record<string, unknown>, vars?: Record<string, unknown>): boolean => holds({ type: `${C}PublicHoliday`, ...props }, vars);

  it("Kestra's cases: FR national day, DE-BE women's day (a holiday of Berlin, not of Germany)", () => {
    expect(holiday({ date: '2023-07-14', country: 'FR' })).toBe(true);
    expect(holiday({ date: '2023-01-02', country: 'FR' })).toBe(false);
    expect(holiday({ date: '2023-03-08', country: 'DE', subDivision: 'BE' })).toBe(true);
    expect(holiday({ date: '2023-03-08', country: 'DE' })).toBe(false);
    expect(holiday({ date: '2023-03-08', country: 'DE', subDivision: 'BY' })).toBe(false);
    // A subdivision has its country's holidays too; ISO 3166-2 codes and any case are accepted.
    expect(holiday({ date: '2023-10-03', country: 'de', subDivision: 'DE-BE' })).toBe(true);
  });

  it('2026: FR 14 July is a holiday and 15 July is not; Easter Monday moves with Easter; observances and weekends are not holidays', () => {
    expect(holiday({ date: '2026-07-14', country: 'FR' })).toBe(true);
    expect(holiday({ date: '2026-07-15', country: 'FR' })).toBe(false);
    expect(holiday({ date: '2026-04-06', country: 'FR' })).toBe(true);
    expect(holiday({ date: '2025-04-21', country: 'FR' })).toBe(true);
    expect(holiday({ date: '2026-04-13', country: 'FR' })).toBe(false);
    expect(holiday({ date: '2026-05-31', country: 'FR' })).toBe(false); // Mother's Day: an observance
    expect(holiday({ date: '2026-07-18', country: 'FR' })).toBe(false); // a Saturday
    // A substitute day is a holiday (Christmas 2022 was a Sunday).
    expect(holiday({ date: '2022-12-26', country: 'US' })).toBe(true);
  });

  it('the date defaults to {{ trigger.date }}, its local fields whatever the offset; country and subDivision are rendered', () => {
    expect(holiday({ country: 'FR' }, { trigger: { date: '2026-07-14T23:30:00-05:00' } })).toBe(true);
    expect(holiday({ country: 'FR' }, { trigger: { date: '2026-07-15T00:30:00+02:00' } })).toBe(false);
    expect(holiday({ date: '{{ inputs.day }}', country: '{{ inputs.country }}', subDivision: '{{ inputs.state }}' }, { inputs: { day: '2023-03-08', country: 'DE', state: 'BE' } })).toBe(true);
    // Rendered empty: no subdivision.
    expect(holiday({ date: '2023-03-08', country: 'DE', subDivision: '{{ "" }}' })).toBe(false);
  });

  it('without a country, the system locale\'s country (as Kestra takes the JVM default locale)', () => {
    const country = systemCountry();
    expect(country).toMatch(/^[A-Z]{2}$|^\d{3}$/);
    for (const date of ['2023-01-01', '2026-07-14', '2026-12-25', '2026-03-03']) {
      expect(holiday({ date }), date).toBe(holiday({ date, country }));
    }
  });

  it('an unknown country or subdivision, or a date that does not parse, cannot be evaluated (ConditionError)', () => {
    expect(() => holiday({ date: '2026-07-14', country: 'XX' })).toThrow(/'XX' is not a country code/);
    expect(() => holiday({ date: '2026-07-14', country: 'DE', subDivision: 'ZZ' })).toThrow(/'ZZ' is not a subdivision of DE \(one of .*BE.*\)/);
    expect(() => holiday({ date: 'someday', country: 'FR' })).toThrow(ConditionError);
  });

  it('is accepted at validate and deploy now that it runs', () => {
    const flow = parseFlow(`id: holidays
namespace: troupe.conditions
tasks:
  - id: t
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  - id: s
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    conditions:
      - type: io.kestra.core.models.conditions.types.PublicHolidayCondition
        country: FR
`);
    expect(flow.triggers).toHaveLength(1);
  });
});

describe('PublicHoliday in a Schedule (engine, simulated clock)', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const d of disposers.splice(0)) await d();
  });

  it('fires on French public holidays only: 14 July then 15 August; a Not of it fires on the other days', async () => {
    const clock = new TestClock(Date.parse('2026-07-10T12:00:00Z'));
    const t = await openTestEngine({ clock });
    disposers.push(t.dispose);
    const { engine } = t;
    const flow = (id: string, condition: string): string => `id: ${id}
namespace: troupe.conditions
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }}"
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: Europe/Paris
    conditions:
${condition}
`;
    await engine.deploy(flow('holidays', '      - type: io.kestra.plugin.core.condition.PublicHoliday\n        country: FR'));
    await engine.deploy(flow('workdays', '      - type: io.kestra.plugin.core.condition.Not\n        conditions:\n          - type: io.kestra.plugin.core.condition.PublicHoliday\n            country: FR\n          - type: io.kestra.plugin.core.condition.Weekend'));
    const next = (flowId: string): number | undefined => engine.triggers.list().find((v) => v.row.flowId === flowId)?.row.nextExecutionDate;

    const fired: Record<string, string[]> = { holidays: [], workdays: [] };
    // Night by night (02:00 in Paris is 00:00 UTC in summer), each night's executions ended before the next.
    for (let day = Date.parse('2026-07-11T00:00:00Z'); day <= Date.parse('2026-08-19T00:00:00Z'); day += 86_400_000) {
      clock.set(day);
      await engine.triggers.idle();
      for (const v of engine.triggers.list()) {
        if (!v.row.executionId) continue;
        const e = await engine.waitFor(v.row.executionId);
        fired[v.row.flowId]!.push(String(e.taskRunList![0]!.outputs!['value']));
      }
      for (let i = 0; i < 500 && engine.triggers.list().some((v) => v.row.executionId); i++) await new Promise((r) => setTimeout(r, 10));
      await engine.triggers.idle();
    }
    expect(fired['holidays']).toEqual(['2026-07-14T02:00:00+02:00', '2026-08-15T02:00:00+02:00']);
    // After a date that held, the next date is the next one where the conditions hold (Kestra's truePreviousNextDateWithCondition).
    expect(next('holidays')).toBe(Date.parse('2026-11-01T01:00:00Z'));
    expect(fired['workdays'], JSON.stringify(fired)).toHaveLength(27);
    expect(fired['workdays']).not.toContain('2026-07-14T02:00:00+02:00');
    expect(fired['workdays']!.some((d) => d.startsWith('2026-07-18') || d.startsWith('2026-07-19'))).toBe(false);
  });
});

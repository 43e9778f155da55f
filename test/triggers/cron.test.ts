import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronError, CronSchedule } from '../../src/triggers/cron.js';
import { formatZoned, instantsOf, offsetAt } from '../../src/triggers/zone.js';

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next `n` firing instants after `fromIso`, each computed from the previous one (as the scheduler does). */
function runs(cron: string, zone: string, fromIso: string, n: number, withSeconds = false): string[] {
  const s = CronSchedule.parse(cron, { zone, withSeconds });
  const out: string[] = [];
  let t = Date.parse(fromIso);
  for (let i = 0; i < n; i++) {
    const next = s.next(t);
    if (next === undefined) break;
    out.push(formatZoned(next, zone));
    t = next;
  }
  return out;
}

describe('CronSchedule (cron-utils semantics)', () => {
  it('daily at 02:00 in Paris: skipped on the spring-forward day (02:00 does not exist), once on the autumn day', () => {
    expect(runs('0 2 * * *', 'Europe/Paris', '2026-03-27T12:00:00Z', 4)).toEqual([
      '2026-03-28T02:00:00+01:00',
      '2026-03-30T02:00:00+02:00',
      '2026-03-31T02:00:00+02:00',
      '2026-04-01T02:00:00+02:00',
    ]);
    expect(runs('0 2 * * *', 'Europe/Paris', '2026-10-23T12:00:00Z', 4)).toEqual([
      '2026-10-24T02:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-26T02:00:00+01:00',
      '2026-10-27T02:00:00+01:00',
    ]);
  });

  it('New York: 02:15 skipped on the DST start day (cron-utils testDSTGap), 01:30 once in November (testDSTOverlap)', () => {
    expect(runs('15 2 7-14 3 *', 'America/New_York', '2026-03-07T00:00:00-05:00', 3)).toEqual([
      '2026-03-07T02:15:00-05:00',
      '2026-03-09T02:15:00-04:00',
      '2026-03-10T02:15:00-04:00',
    ]);
    expect(runs('30 1 1-7 11 *', 'America/New_York', '2026-10-31T00:00:00-04:00', 3)).toEqual([
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
      '2026-11-03T01:30:00-05:00',
    ]);
  });

  it('hourly crons fire at both instants of the autumn overlap and skip the missing hour in spring', () => {
    expect(runs('0 * * * *', 'Europe/Paris', '2026-10-25T00:30:00+02:00', 4)).toEqual([
      '2026-10-25T01:00:00+02:00',
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T03:00:00+01:00',
    ]);
    expect(runs('0 * * * *', 'America/New_York', '2026-03-08T00:30:00-05:00', 3)).toEqual([
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T04:00:00-04:00',
    ]);
    expect(runs('*/30 * * * *', 'America/New_York', '2026-11-01T00:45:00-04:00', 5)).toEqual([
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T02:00:00-05:00',
    ]);
  });

  it('last(): the match before a date, strictly', () => {
    const s = CronSchedule.parse('0 2 * * *', { zone: 'UTC' });
    expect(iso(s.last(Date.parse('2026-01-02T02:00:00Z')))).toBe('2026-01-01T02:00:00.000Z');
    expect(iso(s.last(Date.parse('2026-01-02T02:00:01Z')))).toBe('2026-01-02T02:00:00.000Z');
    const paris = CronSchedule.parse('0 2 * * *', { zone: 'Europe/Paris' });
    expect(formatZoned(paris.last(Date.parse('2026-03-30T00:00:00Z'))!, 'Europe/Paris')).toBe('2026-03-28T02:00:00+01:00');
  });

  it('seconds, nicknames, day of week 7, names', () => {
    expect(runs('*/20 * * * * *', 'UTC', '2026-01-01T00:00:00Z', 3, true)).toEqual(['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01:00Z']);
    expect(runs('@daily', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-02T00:00:00Z']);
    expect(runs('@hourly', 'UTC', '2026-01-01T00:00:00Z', 1, true)).toEqual(['2026-01-01T01:00:00Z']);
    expect(runs('0 0 * * 7', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-04T00:00:00Z']);
    expect(runs('0 0 * * MON', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-05T00:00:00Z']);
    // Day of month and day of week both restricted: either matches.
    expect(runs('0 0 10 * 1', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-05T00:00:00Z', '2026-01-10T00:00:00Z']);
  });

  it('refuses what Kestra refuses', () => {
    expect(() => CronSchedule.parse('0 0 * *', { zone: 'UTC' })).toThrow(CronError);
    expect(() => CronSchedule.parse('0 0 * * * *', { zone: 'UTC' })).toThrow(/contains 6 parts but we expect one of \[5\]/);
    expect(() => CronSchedule.parse('0 0 * * *', { zone: 'UTC', withSeconds: true })).toThrow(/expect one of \[6\]/);
    expect(() => CronSchedule.parse('61 0 * * *', { zone: 'UTC' })).toThrow(/minute/);
    expect(() => CronSchedule.parse('0 0 L * *', { zone: 'UTC' })).toThrow(/Invalid chars/);
    expect(() => CronSchedule.parse('0 0 ? * *', { zone: 'UTC' })).toThrow(/Invalid chars/);
    expect(() => CronSchedule.parse('0 0 * * 1#2', { zone: 'UTC' })).toThrow(/Invalid chars/);
  });

  it('instantsOf: none in a gap, two in an overlap', () => {
    expect(instantsOf(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Paris')).toEqual([]);
    expect(instantsOf(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Paris').map(iso)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']);
  });

  it('a schedule answers from its window of known matches exactly what a fresh one computes', () => {
    const crons: Array<[string, boolean]> = [['*/20 * * * * *', true], ['0 2 * * *', false], ['0 * * * *', false], ['*/30 * * * *', false], ['15 2 7-14 3 *', false], ['30 1 1-7 11 *', false], ['0 0 10 * 1', false], ['7 3-5 * * * *', true]];
    const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Etc/GMT+5'];
    // Around both 2026 transitions of Paris and New York, and anywhere in the year.
    const starts = [Date.parse('2026-03-08T06:00:00Z'), Date.parse('2026-03-29T00:30:00Z'), Date.parse('2026-10-25T00:30:00Z'), Date.parse('2026-11-01T05:00:00Z'), Date.parse('2026-01-01T00:00:00Z')];
    let texts = 0;
    const query = fc.record({ op: fc.constantFrom('next', 'last', 'closest', 'closestBefore'), delta: fc.integer({ min: -7_200_000, max: 7_200_000 }) });
    fc.assert(
      fc.property(fc.constantFrom(...crons), fc.constantFrom(...zones), fc.constantFrom(...starts), fc.array(query, { minLength: 1, maxLength: 40 }), ([cron, withSeconds], zone, start, queries) => {
        const cached = CronSchedule.parse(cron, { zone, withSeconds });
        let at = start;
        for (const q of queries) {
          at += q.delta;
          // Trailing blanks make another text of the same cron: a new instance, nothing known yet.
          const fresh = CronSchedule.parse(`${cron}${' '.repeat(++texts)}`, { zone, withSeconds });
          expect(fresh).not.toBe(cached);
          const got = cached[q.op](at);
          expect(got).toBe(fresh[q.op](at));
          // Walk on from what was found, as the scheduler does.
          if (got !== undefined && q.delta % 2 === 0) at = got;
        }
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('offsetAt: the zone offset Intl gives, every second around a transition and every minute of the hours around it', () => {
    const formats = new Map<string, Intl.DateTimeFormat>();
    const intlOffset = (ms: number, zone: string): number => {
      const f = formats.get(zone) ?? new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      formats.set(zone, f);
      const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      return Date.UTC(Number(p['year']), Number(p['month']) - 1, Number(p['day']), Number(p['hour']), Number(p['minute']), Number(p['second'])) - ms;
    };
    for (const [zone, transition] of [
      ['Europe/Paris', '2026-03-29T01:00:00Z'],
      ['Europe/Paris', '2026-10-25T01:00:00Z'],
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Etc/GMT+5', '2026-01-01T00:00:00Z'],
      ['UTC', '2026-01-01T00:00:00Z'],
    ] as const) {
      const at = Date.parse(transition);
      const instants: number[] = [];
      for (let ms = at - 7_200_000; ms <= at + 7_200_000; ms += 60_700) instants.push(ms);
      for (let ms = at - 90_000; ms <= at + 90_000; ms += 1000) instants.push(ms);
      for (const ms of instants) expect(offsetAt(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toBe(intlOffset(Math.floor(ms / 1000) * 1000, zone));
    }
  });
});

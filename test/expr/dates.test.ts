import { describe, it, expect } from 'vitest';
import { renderString } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const ctx = {
  iso: '2013-09-08T16:19:12.123456789+02:00',
  utc: '2024-01-31T23:30:00Z',
  local: '2024-03-10T12:00:00',
  day: '2024-02-29',
  epoch: 1378649952,
};

describe('date filters', () => {
  it.each([
    ['{{ iso | date }}', '2013-09-08T14:19:12.123456Z'],
    ["{{ iso | date('iso_sec') }}", '2013-09-08T14:19:12Z'],
    ["{{ iso | date('sql') }}", '2013-09-08 14:19:12.123456'],
    ["{{ iso | date('sql_seq') }}", '2013-09-08 14:19:12'],
    ["{{ iso | date('yyyy-MM-dd') }}", '2013-09-08'],
    ["{{ iso | date(\"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\", timeZone='Europe/Paris') }}", '2013-09-08T16:19:12.123+02:00'],
    ["{{ iso | date('HH:mm xxx', timeZone='America/New_York') }}", '10:19 -04:00'],
    ["{{ iso | date('EEEE d MMMM yyyy, h:mm a') }}", 'Sunday 8 September 2013, 2:19 PM'],
    ["{{ iso | date('EEE MMM dd yy') }}", 'Sun Sep 08 13'],
    ["{{ iso | date('D') }}", '251'],
    ["{{ iso | date('iso_instant') }}", '2013-09-08T14:19:12.123456789Z'],
    ["{{ iso | date('iso_local_date') }}", '2013-09-08'],
    ["{{ iso | date('iso_offset_date_time', timeZone='Europe/Paris') }}", '2013-09-08T16:19:12.123456789+02:00'],
    ["{{ iso | date('iso_date_time', timeZone='Europe/Paris') }}", '2013-09-08T16:19:12.123456789+02:00[Europe/Paris]'],
    ["{{ iso | date('iso_week_date') }}", '2013-W36-7Z'],
    ["{{ utc | date('rfc_1123_date_time') }}", 'Wed, 31 Jan 2024 23:30:00 GMT'],
    ["{{ epoch | date('iso_sec') }}", '2013-09-08T14:19:12Z'],
    ["{{ local | date('iso_sec') }}", '2024-03-10T12:00:00Z'],
    ["{{ local | date('iso_sec', timeZone='Europe/Paris') }}", '2024-03-10T12:00:00+01:00'],
    ["{{ day | date('yyyy-MM-dd HH:mm') }}", '2024-02-29 12:00'],
    ["{{ '08/09/2013 16:19' | date('iso_sec', existingFormat='dd/MM/yyyy HH:mm') }}", '2013-09-08T16:19:00Z'],
    ["{{ \"quote''s\" | length }}", '8'],
    ["{{ iso | date(\"'at' HH 'o''clock'\") }}", "at 14 o'clock"],
    ['{{ iso | timestamp }}', '1378649952'],
    ['{{ iso | timestampMilli }}', '1378649952123'],
    ['{{ iso | timestampMicro }}', '1378649952123456'],
    ['{{ iso | timestampNano }}', '1378649952123456789'],
    ["{{ utc | dateAdd(1, 'DAYS', 'yyyy-MM-dd') }}", '2024-02-01'],
    ["{{ utc | dateAdd(1, 'MONTHS', 'yyyy-MM-dd') }}", '2024-02-29'],
    ["{{ utc | dateAdd(-2, 'HOURS', 'iso_sec') }}", '2024-01-31T21:30:00Z'],
    ["{{ utc | dateAdd(90, 'MINUTES', 'HH:mm') }}", '01:00'],
    ["{{ '2024-03-30T12:00:00+01:00' | dateAdd(1, 'DAYS', 'iso_sec', timeZone='Europe/Paris') }}", '2024-03-31T12:00:00+02:00'],
    ["{{ '2024-03-30T12:00:00+01:00' | dateAdd(24, 'HOURS', 'iso_sec', timeZone='Europe/Paris') }}", '2024-03-31T13:00:00+02:00'],
    ['{{ null | date }}', ''],
  ])('%s → %s', (template, expected) => {
    expect(renderString(template, ctx)).toBe(expected);
  });

  it.each([
    ["{{ 'yesterday' | date }}", 'TROUPE_EXPR_EVALUATION'],
    ["{{ iso | date('yyyy', timeZone='Mars/Olympus') }}", 'TROUPE_EXPR_EVALUATION'],
    ["{{ iso | dateAdd(1, 'FORTNIGHTS') }}", 'TROUPE_EXPR_EVALUATION'],
    ["{{ iso | date('yyyy-qq-bb') }}", 'TROUPE_EXPR_EVALUATION'],
  ])('%s fails with %s', (template, code) => {
    expect(captureError(() => renderString(template, ctx))).toMatchObject({ code });
  });
});

describe('now()', () => {
  const now = (): number => Date.UTC(2024, 0, 2, 3, 4, 5, 678);

  it.each([
    ['{{ now() }}', '2024-01-02T03:04:05.678000Z'],
    ["{{ now('yyyy-MM-dd') }}", '2024-01-02'],
    ["{{ now(format='HH:mm', timeZone='Asia/Tokyo') }}", '12:04'],
    ["{{ now() | date('iso_sec') }}", '2024-01-02T03:04:05Z'],
    ["{{ now() | dateAdd(-1, 'DAYS', 'yyyy-MM-dd') }}", '2024-01-01'],
  ])('%s → %s', (template, expected) => {
    expect(renderString(template, {}, { now })).toBe(expected);
  });

  it('refuses now() without a clock', () => {
    expect(captureError(() => renderString('{{ now() }}', {}))).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION', message: expect.stringContaining('no clock') });
  });
});

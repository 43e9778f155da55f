import { describe, expect, it } from 'vitest';
import { typeOne, type Outcome } from './declare.js';

type Row = [decl: string, value: unknown, expected: Outcome];

const FENCE = '```';
const expected = (id: string, type: string, raw: string, cause: string): Outcome => ({
  error: `Invalid input for \`${id}\`, Expected \`${type}\` but received \`${raw}\` with errors:\n${FENCE}\n${cause}\n${FENCE}, but received \`${raw}\``,
});

const DATETIME_BOUNDS = '{id: validatedDateTime, type: DATETIME, after: "2023-01-01T00:00:00Z", before: "2023-12-31T23:59:59Z"}';
const DATETIME_ROWS: Row[] = [
  ['{id: instant, type: DATETIME}', '2019-10-06T18:27:49Z', { value: '2019-10-06T18:27:49.000Z' }],
  ['{id: instant, type: DATETIME}', '2019-10-06t18:27:49z', { value: '2019-10-06T18:27:49.000Z' }],
  ['{id: instant, type: DATETIME}', '2019-10-06T20:27:49+02:00', { value: '2019-10-06T18:27:49.000Z' }],
  ['{id: instant, type: DATETIME}', '2019-10-06T18:27:49.123456Z', { value: '2019-10-06T18:27:49.123Z' }],
  ['{id: instant, type: DATETIME}', new Date('2019-10-06T18:27:49Z'), { value: '2019-10-06T18:27:49.000Z' }],
  ['{id: instantDefaults, type: DATETIME, defaults: "2013-08-09T14:19:00Z"}', undefined, { value: '2013-08-09T14:19:00.000Z' }],
  ['{id: instant, type: DATETIME}', 'yesterday', expected('instant', 'DATETIME', 'yesterday', "Text 'yesterday' could not be parsed as an instant, e.g. 2019-10-06T18:27:49Z")],
  ['{id: instant, type: DATETIME}', '2019-02-30T00:00:00Z', expected('instant', 'DATETIME', '2019-02-30T00:00:00Z', "Text '2019-02-30T00:00:00Z' could not be parsed as an instant, e.g. 2019-10-06T18:27:49Z")],
  ['{id: instant, type: DATETIME}', '2019-10-06T18:27Z', expected('instant', 'DATETIME', '2019-10-06T18:27Z', "Text '2019-10-06T18:27Z' could not be parsed as an instant, e.g. 2019-10-06T18:27:49Z")],
  [DATETIME_BOUNDS, '2023-01-01T00:00:10Z', { value: '2023-01-01T00:00:10.000Z' }],
  [DATETIME_BOUNDS, '2022-01-01T00:00:00Z', { error: 'Invalid input for `validatedDateTime`, it must be after `2023-01-01T00:00:00Z`, but received `2022-01-01T00:00:00Z`' }],
  [DATETIME_BOUNDS, '2024-01-01T00:00:00Z', { error: 'Invalid input for `validatedDateTime`, it must be before `2023-12-31T23:59:59Z`, but received `2024-01-01T00:00:00Z`' }],
];

const DATE_BOUNDS = '{id: validatedDate, type: DATE, after: 2023-01-01, before: 2023-12-31}';
const DATE_ROWS: Row[] = [
  ['{id: date, type: DATE}', '2019-10-06', { value: '2019-10-06' }],
  ['{id: date, type: DATE}', '2024-02-29', { value: '2024-02-29' }],
  ['{id: date, type: DATE}', '2023-02-29', expected('date', 'DATE', '2023-02-29', "Text '2023-02-29' could not be parsed as a date, e.g. 2019-10-06")],
  ['{id: date, type: DATE}', '2019-13-01', expected('date', 'DATE', '2019-13-01', "Text '2019-13-01' could not be parsed as a date, e.g. 2019-10-06")],
  ['{id: date, type: DATE}', '06/10/2019', expected('date', 'DATE', '06/10/2019', "Text '06/10/2019' could not be parsed as a date, e.g. 2019-10-06")],
  [DATE_BOUNDS, '2023-01-02', { value: '2023-01-02' }],
  [DATE_BOUNDS, '2023-01-01', { value: '2023-01-01' }],
  [DATE_BOUNDS, '2022-01-01', { error: 'Invalid input for `validatedDate`, it must be after `2023-01-01`, but received `2022-01-01`' }],
  [DATE_BOUNDS, '2024-01-01', { error: 'Invalid input for `validatedDate`, it must be before `2023-12-31`, but received `2024-01-01`' }],
];

const TIME_BOUNDS = '{id: validatedTime, type: TIME, after: "01:00:00", before: "11:59:59"}';
const TIME_ROWS: Row[] = [
  ['{id: time, type: TIME}', '18:27:49', { value: '18:27:49' }],
  ['{id: time, type: TIME}', '18:27', { value: '18:27:00' }],
  ['{id: time, type: TIME}', '10:15:30.500', { value: '10:15:30.5' }],
  ['{id: time, type: TIME}', '25:00', expected('time', 'TIME', '25:00', "Text '25:00' could not be parsed as a time, e.g. 18:27:49")],
  ['{id: time, type: TIME}', '6pm', expected('time', 'TIME', '6pm', "Text '6pm' could not be parsed as a time, e.g. 18:27:49")],
  [TIME_BOUNDS, '11:27:49', { value: '11:27:49' }],
  [TIME_BOUNDS, '00:00:01', { error: 'Invalid input for `validatedTime`, it must be after `01:00`, but received `00:00:01`' }],
  [TIME_BOUNDS, '14:00:00', { error: 'Invalid input for `validatedTime`, it must be before `11:59:59`, but received `14:00:00`' }],
  ['{id: t, type: TIME, before: "10:00:00.250"}', '10:00:01', { error: 'Invalid input for `t`, it must be before `10:00:00.250`, but received `10:00:01`' }],
];

const DURATION_BOUNDS = '{id: validatedDuration, type: DURATION, min: PT10S, max: PT20S}';
const DURATION_ROWS: Row[] = [
  ['{id: duration, type: DURATION}', 'PT5M6S', { value: 'PT5M6S' }],
  ['{id: duration, type: DURATION}', 'P1D', { value: 'PT24H' }],
  ['{id: duration, type: DURATION}', 'PT90S', { value: 'PT1M30S' }],
  ['{id: duration, type: DURATION}', 'pt1.5s', { value: 'PT1.5S' }],
  ['{id: duration, type: DURATION}', 'PT1H-30M', { value: 'PT30M' }],
  ['{id: duration, type: DURATION}', '-PT0.5S', { value: 'PT-0.5S' }],
  ['{id: duration, type: DURATION}', 'PT0S', { value: 'PT0S' }],
  ['{id: duration, type: DURATION}', 306, { value: 'PT5M6S' }],
  ['{id: duration, type: DURATION}', 'P1W', expected('duration', 'DURATION', 'P1W', 'Text cannot be parsed to a Duration')],
  ['{id: duration, type: DURATION}', 'PT', expected('duration', 'DURATION', 'PT', 'Text cannot be parsed to a Duration')],
  ['{id: duration, type: DURATION}', '5 minutes', expected('duration', 'DURATION', '5 minutes', 'Text cannot be parsed to a Duration')],
  [DURATION_BOUNDS, 'PT15S', { value: 'PT15S' }],
  [DURATION_BOUNDS, 'PT1S', { error: 'Invalid input for `validatedDuration`, It must be more than `PT10S`, but received `PT1S`' }],
  [DURATION_BOUNDS, 'PT30S', { error: 'Invalid input for `validatedDuration`, It must be less than `PT20S`, but received `PT30S`' }],
];

describe('date and time inputs', () => {
  it.each(DATETIME_ROWS)('DATETIME %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
  it.each(DATE_ROWS)('DATE %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
  it.each(TIME_ROWS)('TIME %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
  it.each(DURATION_ROWS)('DURATION %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
});

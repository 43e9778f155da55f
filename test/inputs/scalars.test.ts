import { describe, expect, it } from 'vitest';
import { typeOne, type Outcome } from './declare.js';

type Row = [decl: string, value: unknown, expected: Outcome];

const FENCE = '```';

const STRING_ROWS: Row[] = [
  ['{id: s, type: STRING}', 'myString', { value: 'myString' }],
  ['{id: s, type: STRING}', '', { value: '' }],
  ['{id: s, type: STRING, defaults: ""}', undefined, { value: '' }],
  ['{id: s, type: STRING}', undefined, { error: 'Invalid input for `s`, missing required input, but received `null`' }],
  ['{id: s, type: STRING, required: false}', undefined, { value: null }],
  ['{id: validatedString, type: STRING, validator: "A\\\\d+"}', 'A123', { value: 'A123' }],
  ['{id: validatedString, type: STRING, validator: "A\\\\d+"}', 'foo', { error: 'Invalid input for `validatedString`, it must match the pattern `A\\d+`, but received `foo`' }],
  ['{id: validatedString, type: STRING, validator: "A\\\\d+"}', 'xA123', { error: 'Invalid input for `validatedString`, it must match the pattern `A\\d+`, but received `xA123`' }],
];

const NUMBER_ROWS: Row[] = [
  ['{id: int, type: INT}', '42', { value: 42 }],
  ['{id: int, type: INT}', 42, { value: 42 }],
  ['{id: int, type: INT}', '-7', { value: -7 }],
  ['{id: int, type: INT}', '+5', { value: 5 }],
  ['{id: int, type: INT, defaults: 3}', undefined, { value: 3 }],
  ['{id: int, type: INT}', 'abc', { error: 'Invalid input for `int`, For input string: "abc", but received `abc`' }],
  ['{id: int, type: INT}', '1.5', { error: 'Invalid input for `int`, For input string: "1.5", but received `1.5`' }],
  ['{id: int, type: INT}', '2147483648', { error: 'Invalid input for `int`, For input string: "2147483648", but received `2147483648`' }],
  ['{id: int, type: INT}', true, { error: `Invalid input for \`int\`, Expected \`INT\` but received \`true\` with errors:\n${FENCE}\ncannot use a boolean as an INT\n${FENCE}, but received \`true\`` }],
  ['{id: validatedInt, type: INT, min: 10, max: 20}', '12', { value: 12 }],
  ['{id: validatedInt, type: INT, min: 10, max: 20}', '10', { value: 10 }],
  ['{id: validatedInt, type: INT, min: 10, max: 20}', '20', { value: 20 }],
  ['{id: validatedInt, type: INT, min: 10, max: 20}', '9', { error: 'Invalid input for `validatedInt`, it must be more than `10`, but received `9`' }],
  ['{id: validatedInt, type: INT, min: 10, max: 20}', '21', { error: 'Invalid input for `validatedInt`, it must be less than `20`, but received `21`' }],
  ['{id: float, type: FLOAT}', '42.42', { value: 42.42 }],
  ['{id: float, type: FLOAT}', 0.42, { value: 0.42 }],
  ['{id: float, type: FLOAT}', '1e3', { value: 1000 }],
  ['{id: float, type: FLOAT}', '3.5f', { value: 3.5 }],
  ['{id: float, type: FLOAT}', '0.1234567891', { value: 0.12345679 }],
  ['{id: float, type: FLOAT}', 'abc', { error: 'Invalid input for `float`, For input string: "abc", but received `abc`' }],
  ['{id: float, type: FLOAT}', ' ', { error: 'Invalid input for `float`, empty String, but received ` `' }],
  ['{id: validatedFloat, type: FLOAT, min: 0.1, max: 0.5}', '0.42', { value: 0.42 }],
  ['{id: validatedFloat, type: FLOAT, min: 0.1, max: 0.5}', '0.01', { error: 'Invalid input for `validatedFloat`, it must be more than `0.1`, but received `0.01`' }],
  ['{id: validatedFloat, type: FLOAT, min: 0.1, max: 0.5}', '1.01', { error: 'Invalid input for `validatedFloat`, it must be less than `0.5`, but received `1.01`' }],
  ['{id: f, type: FLOAT, min: 1}', '0.5', { error: 'Invalid input for `f`, it must be more than `1.0`, but received `0.5`' }],
];

const BOOLEAN_ROWS: Row[] = [
  ['{id: bool, type: BOOLEAN}', 'true', { value: true }],
  ['{id: bool, type: BOOLEAN}', 'TRUE', { value: true }],
  ['{id: bool, type: BOOLEAN}', 'false', { value: false }],
  ['{id: bool, type: BOOLEAN}', 'yes', { value: false }],
  ['{id: bool, type: BOOLEAN}', '', { value: false }],
  ['{id: bool, type: BOOLEAN}', true, { value: true }],
  ['{id: bool, type: BOOL}', 'True', { value: true }],
  ['{id: bool, type: BOOLEAN, defaults: true}', undefined, { value: true }],
  ['{id: bool, type: BOOLEAN}', 1, { error: `Invalid input for \`bool\`, Expected \`BOOLEAN\` but received \`1\` with errors:\n${FENCE}\ncannot use a number as a BOOLEAN\n${FENCE}, but received \`1\`` }],
];

const TEXT_ROWS: Row[] = [
  ['{id: email, type: EMAIL}', 'john.doe@example.com', { value: 'john.doe@example.com' }],
  ['{id: email, type: EMAIL}', "o’brien@example.com", { value: "o’brien@example.com" }],
  ['{id: email, type: EMAIL}', '', { value: '' }],
  ['{id: email, type: EMAIL}', 'not-an-email', { error: 'Invalid input for `email`, The input must be a valid email, but received `not-an-email`' }],
  ['{id: uri, type: URI}', 'https://www.google.com', { value: 'https://www.google.com' }],
  ['{id: uri, type: URI}', 'http:/bla', { error: 'Invalid input for `uri`, Expected `URI` but received `http:/bla`, but received `http:/bla`' }],
  ['{id: uri, type: URI}', 'https://example', { error: 'Invalid input for `uri`, Expected `URI` but received `https://example`, but received `https://example`' }],
  ['{id: secret, type: SECRET}', 'secret', { value: 'secret' }],
  ['{id: secret, type: SECRET, validator: "s.*"}', 'nope', { error: 'Invalid input for `secret`, it must match the pattern `s.*`, but received `nope`' }],
];

describe('scalar inputs', () => {
  it.each(STRING_ROWS)('STRING %s given %j', (decl, value, expected) => expect(typeOne(decl, value)).toEqual(expected));
  it.each(NUMBER_ROWS)('INT/FLOAT %s given %j', (decl, value, expected) => expect(typeOne(decl, value)).toEqual(expected));
  it.each(BOOLEAN_ROWS)('BOOLEAN %s given %j', (decl, value, expected) => expect(typeOne(decl, value)).toEqual(expected));
  it.each(TEXT_ROWS)('EMAIL/URI/SECRET %s given %j', (decl, value, expected) => expect(typeOne(decl, value)).toEqual(expected));

  it('encrypts a SECRET through encryptSecret after validating the clear text', () => {
    const encryptSecret = (plain: string): string => `enc:${[...plain].reverse().join('')}`;
    expect(typeOne('{id: secret, type: SECRET, validator: "s.*"}', 'secret', { encryptSecret })).toEqual({ value: 'enc:terces' });
  });
});

import { describe, expect, it } from 'vitest';
import { isMatcher, matchFields, matchValue } from '../../src/conformance/index.js';

describe('matchValue', () => {
  it.each([
    ['a plain scalar', 'SUCCESS', 'SUCCESS'],
    ['a number', 11, 11],
    ['a plain map, deeply', { a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }],
    ['a matcher nested in a plain map', { outputs: { extracted: { contains: 'error-t1' } } }, { outputs: { extracted: 'Error Trigger ! error-t1' } }],
    ['equals', { equals: 'x' }, 'x'],
    ['equals with a map that looks like a matcher', { equals: { contains: 'x' } }, { contains: 'x' }],
    ['contains on a string', { contains: '1-2-1_return' }, '2_return > 1-2-1_return > a a'],
    ['contains on a map, through its JSON', { contains: '"value":"v"' }, { key: 'k', value: 'v' }],
    ['contains on a number', { contains: '12' }, 3124],
    ['startsWith', { startsWith: 'Wait' }, 'Waiting for PT0.1S'],
    ['matches', { matches: '^\\d{4}-\\d{2}' }, '2024-12-20T10:11:12.345Z'],
    ['atLeast', { atLeast: 2 }, 2],
    ['atMost', { atMost: 3 }, 1],
    ['atLeast and atMost together', { atLeast: 1, atMost: 3 }, 2],
  ])('accepts %s', (_name, expected, actual) => {
    expect(matchValue(expected, actual)).toBeUndefined();
  });

  it.each([
    ['a different scalar', 'SUCCESS', 'FAILED', { path: '', message: 'expected SUCCESS, got FAILED' }],
    ['a string for a number', 2, '2', { path: '', message: 'expected 2, got "2"' }],
    ['a string for a boolean', true, 'true', { path: '', message: 'expected true, got "true"' }],
    ['a missing key', { a: 1, b: 2 }, { a: 1 }, { path: '.b', message: 'expected 2, got nothing' }],
    ['an extra key', { a: 1 }, { a: 1, c: 3 }, { path: '', message: 'unexpected key "c"' }],
    ['a list of another length', [1, 2], [1], { path: '', message: 'expected 2 items, got 1: [1]' }],
    ['a nested difference', { a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }, { path: '.a[1].b', message: 'expected x, got y' }],
    ['contains', { contains: 'mars' }, 'world-done', { path: '', message: 'expected to contain "mars", got world-done' }],
    ['startsWith', { startsWith: 'b' }, 'abc', { path: '', message: 'expected to start with "b", got abc' }],
    ['matches', { matches: '^b' }, 'abc', { path: '', message: 'expected to match /^b/, got abc' }],
    ['atLeast', { atLeast: 5 }, 2, { path: '', message: 'expected at least 5, got 2' }],
    ['atMost', { atMost: 1 }, 2, { path: '', message: 'expected at most 1, got 2' }],
    ['atLeast on a string', { atLeast: 1 }, '3', { path: '', message: 'expected a number atLeast 1, got "3"' }],
    ['a bad regex', { matches: '(' }, 'x', { path: '', message: 'bad regex "(": Invalid regular expression: /(/: Unterminated group' }],
    ['nothing', 'x', undefined, { path: '', message: 'expected x, got nothing' }],
  ])('rejects %s', (_name, expected, actual, mismatch) => {
    expect(matchValue(expected, actual)).toEqual(mismatch);
  });
});

describe('isMatcher', () => {
  it.each([
    [{ contains: 'x' }, true],
    [{ atLeast: 1, atMost: 2 }, true],
    [{ contains: 'x', startsWith: 'y' }, false],
    [{ contains: 'x', other: 1 }, false],
    [{}, false],
    ['contains', false],
    [[{ contains: 'x' }], false],
  ])('tells %j → %s', (value, matcher) => {
    expect(isMatcher(value)).toBe(matcher);
  });
});

describe('matchFields', () => {
  it('checks only the listed fields', () => {
    expect(matchFields({ state: 'FAILED' }, { executionId: 'abc', state: 'FAILED' })).toBeUndefined();
  });

  it('names a key that is not a plain identifier with brackets', () => {
    expect(matchFields({ 'error-t1': 'x' }, {})).toEqual({ path: '.error-t1', message: 'expected x, got nothing' });
    expect(matchFields({ 'a b': 'x' }, null as unknown as undefined)).toEqual({ path: '["a b"]', message: 'expected x, got nothing' });
  });
});

/** The nesting cap of input values: deep JSON, YAML, ARRAY or structured values are invalid inputs, never a stack overflow. */
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH, nestsDeeperThan } from '../../src/inputs/nesting.js';
import { typeOne } from './declare.js';

/** A list nested `depth` levels deep: `[[…[]…]]`. */
function nested(depth: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
}

describe('nestsDeeperThan', () => {
  it('counts lists and maps, scalars and dates not', () => {
    expect(nestsDeeperThan(nested(100), 100)).toBe(false);
    expect(nestsDeeperThan(nested(101), 100)).toBe(true);
    expect(nestsDeeperThan({ a: { b: [new Date(0), 'x'] } }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: { b: [{}] } }, 3)).toBe(true);
    expect(nestsDeeperThan('[[[[', 1)).toBe(false);
  });

  it('walks a million levels without recursion', () => {
    expect(nestsDeeperThan(nested(1_000_000), MAX_INPUT_DEPTH)).toBe(true);
  });

  it('is linear over shared values (2^60 paths, 60 lists) and refuses a value that contains itself', () => {
    let shared: unknown[] = [];
    for (let i = 0; i < 60; i++) shared = [shared, shared];
    expect(nestsDeeperThan(shared, 100)).toBe(false);
    expect(nestsDeeperThan(shared, 60)).toBe(true);
    const cyclic: unknown[] = [];
    cyclic.push({ back: cyclic });
    expect(nestsDeeperThan(cyclic, 100)).toBe(true);
  });
});

describe('deep input values', () => {
  const TOO_DEEP = 'it nests lists and maps deeper than 1000 levels';

  it.each([
    ['JSON text', '{id: j, type: JSON}', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['ARRAY text', '{id: j, type: ARRAY, itemType: JSON}', `[${'['.repeat(5000)}${']'.repeat(5000)}]`],
  ])('refuses %s nested 5,000 deep', (_name, decl, text) => {
    expect(typeOne(decl, text)).toEqual({ error: `Invalid input for \`j\`, ${TOO_DEEP}, but received \`${text}\`` });
  });

  it('refuses a structured value nested 100,000 deep without quoting it back', () => {
    expect(typeOne('{id: j, type: JSON}', nested(100_000))).toEqual({ error: `Invalid input for \`j\`, ${TOO_DEEP}` });
  });

  it('accepts a value at the cap (Jackson\'s default nesting limit)', () => {
    expect(MAX_INPUT_DEPTH).toBe(1000);
    expect(typeOne('{id: j, type: JSON}', JSON.stringify(nested(1000)))).toEqual({ value: nested(1000) });
  });
});

describe('values that are not data', () => {
  it.each([
    ['a function', { f: (): number => 1 }],
    ['a symbol', [Symbol('s')]],
    ['a Promise', { p: Promise.resolve(1) }],
    ['a Map', new Map([['a', 1]])],
  ])('refuses a structured value holding %s (no thread or store could carry it)', (kind, value) => {
    expect(typeOne('{id: j, type: JSON}', value)).toEqual({ error: `Invalid input for \`j\`, it holds ${kind}, which is not data` });
  });

  it('accepts lists, maps, dates and scalars, shared or not', () => {
    const shared = { a: 1 };
    expect(typeOne('{id: j, type: JSON}', { x: [shared, shared], d: new Date(0), n: null, s: 'x', b: true })).toEqual({ value: { x: [shared, shared], d: new Date(0), n: null, s: 'x', b: true } });
  });
});

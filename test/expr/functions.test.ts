import { describe, it, expect } from 'vitest';
import { FUNCTION_NAMES, renderString, renderTyped } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const ctx = {
  vars: { first: '1', second: '{{ vars.first }} > 2', third: '{{ vars.second }} > 3' },
  str: '{"a":[1,2],"b":null}',
  outputs: { each: { s1: { 'a a': { value: 'inner' } }, s2: { value: 'x' } } },
  parents: [{ taskrun: { value: 's1' } }],
  taskrun: { value: 'a a' },
  loop: '{{ render(loop) }}',
};

describe('functions', () => {
  it.each([
    ['{{ fromJson(str).a[1] }}', '2'],
    ['{{ json(str) }}', '{"a":[1,2]}'],
    ['{{ fromJson(null) }}', ''],
    ['{{ range(1, 3) }}', '[1,2,3]'],
    ['{{ range(10, 0, -5) }}', '[10,5,0]'],
    ['{{ range(3, 1) }}', '[]'],
    ['{{ max(1, 5, 3) }}{{ min(4, 2.5, 3) }}', '52.5'],
    ['{{ max([1, 9]) }}', '9'],
    ['{{ vars.second }}', '{{ vars.first }} > 2'],
    ['{{ render(vars.second) }}', '1 > 2'],
    ['{{ render(vars.third) }}', '1 > 2 > 3'],
    ['{{ render(vars.third, recursive=false) }}', '{{ vars.first }} > 2 > 3'],
    ['{{ renderOnce(vars.third) }}', '{{ vars.first }} > 2 > 3'],
    ['{{ render(vars) }}', '{"first":"1","second":"1 > 2","third":"1 > 2 > 3"}'],
    ['{{ render(42) }}', '42'],
    ["{% set x = 'set' %}{{ render('{{ x }}') }}", 'set'],
    ["{{ yaml('a: 1\\nb: [x, y]') }}", '{"a":1,"b":["x","y"]}'],
    ["{{ currentEachOutput(outputs.each).value }}", 'inner'],
  ])('%s → %s', (template, expected) => {
    expect(renderString(template, ctx)).toBe(expected);
  });

  it('returns typed values from fromJson in typed render', () => {
    expect(renderTyped('{{ fromJson(str) }}', ctx)).toEqual({ a: [1, 2], b: null });
  });

  it('calls host functions with plain arguments, named ones included', () => {
    const calls: unknown[] = [];
    const functions = {
      kv: (args: unknown[], named: Record<string, unknown>) => {
        calls.push([args, { ...named }]);
        return { stored: args[0] };
      },
      secret: (args: unknown[]) => `secret-${String(args[0])}`,
    };
    expect(renderString("{{ kv('key', errorOnMissing=true).stored }} {{ secret('PW') }} {{ kv(1.0).stored }}", {}, { functions })).toBe('key secret-PW 1');
    expect(calls).toEqual([[['key'], { errorOnMissing: true }], [[1], {}]]);
  });

  it('lets host functions override built-ins', () => {
    expect(renderString('{{ range(1, 2) }}', {}, { functions: { range: () => 'host' } })).toBe('host');
  });

  it('wraps a failing host function in TROUPE_EXPR_EVALUATION', () => {
    const functions = { read: () => { throw new Error("Unable to read the file 'x'"); } };
    expect(captureError(() => renderString("{{ read('x') }}", {}, { functions }))).toMatchObject({
      code: 'TROUPE_EXPR_EVALUATION',
      message: "Unable to read the file 'x' ({{ read('x') }}:1)",
    });
  });

  it.each([
    ['{{ nope() }}', 'TROUPE_EXPR_UNKNOWN_FUNCTION'],
    ['{{ fromJson(1) }}', 'TROUPE_EXPR_TYPE'],
    ["{{ fromJson('{bad') }}", 'TROUPE_EXPR_EVALUATION'],
    ['{{ render(loop) }}', 'TROUPE_EXPR_LIMIT'],
    ["{{ max(1, 'a') }}", 'TROUPE_EXPR_TYPE'],
  ])('%s fails with %s', (template, code) => {
    expect(captureError(() => renderString(template, ctx))).toMatchObject({ code });
  });

  it('stops runaway recursive rendering with TROUPE_EXPR_LIMIT', () => {
    // each pass produces a new template one level less escaped, forever
    const grow = { g: "{{ '{{ render(g) }}' }}" };
    const err = captureError(() => renderString('{{ render(g) }}', grow));
    expect(err).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it('lists its built-in functions', () => {
    expect(FUNCTION_NAMES).toEqual(['currentEachOutput', 'fromJson', 'json', 'max', 'min', 'now', 'range', 'render', 'renderOnce', 'yaml']);
  });
});

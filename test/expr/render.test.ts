import { describe, it, expect } from 'vitest';
import { compileTemplate, isTruthy, renderObject, renderString, renderTyped } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const ctx = {
  flow: { id: 'hello', namespace: 'io.kestra.tests' },
  task: { id: 't1', type: 'io.kestra.plugin.core.log.Log' },
  taskrun: { id: 'tr1', value: 'a a', attemptsCount: 3, startDate: '2024-01-02T03:04:05.123Z' },
  inputs: { string: 'myString', int: 42, float: 1.5, bool: true, map: { a: '1', n: null }, list: ['string', 1, 1.123], empty: '', nul: null },
  outputs: { '1-1_return': { 'a a': { value: 'v1' } }, default: { value: null }, 'error-t1': { value: 'fallback' } },
  parents: [{ taskrun: { value: 'b' } }, { taskrun: { value: '2' } }],
};

describe('string render', () => {
  it.each([
    ['no braces at all', 'no braces at all'],
    ['{{ flow.id }}', 'hello'],
    ['{{flow.id}}', 'hello'],
    ['{{ task.id }} > {{ taskrun.value }}', 't1 > a a'],
    ["{{ inputs['string'] }}", 'myString'],
    ["{{ outputs['1-1_return'][taskrun.value].value }}", 'v1'],
    ['{{ inputs.list[1] }}', '1'],
    ['{{ inputs.map }}', '{"a":"1"}'],
    ['{{ inputs.list }}', '["string",1,1.123]'],
    ['{{ inputs.nul }}', ''],
    ['{{ null }}', ''],
    ['{{ true }}', 'true'],
    ['{{ 42 }}', '42'],
    ['{{ 1.0 }}', '1.0'],
    ['{{ 2.50 }}', '2.5'],
    ['{{ 10 / 4 }}', '2'],
    ['{{ 10.0 / 4 }}', '2.5'],
    ['{{ 7 % 3 }}', '1'],
    ['{{ 2 * 3 + 1 }}', '7'],
    ['{{ 1 + 2 * 3 }}', '7'],
    ['{{ (1 + 2) * 3 }}', '9'],
    ['{{ -3 + 1 }}', '-2'],
    ['{{ 1.5 * 2 }}', '3.0'],
    ['{{ 0.1 + 0.2 }}', '0.30000000000000004'],
    ['{{ 10000000.0 }}', '1.0E7'],
    ["{{ 'a' ~ 1 ~ true }}", 'a1true'],
    ["{{ 'a' + 'b' }}", 'ab'],
    ['{{ "say \\"hi\\"" }}', 'say "hi"'],
    ["{{ 'it\\'s' }}", "it's"],
    ['{{ "sum: #{1 + 2}!" }}', 'sum: 3!'],
    ["{{ '4' == 4 }}", 'false'],
    ['{{ 4 == 4.0 }}', 'true'],
    ["{{ inputs.string equals 'myString' }}", 'true'],
    ['{{ 1 != 2 }}', 'true'],
    ['{{ 2 > 1 and 1 >= 1 }}', 'true'],
    ['{{ 1 < 1 or 1 <= 1 }}', 'true'],
    ['{{ not false }}', 'true'],
    ["{{ 'b' > 'a' }}", 'true'],
    ['{{ inputs.list contains 1 }}', 'true'],
    ["{{ inputs.map contains 'a' }}", 'true'],
    ["{{ 'hello' contains 'ell' }}", 'true'],
    ["{{ taskrun.attemptsCount == 3 ? 'ok' : ko }}", 'ok'],
    ["{{ false ? 'a' : true ? 'b' : 'c' }}", 'b'],
    ['{{ 1..3 }}', '[1,2,3]'],
    ['{{ [1, "a", [true]] }}', '[1,"a",[true]]'],
    ["{{ {'k': 'v', 'n': null, 'x': 2} }}", '{"k":"v","x":2}'],
    ['{{ outputs.notexists ?? "dflt" }}', 'dflt'],
    ["{{ outputs.default.value ?? outputs['error-t1'].value }}", 'fallback'],
    ["{{ outputs.not_existing ?? '' }}", ''],
    ["{{ inputs.nul ??? 'x' }}", ''],
    ["{{ inputs.missing ??? 'x' }}", 'x'],
    ["{{ inputs.missing.deeper ?? 'x' }}", 'x'],
    ['{{ inputs.map ?? "x" }}', '{"a":"1"}'],
    ['{{ inputs.crash is defined }}', 'false'],
    ['{{ inputs.string is defined }}', 'true'],
    ['{{ inputs.crash is not defined }}', 'true'],
    ['{{ inputs.nul is null }}', 'true'],
    ['{{ inputs.string is not null }}', 'true'],
    ['{{ inputs.empty is empty }}', 'true'],
    ['{{ 4 is even }}{{ 3 is odd }}', 'truetrue'],
    ['{{ inputs.list is iterable }}{{ inputs.map is map }}', 'truetrue'],
    ['{{ \'{"a":1}\' is json }}{{ \'value 1\' is json }}', 'truefalse'],
    ['{{ parents[0].taskrun.value }} {{ parents[1].taskrun.value }}', 'b 2'],
    ["{{ inputs.missing | default('d') }}", 'd'],
    ['line1\n{{ flow.id }}\nline3', 'line1\nhello\nline3'],
  ])('%s → %s', (template, expected) => {
    expect(renderString(template, ctx)).toBe(expected);
  });

  it('keeps non-template strings identical without parsing', () => {
    expect(renderString('plain } text %}', ctx)).toBe('plain } text %}');
  });
});

describe('strict variables', () => {
  it.each([
    ['{{inputs.invalid}}', { flow: {} }, 'inputs', 1],
    ['{{ outputs.notexists }}', { outputs: {} }, 'notexists', 1],
    ['{{ invalid }}', {}, 'invalid', 1],
    ['a\nb {{ missingVar }}', {}, 'missingVar', 2],
    ['{{ parent.taskrun.value }}', { parent: { outputs: {} } }, 'taskrun', 1],
    ['{{ missing ?? missing2 }}', {}, 'missing2', 1],
    ['{{ list[5] }}', { list: [1] }, '5', 1],
  ])('%s names `%s`', (template, context, name, line) => {
    const err = captureError(() => renderString(template, context as Record<string, unknown>));
    expect(err).toMatchObject({
      code: 'TROUPE_EXPR_UNDEFINED_VARIABLE',
      message: `Unable to find \`${name}\` used in the expression \`${template}\` at line ${line}`,
    });
  });

  it('throws on `outputs.notexists == 2` as Kestra does', () => {
    expect(captureError(() => renderString('{{ outputs.notexists == 2 }}', { outputs: {} }))).toMatchObject({ code: 'TROUPE_EXPR_UNDEFINED_VARIABLE' });
  });
});

describe('typed render', () => {
  it.each([
    ['{{ inputs.map }}', { a: '1', n: null }],
    ['{{ inputs.int }}', 42],
    ['{{ 1.0 }}', 1],
    ['{{ inputs.bool }}', true],
    ['{{ inputs.nul }}', null],
    ['{{ [1, 2] }}', [1, 2]],
    ['{{ inputs.int }}{{ 1 }}', 43],
    ["{{ inputs.string }}{{ 1 }}", 'myString1'],
    ['x {{ inputs.int }}', 'x 42'],
    ['plain', 'plain'],
    ['{{ inputs.string == "myString" }}', true],
  ])('%s', (template, expected) => {
    expect(renderTyped(template, ctx)).toEqual(expected);
  });

  it('refuses to combine a boolean with a number', () => {
    expect(captureError(() => renderTyped('{{ true }}{{ 1 }}', ctx))).toMatchObject({ code: 'TROUPE_EXPR_TYPE', message: expect.stringContaining('Tried to add Long to Boolean') });
  });
});

describe('object render', () => {
  it('renders strings in maps (keys too) and lists, leaving other scalars', () => {
    const value = { '{{ flow.id }}': ['{{ inputs.int }}', 1, true, null], nested: { k: '{{ task.id }}' }, n: 2.5 };
    expect(renderObject(value, ctx)).toEqual({ hello: ['42', 1, true, null], nested: { k: 't1' }, n: 2.5 });
  });

  it('builds fresh objects, never the input', () => {
    const input = { a: { b: 'x' } };
    const out = renderObject(input, ctx) as { a: unknown };
    expect(out).toEqual(input);
    expect(out.a).not.toBe(input.a);
  });
});

describe('isTruthy', () => {
  it.each([
    [null, false], [undefined, false], [false, false], ['false', false], ['0', false], ['-0', false], ['', false], [0, false],
    [true, true], ['true', true], ['1', true], ['anything', true], [1, true], [' false ', false],
  ])('%j → %s', (value, expected) => {
    expect(isTruthy(value)).toBe(expected);
  });
});

describe('compileTemplate', () => {
  it('returns the cached parse for the same source', () => {
    expect(compileTemplate('{{ a }} cached')).toBe(compileTemplate('{{ a }} cached'));
  });

  it('reports syntax errors with the template and line', () => {
    expect(captureError(() => compileTemplate('ok\n{{ 1 + }}'))).toMatchObject({
      code: 'TROUPE_EXPR_SYNTAX',
      message: "Unexpected '}}', expected an expression (ok\n{{ 1 + }}:2)",
    });
  });

  it.each(['{{ }}', '{% if %}', '{{ a b }}', '{% for x %}{% endfor %}', '{{ "open }}', '{% if true %}', '{% endif %}', '{% macro m() %}{% endmacro %}', '{% include "x" %}', '{{ (1 }}', '{# open'])(
    'rejects %j',
    (template) => {
      expect(captureError(() => compileTemplate(template))).toMatchObject({ code: 'TROUPE_EXPR_SYNTAX' });
    },
  );
});

describe('in operator and raw in output', () => {
  it('tests membership with `in`, the reverse of `contains`', () => {
    expect(renderString("{{ 2 in [1, 2] }} {{ 'ell' in 'hello' }} {{ 'k' in m }} {{ 3 in xs }}", { m: { k: 1 }, xs: [1] })).toBe('true true true false');
  });

  it('still reads `in` in a for tag', () => {
    expect(renderString('{% for x in xs %}{{ x }}{% endfor %}', { xs: [1, 2] })).toBe('12');
  });

  it('unwraps a raw block that a value brings into the output, as Kestra does', () => {
    expect(renderString('{{ v }}!', { v: '{% raw %}{{ x }}{% endraw %}' })).toBe('{{ x }}!');
  });
});

import { describe, it, expect } from 'vitest';
import { compileTemplate, renderObject, renderString, renderTyped } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const ctx = { x: { a: 1 }, list: [1, 2], s: 'str', fn: () => 'called', n: 5 };

describe('sandbox: no way out of plain data', () => {
  it.each([
    "{{ ''.constructor }}",
    "{{ ''.constructor.constructor('return process')() }}",
    "{{ x['__proto__'] }}",
    '{{ x.__proto__ }}',
    '{{ x.constructor }}',
    "{{ x['constructor']['constructor'] }}",
    '{{ list.constructor }}',
    '{{ s.__proto__ }}',
    '{{ n.constructor }}',
    "{{ x['__defineGetter__'] }}",
    '{{ (x).prototype }}',
  ])('%s is refused', (template) => {
    const err = captureError(() => renderString(template, ctx)) as { code: string };
    expect(['TROUPE_EXPR_FORBIDDEN', 'TROUPE_EXPR_UNDEFINED_VARIABLE']).toContain(err.code);
  });

  it.each(["{{ s.toUpperCase() }}", '{{ x.hasOwnProperty("a") }}', '{{ list.push(3) }}'])('%s (a method call) is refused at compile time', (template) => {
    expect(captureError(() => compileTemplate(template))).toMatchObject({ code: 'TROUPE_EXPR_FORBIDDEN' });
  });

  it.each(['{{ s.length }}', '{{ list.length }}', '{{ x.toString }}', '{{ x.valueOf }}', '{{ x.hasOwnProperty }}'])('%s does not reach inherited properties', (template) => {
    expect(captureError(() => renderString(template, ctx))).toMatchObject({ code: 'TROUPE_EXPR_UNDEFINED_VARIABLE' });
  });

  it('never calls functions found in the data', () => {
    expect(captureError(() => renderString('{{ fn }}', ctx))).toMatchObject({ code: 'TROUPE_EXPR_UNDEFINED_VARIABLE' });
    expect(captureError(() => renderString('{{ fn() }}', ctx))).toMatchObject({ code: 'TROUPE_EXPR_UNKNOWN_FUNCTION' });
  });

  it('never invokes getters of the data', () => {
    let touched = false;
    const data = Object.defineProperty({}, 'secret', { enumerable: true, get: () => ((touched = true), 'leaked') });
    expect(captureError(() => renderString('{{ d.secret }}', { d: data }))).toMatchObject({ code: 'TROUPE_EXPR_UNDEFINED_VARIABLE' });
    expect(renderString('{{ d }}', { d: { ok: 1 } })).toBe('{"ok":1}');
    expect(touched).toBe(false);
  });

  it('reads an own `__proto__` key of JSON data as data', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(renderString("{{ d['__proto__'].polluted }}", { d: data })).toBe('true');
  });

  it('does not pollute prototypes through set, maps or merge', () => {
    renderString("{% set __proto__ = {'polluted': 1} %}{% set constructor = 1 %}", {});
    renderTyped("{{ {'__proto__': {'polluted': 1}} | merge({'__proto__': {'polluted': 2}}) }}", {});
    const rendered = renderObject({ '__proto__': 'x', '{{ "__proto__" }}': { polluted: 'yes' } }, {});
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    const typed = renderTyped("{{ {'__proto__': {'polluted': 1}} }}", {}) as Record<string, unknown>;
    expect(Object.getPrototypeOf(typed)).toBe(Object.prototype);
    expect(Object.keys(typed)).toEqual(['__proto__']);
  });

  it('keeps set variables out of the caller’s objects', () => {
    const context = { inputs: { a: 1 } };
    renderString('{% set inputs = 2 %}{% for i in [1] %}{% set inputs = 3 %}{% endfor %}', context);
    expect(context).toEqual({ inputs: { a: 1 } });
  });
});

describe('limits', () => {
  it('refuses a huge range', () => {
    expect(captureError(() => renderString('{{ 0..1000000000 }}', {}))).toMatchObject({
      code: 'TROUPE_EXPR_LIMIT',
      message: expect.stringContaining('more than the limit of 1000000'),
    });
    expect(captureError(() => renderString('{{ range(0, 1000000000) }}', {}))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it('bounds loop iterations across nested loops', () => {
    const template = '{% for i in 1..1000 %}{% for j in 1..1000 %}{% for k in 1..10 %}{% endfor %}{% endfor %}{% endfor %}';
    expect(captureError(() => renderString(template, {}))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT', message: expect.stringContaining('loop iterations') });
  });

  it('bounds the output size', () => {
    expect(captureError(() => renderString('{% for i in 1..100 %}{{ s }}{% endfor %}', { s: 'x'.repeat(1000) }, { limits: { maxOutputChars: 50_000 } }))).toMatchObject({
      code: 'TROUPE_EXPR_LIMIT',
      message: 'Rendered output exceeds the limit of 50000 characters',
    });
  });

  it('bounds strings built by doubling', () => {
    const template = "{% set s = 'ab' %}{% for i in 1..40 %}{% set s = s ~ s %}{% endfor %}{{ s | length }}";
    expect(captureError(() => renderString(template, {}))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it('bounds giant strings from filters', () => {
    expect(captureError(() => renderString("{{ s | replace({'a': big}) }}", { s: 'a'.repeat(10_000), big: 'b'.repeat(10_000) }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it.each([
    ['parentheses', '{{ ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + ' }}'],
    ['lists', '{{ ' + '['.repeat(10_000) + ']'.repeat(10_000) + ' }}'],
    ['maps', '{{ ' + "{'a':".repeat(10_000) + '1' + '}'.repeat(10_000) + ' }}'],
    ['unary minus', '{{ ' + '-'.repeat(10_000) + '1 }}'],
    ['not', '{{ ' + 'not '.repeat(10_000) + 'true }}'],
    ['ternaries', '{{ ' + 'true ? '.repeat(10_000) + '1' + ' : 2'.repeat(10_000) + ' }}'],
    ['if tags', '{% if true %}'.repeat(10_000) + '{% endif %}'.repeat(10_000)],
    ['interpolation', '{{ ' + '"#{'.repeat(500) + '1' + '}"'.repeat(500) + ' }}'],
  ])('fails cleanly on 10,000 nested %s', (_name, template) => {
    expect(captureError(() => compileTemplate(template))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it('handles long flat templates without recursion trouble', () => {
    const template = '{{ ' + Array.from({ length: 5_000 }, () => '1').join(' + ') + ' }}';
    expect(captureError(() => renderString(template, {}))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
    const chain = '{{ x' + '.a'.repeat(50) + ' ?? "deep" }}';
    expect(renderString(chain, ctx)).toBe('deep');
    const text = 'text {{ n }} '.repeat(20_000);
    expect(renderString(text, ctx).length).toBe('text 5 '.length * 20_000);
  });

  it('bounds deeply nested data when printing and rendering objects', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = [deep];
    expect(captureError(() => renderString('{{ d }}', { d: deep }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
    expect(captureError(() => renderObject(deep, {}))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });

  it('applies lowered budget limits, each named in its error', () => {
    const fails = (template: string, limits: object, name: string): void => {
      expect(captureError(() => renderString(template, { big: 'x'.repeat(1000) }, { limits }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT', message: expect.stringContaining(`(${name})`) });
    };
    fails('{{ (1..20) | merge([1]) }}', { maxCollectionSize: 20 }, 'maxCollectionSize');
    fails('{% for i in 1..50 %}{% set u = big | upper %}{% endfor %}', { maxBuiltChars: 40_000 }, 'maxBuiltChars');
    fails('{% for i in 1..100 %}{{ i + i }}{% endfor %}', { maxSteps: 200 }, 'maxSteps');
    fails('{{ big | toJson }}', { maxOutputChars: 999 }, 'maxOutputChars');
    expect(renderString('{{ (1..20) | merge([1]) | length }}', {}, { limits: { maxCollectionSize: 21 } })).toBe('21');
  });

  it('shares one budget between a render and render() inside it, and between the strings of an object render', () => {
    const limits = { maxSteps: 400 };
    const loop = '{% for i in 1..60 %}{{ i }}{% endfor %}';
    expect(renderString(loop, {}, { limits })).toHaveLength(111);
    expect(captureError(() => renderString(`${loop}{{ render(t) }}`, { t: loop }, { limits }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
    expect(renderObject({ a: loop }, {}, { limits })).toEqual({ a: expect.any(String) });
    expect(captureError(() => renderObject({ a: loop, b: loop }, {}, { limits }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT', message: expect.stringContaining('(maxSteps)') });
  });

  it('validates limits given as options', () => {
    expect(captureError(() => renderString('{{ 1 }}', {}, { limits: { maxDepht: 3 } as never }))).toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
    expect(captureError(() => renderString('{{ 1 }}', {}, { limits: { maxDepth: -1 } }))).toMatchObject({ code: 'TROUPE_OPTION_INVALID' });
  });
});

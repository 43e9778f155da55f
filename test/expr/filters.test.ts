import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { FILTER_NAMES, renderString, renderTyped } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const ctx = {
  s: 'Hello World',
  csv: 'a,b,,c,,',
  list: [3, 1, 2],
  words: ['b', 'a', 'c'],
  map: { a: 1, b: 'two', c: null },
  nested: [[1, 2], [3], 4],
  json: '{"key":"my-key","value":"my-value"}',
  path: 'dir/sub/file.tar.gz',
  multi: 'l1\nl2\nl3',
  quoted: "Can't",
  num: 1234567.891,
};

describe('filters', () => {
  it.each([
    // strings
    ['{{ s | upper }}', 'HELLO WORLD'],
    ['{{ s | lower }}', 'hello world'],
    ["{{ 'hello big world' | title }}", 'Hello Big World'],
    ["{{ 'hello world' | capitalize }}", 'Hello world'],
    ["{{ '  x y \n' | trim }}", 'x y'],
    ["{{ 'Hello World & Friends_ok!' | slugify }}", 'hello-world-friends-ok'],
    ["{{ path | substringBefore('/') }}", 'dir'],
    ["{{ path | substringAfter('/') }}", 'sub/file.tar.gz'],
    ["{{ path | substringBeforeLast('.') }}", 'dir/sub/file.tar'],
    ["{{ path | substringAfterLast('.') }}", 'gz'],
    ["{{ path | substringAfter('#') }}", ''],
    ["{{ path | substringBefore('#') }}", 'dir/sub/file.tar.gz'],
    ["{{ s | startsWith('Hello') }}", 'true'],
    ["{{ s | endsWith('Hello') }}", 'false'],
    ['{{ csv | split(",") }}', '["a","b","","c"]'],
    ['{{ csv | split(",", 2) }}', '["a","b,,c,,"]'],
    ["{{ s | replace({'World': 'Kestra', 'Hello': 'Bye'}) }}", 'Bye Kestra'],
    ["{{ 'a1b22' | replace({'[0-9]+': '#'}, regexp=true) }}", 'a#b#'],
    ["{{ quoted | escapeChar('single') }}", "Can\\'t"],
    ["{{ 'say \"x\"' | escapeChar('double') }}", 'say \\"x\\"'],
    ["{{ quoted | escapeChar('shell') }}", "Can'\\''t"],
    ['{{ multi | indent(2) }}', 'l1\n  l2\n  l3'],
    ['{{ multi | nindent(2) }}', '\n  l1\n  l2\n  l3'],
    ["{{ multi | indent(1, '>') }}", 'l1\n>l2\n>l3'],
    ["{{ 'this is a long sentence' | abbreviate(10) }}", 'this is...'],
    ["{{ 'short' | abbreviate(10) }}", 'short'],
    ["{{ 'a b&c=d/é' | urlencode }}", 'a+b%26c%3Dd%2F%C3%A9'],
    ["{{ 'a+b%26c' | urldecode }}", 'a b&c'],
    ["{{ 'héllo' | base64encode }}", 'aMOpbGxv'],
    ["{{ 'aMOpbGxv' | base64decode }}", 'héllo'],
    // collections
    ["{{ null | default('d') }}", 'd'],
    ["{{ '' | default('d') }}", 'd'],
    ["{{ [] | default('d') }}", 'd'],
    ["{{ 'x' | default('d') }}", 'x'],
    ["{{ undefinedVar | default('d') }}", 'd'],
    ["{{ map.missing | default('d') }}", 'd'],
    ['{{ list | first }}{{ list | last }}', '32'],
    ["{{ 'abc' | first }}{{ 'abc' | last }}", 'ac'],
    ['{{ map | keys }}', '["a","b","c"]'],
    ['{{ words | keys }}', '[0,1,2]'],
    ['{{ map | values }}', '[1,"two",null]'],
    ['{{ list | length }}{{ map | length }}{{ s | length }}', '3311'],
    ["{{ words | join(', ') }}", 'b, a, c'],
    ['{{ words | join }}', 'bac'],
    ['{{ [1,2,3,4,5] | chunk(2) }}', '[[1,2],[3,4],[5]]'],
    ['{{ nested | flatten }}', '[1,2,3,4]'],
    ['{{ list | sort }}', '[1,2,3]'],
    ['{{ words | sort }}', '["a","b","c"]'],
    ['{{ list | rsort }}', '[3,2,1]'],
    ['{{ list | reverse }}', '[2,1,3]'],
    ["{{ 'abc' | reverse }}", 'cba'],
    ['{{ [1,2,3,4] | slice(1, 3) }}', '[2,3]'],
    ["{{ 'abcdef' | slice(2) }}", 'cdef'],
    ["{{ {'a': 1} | merge({'b': 2}) }}", '{"a":1,"b":2}'],
    ['{{ [1] | merge([2, 3]) }}', '[1,2,3]'],
    // numbers
    ["{{ '42' | number }}", '42'],
    ["{{ '4.5' | number }}", '4.5'],
    ["{{ '4' | number('DOUBLE') }}", '4.0'],
    ["{{ '12' | number + 1 }}", '13'],
    ['{{ -5 | abs }}', '5'],
    ['{{ -2.5 | abs }}', '2.5'],
    ['{{ 2.567 | round(2) }}', '2.57'],
    ["{{ num | numberFormat('#,##0.00') }}", '1,234,567.89'],
    ["{{ 3.14159 | numberFormat('0.000') }}", '3.142'],
    ["{{ 5 | numberFormat('000') }}", '005'],
    ["{{ 0.256 | numberFormat('0.0%') }}", '25.6%'],
    // data
    ['{{ map | toJson }}', '{"a":1,"b":"two"}'],
    ['{{ null | json }}', 'null'],
    ["{{ 'a\"b' | toJson }}", '"a\\"b"'],
    ["{{ json | jq('.key') }}", '["my-key"]'],
    ["{{ json | jq('.key') | first }}", 'my-key'],
    ["{{ map | jq('.a') }}", '[1]'],
    ["{{ {'a': {'b': 1.0}} | jq('.a.b') }}", '[1]'],
    ['{{ map | yaml }}', 'a: 1\nb: two\nc: null\n'],
    ["{{ {'l': [1, 'x: y'], 'm': {'k': true}} | yaml }}", 'l:\n- 1\n- "x: y"\nm:\n  k: true\n'],
    ["{{ 'abc' | md5 }}", md5('abc')],
    ["{{ 'abc' | sha1 }}", sha('sha1', 'abc')],
    ["{{ 'abc' | sha256 }}", sha('sha256', 'abc')],
    ["{{ 'abc' | sha512 }}", sha('sha512', 'abc')],
    ["{{ 'x' | className }}{{ 1 | className }}", 'java.lang.Stringjava.lang.Long'],
  ])('%s → %j', (template, expected) => {
    expect(renderString(template, ctx)).toBe(expected);
  });

  it.each(['', 'a', 'héllo wörld ✓', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'y'.repeat(1000)])('digests match node:crypto for %j', (input) => {
    const out = renderString('{{ s | md5 }} {{ s | sha1 }} {{ s | sha256 }} {{ s | sha512 }}', { s: input });
    expect(out).toBe(['md5', 'sha1', 'sha256', 'sha512'].map((a) => sha(a, input)).join(' '));
  });

  it('keeps types through filters in typed render', () => {
    expect(renderTyped('{{ list | sort }}', ctx)).toEqual([1, 2, 3]);
    expect(renderTyped("{{ '12' | number }}", ctx)).toBe(12);
    expect(renderTyped("{{ json | jq('.') }}", ctx)).toEqual([{ key: 'my-key', value: 'my-value' }]);
  });

  it('does not mutate its inputs', () => {
    const context = { list: [3, 1, 2], m: { a: 1 } };
    renderString("{{ list | sort }}{{ list | reverse }}{{ m | merge({'b': 2}) }}", context);
    expect(context).toEqual({ list: [3, 1, 2], m: { a: 1 } });
  });

  it.each([
    ['{{ s | nope }}', 'TROUPE_EXPR_UNKNOWN_FILTER'],
    ['{{ 1 | upper }}', null],
    ['{{ map | upper }}', 'TROUPE_EXPR_TYPE'],
    ["{{ s | escapeChar('nope') }}", 'TROUPE_EXPR_TYPE'],
    ["{{ 'x' | number }}", 'TROUPE_EXPR_EVALUATION'],
    ["{{ 'not json' | jq('.') }}", 'TROUPE_EXPR_EVALUATION'],
    ["{{ json | jq('.[') }}", 'TROUPE_EXPR_SYNTAX'],
    ['{{ [1, 2] | slice(1, 5) }}', 'TROUPE_EXPR_EVALUATION'],
    ['{{ [1, "a"] | sort }}', 'TROUPE_EXPR_TYPE'],
  ])('%s fails with %s', (template, code) => {
    if (code === null) {
      expect(renderString(template, ctx)).toBe('1');
      return;
    }
    expect(captureError(() => renderString(template, ctx))).toMatchObject({ code });
  });

  it('registers every filter named in the brief', () => {
    const required = ['json', 'toJson', 'jq', 'date', 'dateAdd', 'timestamp', 'timestampMicro', 'timestampNano', 'default', 'first', 'last', 'keys',
      'values', 'length', 'join', 'split', 'upper', 'lower', 'title', 'capitalize', 'trim', 'slugify', 'substringBefore', 'substringAfter',
      'substringBeforeLast', 'substringAfterLast', 'startsWith', 'endsWith', 'chunk', 'flatten', 'sort', 'rsort', 'reverse', 'slice', 'merge',
      'number', 'abs', 'round', 'replace', 'escapeChar', 'indent', 'nindent', 'base64encode', 'base64decode', 'sha256', 'md5', 'sha1', 'sha512',
      'urlencode', 'urldecode', 'yaml', 'abbreviate', 'numberFormat'];
    expect(required.filter((f) => !FILTER_NAMES.includes(f))).toEqual([]);
  });
});

function sha(algorithm: string, input: string): string {
  return createHash(algorithm).update(input, 'utf8').digest('hex');
}

function md5(input: string): string {
  return sha('md5', input);
}

import { describe, expect, it } from 'vitest';
import { typeOne, type Outcome } from './declare.js';

type Row = [decl: string, value: unknown, expected: Outcome];

const FENCE = '```';

const JSON_YAML_ROWS: Row[] = [
  ['{id: json, type: JSON}', '{"a": "b"}', { value: { a: 'b' } }],
  ['{id: json, type: JSON}', '{}', { value: {} }],
  ['{id: json, type: JSON}', '[1, "x", null]', { value: [1, 'x', null] }],
  ['{id: json, type: JSON}', { a: [1, 2] }, { value: { a: [1, 2] } }],
  ['{id: json, type: JSON, defaults: {a: 1}}', undefined, { value: { a: 1 } }],
  ['{id: yaml, type: YAML}', 'some: property\nalist:\n- of\n- values', { value: { some: 'property', alist: ['of', 'values'] } }],
  ['{id: yaml, type: YAML, defaults: {property: something, list: [{key: key1, value: value1}]}}', undefined, { value: { property: 'something', list: [{ key: 'key1', value: 'value1' }] } }],
  ['{id: yaml, type: YAML}', '- 1\n- two', { value: [1, 'two'] }],
];

const ARRAY_ROWS: Row[] = [
  ['{id: array, type: ARRAY, itemType: INT}', '[1, 2, 3]', { value: [1, 2, 3] }],
  ['{id: array, type: ARRAY, itemType: INT}', ['1', '2'], { value: [1, 2] }],
  ['{id: array, type: ARRAY, itemType: INT}', '[]', { value: [] }],
  ['{id: array, type: ARRAY, itemType: STRING}', '["a", "b"]', { value: ['a', 'b'] }],
  ['{id: array, type: ARRAY, itemType: DATETIME}', '["2019-10-06T18:27:49Z"]', { value: ['2019-10-06T18:27:49.000Z'] }],
  ['{id: array, type: ARRAY, itemType: DURATION}', ['PT90S'], { value: ['PT1M30S'] }],
  ['{id: array, type: ARRAY, itemType: INT}', '["s1", "s2"]', { error: 'Invalid input for `array`, Unable to parse array element as `INT` on `s1`, but received `["s1", "s2"]`' }],
  ['{id: array, type: ARRAY, itemType: INT}', ['1', 'x'], { error: 'Invalid input for `array`, Unable to parse array element as `INT` on `x`, but received `[1, x]`' }],
  ['{id: array, type: ARRAY, itemType: BOOLEAN}', '[true, "TRUE", "no"]', { value: [true, true, false] }],
  ['{id: array, type: ARRAY, itemType: INT}', '{"a": 1}', { error: `Invalid input for \`array\`, Expected \`ARRAY\` but received \`{"a": 1}\` with errors:\n${FENCE}\na JSON array is expected, not a map\n${FENCE}, but received \`{"a": 1}\`` }],
  ['{id: array, type: ARRAY, itemType: INT}', 42, { error: `Invalid input for \`array\`, Expected \`ARRAY\` but received \`42\` with errors:\n${FENCE}\ncannot use a number as a list\n${FENCE}, but received \`42\`` }],
];

const FILE_ROWS: Row[] = [
  ['{id: file, type: FILE}', 'kestra:///io/kestra/tests/inputs/executions/e1/inputs/file/a.yml', { value: 'kestra:///io/kestra/tests/inputs/executions/e1/inputs/file/a.yml' }],
  ['{id: file, type: FILE}', '/tmp/a.yml', { error: `Invalid input for \`file\`, Expected \`FILE\` but received \`/tmp/a.yml\` with errors:\n${FENCE}\na local file '/tmp/a.yml' cannot be uploaded here: give a kestra:// URI\n${FENCE}, but received \`/tmp/a.yml\`` }],
  ['{id: file, type: FILE, required: false}', undefined, { value: null }],
];

describe('structured inputs', () => {
  it.each(JSON_YAML_ROWS)('JSON/YAML %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
  it.each(ARRAY_ROWS)('ARRAY %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));
  it.each(FILE_ROWS)('FILE %s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));

  it('reports a JSON string that does not parse with the parser message', () => {
    const out = typeOne('{id: json, type: JSON}', '{bad');
    expect(out).toEqual({ error: expect.stringMatching(/^Invalid input for `json`, Expected `JSON` but received `\{bad` with errors:\n```\n.+\n```, but received `\{bad`$/) });
  });

  it('reports YAML that does not parse with the reader message, at its line and column', () => {
    const out = typeOne('{id: yaml, type: YAML}', 'a: 1\na: 2');
    expect(out).toEqual({ error: "Invalid input for `yaml`, Expected `YAML` but received `a: 1\na: 2` with errors:\n```\n2:1: duplicate key 'a'; each key may appear once in a mapping\n```, but received `a: 1\na: 2`" });
  });

  // YAML inputs are text from outside: read with the flow reader's guards, never the yaml
  // package's recursive parse (a stack overflow there can abort the process).
  it.each([
    ['`- - - …` 5,000 deep', `${'- '.repeat(5000)}x`, '1:201: collections are nested deeper than 100 levels'],
    ['`? ? ? …` 5,000 deep', `${'? '.repeat(5000)}x`, '1:201: collections are nested deeper than 100 levels'],
    ['`[[[…` 5,000 deep', '['.repeat(5000), '1:101: collections are nested deeper than 100 levels'],
    ['50,000 duplicate keys (the yaml package checks them in quadratic time)', 'k: 1\n'.repeat(50_000), "2:1: duplicate key 'k'; each key may appear once in a mapping (and 49998 more problems)"],
  ])('refuses a hostile YAML input: %s', (_name, text, reason) => {
    const out = typeOne('{id: yaml, type: YAML}', text) as { error: string };
    expect(out.error).toContain(`with errors:\n\`\`\`\n${reason}\n\`\`\``);
  }, 120_000);

  it('uploads a local FILE path through storeFile and stores the returned URI', () => {
    const calls: Array<[string, string]> = [];
    const storeFile = (inputId: string, value: string): string => {
      calls.push([inputId, value]);
      return `kestra:///io/kestra/tests/f/executions/e1/inputs/${inputId}/a.yml`;
    };
    expect(typeOne('{id: file, type: FILE}', '/tmp/a.yml', { storeFile })).toEqual({ value: 'kestra:///io/kestra/tests/f/executions/e1/inputs/file/a.yml' });
    expect(calls).toEqual([['file', '/tmp/a.yml']]);
  });

  it('reports a storeFile failure as the FILE parse error', () => {
    const storeFile = (): string => {
      throw new Error('ENOENT: no such file');
    };
    expect(typeOne('{id: file, type: FILE}', '/nope', { storeFile })).toEqual({
      error: `Invalid input for \`file\`, Expected \`FILE\` but received \`/nope\` with errors:\n${FENCE}\nENOENT: no such file\n${FENCE}, but received \`/nope\``,
    });
  });
});

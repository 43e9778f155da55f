import { describe, expect, it } from 'vitest';
import { typeOne, type Outcome } from './declare.js';

type Row = [decl: string, value: unknown, expected: Outcome];

const ENUM = '{id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE]}';
const SELECT = '{id: select, type: SELECT, values: [A, B]}';
const MULTI = '{id: multi, type: MULTISELECT, values: [A, B, C]}';

const ROWS: Row[] = [
  [ENUM, 'ENUM_VALUE', { value: 'ENUM_VALUE' }],
  [ENUM, 'INVALID', { error: 'Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`' }],
  ['{id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE], required: false}', 'INVALID', { value: 'INVALID' }],
  ['{id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE], defaults: OTHER_ONE}', undefined, { value: 'OTHER_ONE' }],
  [SELECT, 'B', { value: 'B' }],
  [SELECT, 'C', { error: 'Invalid input for `select`, it must match the values `[A, B]`, but received `C`' }],
  ['{id: select, type: SELECT, values: [A, B], allowCustomValue: true}', 'C', { value: 'C' }],
  ['{id: select, type: SELECT, values: [A, B], required: false}', 'C', { value: 'C' }],
  ['{id: select, type: SELECT, expression: "{{ [\'x\', \'y\'] }}"}', 'y', { value: 'y' }],
  ['{id: select, type: SELECT, expression: "{{ [\'x\', null, 3] }}"}', 'z', { error: 'Invalid input for `select`, it must match the values `[x, 3]`, but received `z`' }],
  ['{id: select, type: SELECT, expression: "{{ \'x\' }}"}', 'x', { error: 'Invalid expression result. Expected a list of strings, but received String' }],
  [MULTI, ['A', 'C'], { value: ['A', 'C'] }],
  [MULTI, '["B"]', { value: ['B'] }],
  [MULTI, ['A', 'D'], { error: 'Invalid input for `multi`, it must match the values `[A, B, C]`, but received `[A, D]`' }],
  ['{id: multi, type: MULTISELECT, values: [A, B, C], required: false}', ['D'], { error: 'Invalid input for `multi`, it must match the values `[A, B, C]`, but received `[D]`' }],
  ['{id: multi, type: MULTISELECT, values: [A], allowCustomValue: true}', ['Z'], { value: ['Z'] }],
  ['{id: multi, type: MULTISELECT, options: [A, B]}', ['B'], { value: ['B'] }],
  ['{id: multi, type: MULTISELECT, values: [A], options: [A]}', ['A'], { error: "Invalid input for `multi`, you can't define both `values` and `options`, but received `[A]`" }],
  ['{id: multi, type: MULTISELECT, values: ["1", "2"], itemType: INT}', '[1, 2]', { value: [1, 2] }],
  ['{id: multi, type: MULTISELECT, expression: "{{ [\'p\', \'q\'] }}"}', ['q'], { value: ['q'] }],
];

describe('choice inputs', () => {
  it.each(ROWS)('%s given %j', (decl, value, want) => expect(typeOne(decl, value)).toEqual(want));

  it('reports an expression that fails to render', () => {
    const out = typeOne('{id: select, type: SELECT, expression: "{{ nope }}"}', 'x');
    expect(out).toEqual({ error: expect.stringMatching(/^Cannot render 'expression'\. Cause: .*nope/) });
  });
});

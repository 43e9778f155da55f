import { describe, it, expect } from 'vitest';
import { renderTyped } from '../../src/expr/index.js';
import { captureError } from './capture.js';

const data = {
  name: 'x',
  items: [
    { id: 1, tag: 'a', price: 10 },
    { id: 2, tag: 'b', price: 25 },
    { id: 3, tag: 'a', price: 5 },
  ],
  nested: { deep: { v: [1, 2, 3] } },
  'odd key': true,
};

describe('jq filter (always a list of results)', () => {
  it.each([
    ['.', [data]],
    ['.name', ['x']],
    ['.nested.deep.v', [[1, 2, 3]]],
    ['.nested.deep.v[1]', [2]],
    ['.items[-1].id', [3]],
    ['.items[0:2] | length', [2]],
    ['.items[].id', [1, 2, 3]],
    ['.items | map(.id)', [[1, 2, 3]]],
    ['.items[] | select(.tag == "a") | .id', [1, 3]],
    ['[.items[] | select(.price > 8)] | length', [2]],
    ['.items | map(select(.price >= 10 and .tag != "b")) | map(.id)', [[1]]],
    ['.["odd key"]', [true]],
    ['."odd key"', [true]],
    ['keys', [['items', 'name', 'nested', 'odd key']]],
    ['.items | length', [3]],
    ['.missing', [null]],
    ['.missing // "dflt"', ['dflt']],
    ['.name, .items[0].id', ['x', 1]],
    ['{n: .name, count: (.items | length)}', [{ n: 'x', count: 3 }]],
    ['.items | map(.price) | add', [40]],
    ['.items | sort_by(.price) | map(.id)', [[3, 1, 2]]],
    ['.items | group_by(.tag) | map(length)', [[2, 1]]],
    ['.items | map(.tag) | unique', [['a', 'b']]],
    ['.items[0] | to_entries | map(.key)', [['id', 'tag', 'price']]],
    ['.items[0] | has("id")', [true]],
    ['.name | test("^x$")', [true]],
    ['[.items[].id] | join("-")', ['1-2-3']],
    ['.items[] | .price * 2', [20, 50, 10]],
    ['.nested | .. | numbers?', 'error'],
    ['[range(3)]', [[0, 1, 2]]],
    ['.name | type', ['string']],
    ['.items | first | .id', [1]],
    ['.nested.deep.v | reverse', [[3, 2, 1]]],
    ['.items[] | select(.id == 2) | not', [false]],
  ])('%s', (expression, expected) => {
    const run = (): unknown => renderTyped('{{ data | jq(expr) }}', { data, expr: expression });
    if (expected === 'error') {
      expect(captureError(run)).toMatchObject({ code: 'TROUPE_EXPR_EVALUATION' });
      return;
    }
    expect(run()).toEqual(expected);
  });

  it('parses a JSON string input first', () => {
    expect(renderTyped("{{ '{\"key\":\"my-complex\"}' | jq('.key') }}", {})).toEqual(['my-complex']);
  });

  it('returns null for null input', () => {
    expect(renderTyped("{{ null | jq('.a') }}", {})).toBeNull();
  });

  it.each(['.a[', '.a |', '{a', 'foo(', '.a ^ 1'])('rejects the invalid expression %j', (expression) => {
    expect(captureError(() => renderTyped('{{ data | jq(expr) }}', { data, expr: expression }))).toMatchObject({ code: 'TROUPE_EXPR_SYNTAX' });
  });

  it('bounds runaway generators', () => {
    expect(captureError(() => renderTyped("{{ data | jq('[range(100000000)]') }}", { data }))).toMatchObject({ code: 'TROUPE_EXPR_LIMIT' });
  });
});

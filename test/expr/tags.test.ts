import { describe, it, expect } from 'vitest';
import { renderString } from '../../src/expr/index.js';

const ctx = {
  list: ['a', 'b', 'c'],
  map: { k1: 'v1', k2: 'v2' },
  empty: [],
  n: 5,
  nested: [[1, 2], [3]],
};

describe('tags', () => {
  it.each([
    ['{% if n > 3 %}big{% endif %}', 'big'],
    ['{% if n > 9 %}big{% else %}small{% endif %}', 'small'],
    ['{% if n > 9 %}a{% elseif n > 4 %}b{% else %}c{% endif %}', 'b'],
    ['{% if n > 9 %}a{% elseif n > 7 %}b{% endif %}', ''],
    ['{% if list %}non-empty{% endif %}', 'non-empty'],
    ['{% if empty %}x{% else %}empty{% endif %}', 'empty'],
    ['{% if missing is defined %}x{% else %}undefined{% endif %}', 'undefined'],
    ['{% for x in list %}{{ x }}{% endfor %}', 'abc'],
    ['{% for x in list %}{{ loop.index }}/{{ loop.length }}{{ loop.first ? "F" : "" }}{{ loop.last ? "L" : "" }} {% endfor %}', '0/3F 1/3 2/3L '],
    ['{% for x in list %}{{ loop.revindex }}{% endfor %}', '210'],
    ['{% for k, v in map %}{{ k }}={{ v }};{% endfor %}', 'k1=v1;k2=v2;'],
    ['{% for e in map %}{{ e.key }}:{{ e.value }} {% endfor %}', 'k1:v1 k2:v2 '],
    ['{% for i, x in list %}{{ i }}{{ x }}{% endfor %}', '0a1b2c'],
    ['{% for x in empty %}x{% else %}none{% endfor %}', 'none'],
    ['{% for row in nested %}[{% for c in row %}{{ c }}{% endfor %}]{% endfor %}', '[12][3]'],
    ['{% for i in 1..3 %}{{ i }}{% endfor %}', '123'],
    ['{% for i in range(0, 6, 2) %}{{ i }}{% endfor %}', '0246'],
    ['{% set x = n * 2 %}{{ x }}', '10'],
    ['{% set total = 0 %}{% for i in 1..4 %}{% set total = total + i %}{% endfor %}{{ total }}', '10'],
    ['{% for i in 1..2 %}{% set inner = i %}{% endfor %}{{ inner is defined }}', 'false'],
    ['{% set list = "shadow" %}{{ list }}', 'shadow'],
    ['{% filter upper %}hello {{ list[0] }}{% endfilter %}', 'HELLO A'],
    ['{% raw %}{{ not rendered }} {% if %}{% endraw %}', '{{ not rendered }} {% if %}'],
    ['{% verbatim %}{{ x }}{% endverbatim %}', '{{ x }}'],
    ['a{# a comment {{ x }} #}b', 'ab'],
    // whitespace control
    ['a  {{- n }}', 'a5'],
    ['{{ n -}}   b', '5b'],
    ['a \n {%- if true -%} \n b \n {%- endif -%} \n c', 'abc'],
    ['x\n{% if true %}\ny\n{% endif %}\nz', 'x\n\ny\n\nz'],
    ['{%- for x in list -%}\n{{ x }}\n{%- endfor -%}', 'abc'],
  ])('%j → %j', (template, expected) => {
    expect(renderString(template, ctx)).toBe(expected);
  });

  it('renders the errorLogs() loop of errors.yaml with a host function', () => {
    const template = '{%- for log in errorLogs() -%}\n- task: {{ log.taskId }}, message: {{ log.message }}\n{%- endfor -%}';
    const functions = { errorLogs: () => [{ taskId: 'failed', message: 'Task failure' }] };
    expect(renderString(template, {}, { functions })).toBe('- task: failed, message: Task failure');
  });

  it('does not write `set` variables into the context', () => {
    const context: Record<string, unknown> = { a: 1 };
    renderString('{% set a = 2 %}{% set b = 3 %}{{ a }}', context);
    expect(context).toEqual({ a: 1 });
  });
});

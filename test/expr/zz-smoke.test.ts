import { it } from 'vitest';
import { renderString, renderTyped } from '../../src/expr/index.js';
it('smoke', () => {
  const ctx = { inputs: { a: 1, s: 'x', m: { k: 'v', n: null } }, list: [1, 2, 3], outputs: {} };
  const cases = ['{{ 1 + 2 }}', '{{ 10 / 4 }}', '{{ 1.0 }}', '{{ 1.5 * 2 }}', '{{ inputs.m }}', '{{ inputs }}', '{{ list[1] }}', "{{ inputs['s'] ~ 'y' }}",
   '{% for x in list %}{{ loop.index }}:{{ x }},{% endfor %}', '{% if inputs.a == 1 %}yes{% else %}no{% endif %}', '{{ outputs.x ?? "d" }}',
   '{{ "a#{inputs.a + 1}b" }}', '{{ 10000000.0 }}', '{{ 1..3 }}', '{% set y = 5 %}{{ y * 2 }}', '{{ inputs.a > 0 ? "p" : "n" }}', "{{ '4' == 4 }}", '{{ null }}x',
   '  {{- inputs.a -}}  \n', '{% raw %}{{ x }}{% endraw %}', '{# c #}ok', '{{ x is defined }}', '{{ inputs.a is not defined }}', '{{ not true }}'];
  for (const c of cases) console.log(JSON.stringify(c), '=>', JSON.stringify(renderString(c, ctx)));
  console.log(renderTyped('{{ inputs.m }}', ctx), renderTyped('{{ 1.0 }}', ctx), renderTyped('{{ 1 }}{{ 2 }}', ctx));
  for (const c of ['{{ inputs.invalid }}', '{{ nope }}', '{{\n a.b }}', '{{ (1 }}', "{{ ''.constructor }}", "{{ inputs['__proto__'] }}"]) {
    try { renderString(c, ctx); } catch (e) { console.log(JSON.stringify(c), (e as any).code, (e as Error).message); }
  }
});

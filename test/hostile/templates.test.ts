/**
 * Hostile templates, table-driven (issue 10 §3): each case is a template that once hung a render,
 * aborted V8 or exhausted the heap. Each must now end with its expected clear error (or its right
 * value, for the regular expressions that used to backtrack) within a generous wall-clock guard,
 * with the process alive. Cases run in a worker thread (on the build, like the engine's threads)
 * that is terminated if the guard expires, so a regression shows as a failed case, not a hung run.
 * The guard is not a speed target: the evaluation budget (src/expr/budget.ts) is what bounds them.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderLimits } from '../../src/expr/index.js';
import { openTestEngine } from '../helpers/engine.js';

/** A variable built in the worker: `repeat` repeated `times` times, then `tail`. */
interface BigString {
  repeat: string;
  times: number;
  tail?: string;
}

interface Case {
  name: string;
  template: string;
  vars?: Record<string, string | number | BigString>;
  mode?: 'string' | 'typed';
  limits?: Partial<RenderLimits>;
  /** the error expected: its code and a fragment of its message (the limit it names) */
  error?: { code: string; message: string };
  /** or the rendered text expected */
  value?: string;
  /** or the length of the rendered text */
  length?: number;
}

/**
 * Ends a case that has not answered in this time: a hang, not a slow machine. The slowest cases
 * take about a second on a quiet 2-core machine, three when it is shared; a regression to a hang
 * or to exponential time blows far past this.
 */
const GUARD_MS = 10_000;

const limit = (name: string): Case['error'] => ({ code: 'TROUPE_EXPR_LIMIT', message: `(${name})` });

const BIG = { repeat: 'x', times: 1_600_000 };
const REDOS = { repeat: 'a', times: 50_000, tail: '!' };
/** A map that is 61 objects in memory and 2^60 leaves when walked: `{% set m = {'a': m, 'b': m} %}` × 60. */
const sharedMap = (name: string): string => `{% set ${name} = 1 %}${`{% set ${name} = {'a': ${name}, 'b': ${name}} %}`.repeat(60)}`;
const M = sharedMap('m');
const N = sharedMap('n');
const REFS = "{% set l = [] %}{% for i in 1..2000 %}{% set l = l | merge([big]) %}{% endfor %}";
const jq = (program: string, input = '1'): string => `{{ ${input} | jq('${program}') }}`;

const CASES: Case[] = [
  // V8 "invalid size error" (an uncatchable abort) and heap exhaustion
  { name: 'a list doubled 40 times with merge', template: '{% set l = [1] %}{% for i in 1..40 %}{% set l = l | merge(l) %}{% endfor %}{{ l | length }}', error: limit('maxCollectionSize') },
  { name: 'a list doubled 40 times with +', template: '{% set l = [1] %}{% for i in 1..40 %}{% set l = l + l %}{% endfor %}{{ l | length }}', error: limit('maxCollectionSize') },
  { name: 'a map grown by merge in a loop (quadratic copying)', template: "{% set m = {} %}{% for i in 1..100000 %}{% set m = m | merge({('k' ~ i): i}) %}{% endfor %}{{ m | length }}", error: limit('maxSteps') },
  { name: 'a string doubled 40 times with ~', template: "{% set s = 'ab' %}{% for i in 1..40 %}{% set s = s ~ s %}{% endfor %}{{ s | length }}", error: limit('maxOutputChars') },
  { name: 'a 1.6 MB string concatenated 2,000 times', template: "{% set out = '' %}{% for i in 1..2000 %}{% set out = out ~ big %}{% endfor %}{{ out | length }}", vars: { big: BIG }, error: limit('maxOutputChars') },
  { name: '2,000 references to a 1.6 MB string, printed', template: `${REFS}{{ l }}`, vars: { big: BIG }, error: limit('maxOutputChars') },
  { name: '2,000 references to a 1.6 MB string, joined', template: `${REFS}{{ l | join(',') }}`, vars: { big: BIG }, error: limit('maxOutputChars') },
  { name: '2,000 references to a 1.6 MB string, as YAML', template: `${REFS}{{ l | yaml }}`, vars: { big: BIG }, error: limit('maxOutputChars') },
  { name: '2,000 copies of a 1.6 MB string built', template: '{% for i in 1..2000 %}{% set u = big | upper %}{% endfor %}done', vars: { big: BIG }, error: limit('maxBuiltChars') },
  { name: 'a 1.6 MB string with every character replaced by itself', template: "{{ big | replace({'x': big}) | length }}", vars: { big: BIG }, error: limit('maxOutputChars') },
  { name: 'a 1.6 MB string split into characters', template: "{{ big | split('') | length }}", vars: { big: BIG }, error: limit('maxCollectionSize') },
  { name: 'an indent of a billion spaces', template: "{{ 'a\nb' | indent(1000000000) }}", error: limit('maxOutputChars') },

  // renders that never ended: walks of a structure shared 2^60 ways
  { name: 'shared structure: ==', template: `${M}${N}{{ m == n }}`, error: limit('maxSteps') },
  { name: 'shared structure: !=', template: `${M}${N}{{ m != n }}`, error: limit('maxSteps') },
  { name: 'shared structure: contains', template: `${M}${N}{{ [m] contains n }}`, error: limit('maxSteps') },
  { name: 'shared structure: printed', template: `${M}{{ m }}`, error: limit('maxOutputChars') },
  { name: 'shared structure: toJson', template: `${M}{{ m | toJson }}`, error: limit('maxOutputChars') },
  { name: 'shared structure: yaml', template: `${M}{{ m | yaml }}`, error: limit('maxOutputChars') },
  { name: 'shared structure: replace (keeps the sharing)', template: `${M}{{ m | replace({'a': 'b'}) | length }}`, value: '2' },
  { name: 'shared structure: replace, printed', template: `${M}{{ m | replace({'a': 'b'}) }}`, error: limit('maxOutputChars') },
  { name: 'shared structure: jq ..', template: `${M}{{ m | jq('..') | length }}`, error: limit('maxSteps') },
  { name: 'shared structure: jq tojson', template: `${M}{{ m | jq('tojson') | length }}`, error: limit('maxSteps') },
  { name: 'shared structure: render(), printed', template: `${M}{{ render(m) }}`, error: limit('maxOutputChars') },
  { name: 'shared structure: typed render', template: `${M}{{ m }}`, mode: 'typed', error: limit('maxSteps') },

  // regular expressions that backtracked: now linear, with the right answer
  { name: 'regex backtracking in replace', template: "{{ s | replace({'(a+)+$': 'x'}, regexp=true) | length }}", vars: { s: REDOS }, value: '50001' },
  { name: 'regex backtracking in replace, matching', template: "{{ s | replace({'(a|aa)+$': 'x'}, regexp=true) }}", vars: { s: { repeat: 'a', times: 50_000 } }, value: 'x' },
  { name: 'regex backtracking in jq test', template: `{{ {'s': s} | jq('.s | test("(a+)+$")') | first }}`, vars: { s: REDOS }, value: 'false' },
  { name: 'regex backtracking in a date existingFormat', template: "{{ s | date('iso', existingFormat='yMyMyMyMyMyMyMyMyMyMyMyMyMyMyMyMyMyMyMyM') }}", vars: { s: { repeat: '1', times: 60, tail: 'x' } }, error: { code: 'TROUPE_EXPR_EVALUATION', message: 'as a date' } },
  { name: 'regex lookahead refused in replace', template: "{{ 'ab' | replace({'a(?=b)': 'x'}, regexp=true) }}", error: { code: 'TROUPE_EXPR_REGEX_UNSUPPORTED', message: 'lookahead' } },
  { name: 'regex negative lookahead refused in jq test', template: `{{ 'ab' | toJson | jq('test("a(?!b)")') }}`, error: { code: 'TROUPE_EXPR_REGEX_UNSUPPORTED', message: 'lookahead' } },
  { name: 'regex backreference refused', template: "{{ 'aa' | replace({'(a)\\\\1': 'x'}, regexp=true) }}", error: { code: 'TROUPE_EXPR_REGEX_UNSUPPORTED', message: 'backreference' } },
  { name: 'regex lookbehind runs in linear time', template: "{{ 'ab cb' | replace({'(?<=a)b': 'X'}, regexp=true) }}", value: 'aX cb' },

  // the engine's own patterns that backtracked on a long run inside the input (/x+$/ is quadratic)
  { name: 'trim of a long run of inner spaces', template: '{{ s | trim | length }}', vars: { s: { repeat: ' ', times: 1_000_000, tail: 'b' } }, value: '1' },
  { name: 'slugify of a long run of inner dashes', template: '{{ s | slugify | length }}', vars: { s: { repeat: '-', times: 1_000_000, tail: 'b' } }, value: '1' },
  { name: 'base64decode of a long run of inner =', template: '{{ s | base64decode }}', vars: { s: { repeat: '=', times: 1_000_000, tail: 'QQ' } }, error: { code: 'TROUPE_EXPR_EVALUATION', message: 'not valid base64' } },
  { name: 'whitespace control after a long run of inner spaces', template: `a${' '.repeat(200_000)}b  {{- 1 }}`, length: 200_003 },
  { name: 'a jq program padded with whitespace', template: `{{ 1 | jq('.${' '.repeat(200_000)}') | first }}`, value: '1' },

  // YAML parsed by yaml(): the guarded reader of flows, not the yaml package's recursive parse
  { name: 'yaml() of 100,000 nested [', template: '{{ yaml(s) }}', vars: { s: { repeat: '[', times: 100_000 } }, error: { code: 'TROUPE_EXPR_LIMIT', message: 'nested deeper' } },
  { name: 'yaml() of 2,000 nested block maps', template: '{{ yaml(s) }}', vars: { s: 'a:\n' + Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n') }, error: { code: 'TROUPE_EXPR_LIMIT', message: 'nested deeper' } },
  { name: 'yaml() of an alias bomb', template: '{{ yaml(s) | length }}', vars: { s: 'a: &a [x, x, x, x, x, x, x, x, x, x]\n' + Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n') }, error: { code: 'TROUPE_EXPR_LIMIT', message: 'aliases' } },

  // jq programs that multiply their input
  { name: 'jq {a:., b:.} chained 30 times, printed', template: jq(Array.from({ length: 30 }, () => '{a:., b:.}').join(' | ')), error: limit('maxOutputChars') },
  { name: 'jq {a:., b:.} chained 30 times, serialized', template: jq(`${Array.from({ length: 30 }, () => '{a:., b:.}').join(' | ')} | tojson | length`), error: limit('maxOutputChars') },
  { name: 'jq products of [range(1000)]', template: jq('[range(1000)] | [.[] + .[] + .[]] | length'), error: limit('maxCollectionSize') },
  { name: 'jq object construction products', template: jq('[{a: range(1000), b: range(1000), c: range(1000)}] | length'), error: limit('maxSteps') },
  { name: 'jq . + . doubling a list', template: jq(`[range(1000)] | ${'. + . | '.repeat(30)}length`), error: limit('maxCollectionSize') },
  { name: 'jq . + . doubling a string', template: jq(`"ab" | ${'. + . | '.repeat(40)}length`), error: limit('maxOutputChars') },
  { name: 'jq sorting a product', template: jq('[range(1000)] | [.[] * .[]] | sort | length'), error: limit('maxSteps') },

  // the other limits, and a lowered one
  { name: 'render() calling itself', template: "{% set s = '{{ render(s) }}' %}{{ render(s) }}", error: limit('maxDepth') },
  { name: 'nested loops of 10^7 iterations', template: '{% for i in 1..1000 %}{% for j in 1..1000 %}{% for k in 1..10 %}{% endfor %}{% endfor %}{% endfor %}', error: limit('maxIterations') },
  { name: 'a long loop of arithmetic under a lowered maxSteps', template: `{% for i in 1..100000 %}{{ ${Array.from({ length: 20 }, () => 'i').join(' + ')} }}{% endfor %}`, limits: { maxSteps: 1_000_000 }, error: limit('maxSteps') },
  { name: 'a range of a billion', template: '{{ (0..1000000000) | length }}', error: limit('maxRangeSize') },
  { name: 'an output with an endraw then 100,000 raw openings', template: "{{ '{% endraw %}' }}{% for i in 1..100000 %}{{ '{% raw %}' }}{% endfor %}", length: 12 + 9 * 100_000 },
];

let worker: Worker | undefined;
let nextId = 0;

function thread(): Worker {
  worker ??= new Worker(new URL('./render-worker.mjs', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 1024 } });
  return worker;
}

interface Reply {
  ok: boolean;
  value?: string;
  length?: number;
  code?: string;
  message?: string;
  stack?: string;
  ms: number;
}

/** Renders a case in the worker; rejects if the worker dies or the guard expires (then the worker is replaced). */
function render(c: Case): Promise<Reply> {
  const w = thread();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const fail = (why: string): void => {
      done();
      worker = undefined;
      void w.terminate();
      reject(new Error(`${c.name}: ${why}`));
    };
    const timer = setTimeout(() => fail(`did not end within ${GUARD_MS} ms (a hang)`), GUARD_MS);
    const onMessage = (m: Reply & { id: number }): void => {
      if (m.id !== id) return;
      done();
      resolve(m);
    };
    const onError = (err: Error): void => fail(`the render thread died: ${err.message}`);
    const onExit = (code: number): void => fail(`the render thread exited with ${code}`);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    w.postMessage({ id, template: c.template, vars: c.vars, mode: c.mode, limits: c.limits });
  });
}

afterAll(async () => {
  await worker?.terminate();
});

describe('hostile templates end with a clear error, in bounded time, the process alive', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply = await render(c);
    if (c.error) {
      expect(reply, reply.ok ? `rendered instead of failing: ${reply.value}` : reply.stack).toMatchObject({ ok: false, code: c.error.code });
      expect(reply.message).toContain(c.error.message);
      expect(reply.message).not.toMatch(/\n\s+at /);
    } else {
      expect(reply, reply.stack).toMatchObject(c.length === undefined ? { ok: true, value: c.value } : { ok: true, length: c.length });
    }
  });
});

/** A flow of one task whose property (`key`) holds `template`. */
function hostileFlow(id: string, type: string, key: string, template: string): string {
  return `id: ${id}\nnamespace: hostile\ntasks:\n  - id: bomb\n    type: ${type}\n    ${key}: ${JSON.stringify(template)}\n`;
}

const WELL_BEHAVED = `id: fine
namespace: hostile
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.EachSequential
    value: '["a", "b", "c", "d"]'
    tasks:
      - id: echo
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value | upper }} {{ [1, 2] == [1, 2] }} {{ 'x1y22' | replace({'[0-9]+': '#'}, regexp=true) }}"
`;

describe('a hostile template in a flow, through the engine (shard and pool threads)', () => {
  it('fails that task with the limit named, while executions running at the same time succeed', async () => {
    const { engine, dispose } = await openTestEngine({ poolThreads: 2 });
    try {
      const bombs = [
        { flow: hostileFlow('doubling', 'io.kestra.plugin.core.debug.Return', 'format', CASES[0]!.template), names: '(maxCollectionSize)' },
        { flow: hostileFlow('equality', 'io.kestra.plugin.core.debug.Return', 'format', `${M}${N}{{ m == n }}`), names: '(maxSteps)' },
        { flow: hostileFlow('run-if', 'io.kestra.plugin.core.log.Log', 'runIf', `${M}{{ m }}`).replace('runIf:', 'message: hi\n    runIf:'), names: '(maxOutputChars)' },
        { flow: hostileFlow('regex', 'io.kestra.plugin.core.debug.Return', 'format', "{{ 'ab' | replace({'a(?=b)': 'x'}, regexp=true) }}"), names: 'lookahead' },
      ];
      const deployed = await Promise.all([...bombs.map((b) => engine.deploy(b.flow)), engine.deploy(WELL_BEHAVED)]);
      const ids = await Promise.all(deployed.map((d) => engine.execute(d.namespace, d.id)));
      const ends = await Promise.all(ids.map((id) => engine.waitFor(id)));
      const fine = ends.at(-1)!;
      expect(fine.state.current).toBe('SUCCESS');
      expect(fine.taskRunList!.filter((r) => r.taskId === 'echo').map((r) => r.outputs?.['value'])).toEqual(['A true x#y#', 'B true x#y#', 'C true x#y#', 'D true x#y#']);
      bombs.forEach((bomb, i) => {
        const x = ends[i]!;
        expect(x.state.current, bomb.flow).toBe('FAILED');
        expect(x.taskRunList!.map((r) => [r.taskId, r.state.current])).toEqual([['bomb', 'FAILED']]);
        const errors = engine.logs(x.id).filter((l) => l.level === 'ERROR');
        expect(errors.map((l) => l.message).join('\n'), bomb.flow).toContain(bomb.names);
        for (const l of errors) expect(l.message).not.toMatch(/\n\s+at /);
      });
    } finally {
      await dispose();
    }
  });
});

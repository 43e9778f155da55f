/**
 * What does rendering a typical Kestra expression cost, parsed for the first time versus served
 * from the compiled-template cache? Reports mean µs per render for each expression; never asserts.
 * Run compiled: `node templating.bench.js [--quick]`.
 */
import { Bench } from 'tinybench';
import { clearTemplateCache, renderString } from '../src/expr/index.js';

/** Options of {@link runTemplatingSuite}. */
export interface TemplatingSuiteOptions {
  /** short budgets for smoke runs */
  quick: boolean;
}

/** One expression's cost, first use and cached. */
export interface TemplatingResult {
  scenario: string;
  firstUseUs: number;
  cachedUs: number;
}

/** Typical templates of Kestra flows, as data. */
const SCENARIOS: ReadonlyArray<{ name: string; template: string }> = [
  { name: 'variable', template: '{{ taskrun.value }}' },
  { name: 'loop output', template: "{{task.id}} > {{ outputs['1-1_return'][taskrun.value].value }} > {{taskrun.startDate}}" },
  { name: 'coalesce', template: "{{ outputs.default.value ?? outputs['error-t1'].value }}" },
  { name: 'condition', template: "{{ inputs.param == 'fail' and taskrun.attemptsCount < 3 ? 'retry' : 'ok' }}" },
  { name: 'filters', template: "{{ inputs.name | lower | replace({' ': '-'}) | default('none') }}" },
  { name: 'jq', template: "{{ parent.taskrun.value | jq('.key') | first }}" },
  { name: 'date', template: "{{ taskrun.startDate | date('yyyy-MM-dd HH:mm', timeZone='Europe/Paris') }}" },
  { name: 'for loop', template: '{% for item in inputs.items %}{{ loop.index }}={{ item }}{% if not loop.last %},{% endif %}{% endfor %}' },
];

const CONTEXT = {
  task: { id: '1-2_return', type: 'io.kestra.plugin.core.debug.Return' },
  taskrun: { id: '5cHIjDqZ9k', value: 'a a', attemptsCount: 0, startDate: '2024-05-01T10:00:00.123Z' },
  parent: { taskrun: { value: '{"key":"my-key","value":"my-value"}' } },
  inputs: { param: 'ok', name: 'Hello World', items: ['a', 'b', 'c', 'd', 'e'] },
  outputs: { '1-1_return': { 'a a': { value: 'v' } }, default: { value: null }, 'error-t1': { value: 'fallback' } },
};

async function meanUs(name: string, fn: () => void, quick: boolean): Promise<number> {
  const bench = new Bench({ name, time: quick ? 50 : 500, warmupIterations: quick ? 5 : 50, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]?.result;
  return result && 'latency' in result ? result.latency.mean * 1000 : Number.NaN;
}

/**
 * Measures each scenario twice: with the cache emptied before every render (first use: lex,
 * parse, evaluate) and with the parse cached (evaluate only).
 */
export async function runTemplatingSuite(options: TemplatingSuiteOptions): Promise<TemplatingResult[]> {
  const results: TemplatingResult[] = [];
  for (const { name, template } of SCENARIOS) {
    const firstUseUs = await meanUs(`${name} first use`, () => {
      clearTemplateCache();
      renderString(template, CONTEXT);
    }, options.quick);
    renderString(template, CONTEXT);
    const cachedUs = await meanUs(`${name} cached`, () => void renderString(template, CONTEXT), options.quick);
    results.push({ scenario: name, firstUseUs, cachedUs });
  }
  return results;
}

if (process.argv[1]?.includes('templating.bench')) {
  const results = await runTemplatingSuite({ quick: process.argv.includes('--quick') });
  console.table(results.map((r) => ({
    scenario: r.scenario,
    'first use µs': Number(r.firstUseUs.toFixed(2)),
    'cached µs': Number(r.cachedUs.toFixed(2)),
    speed_up: Number((r.firstUseUs / r.cachedUs).toFixed(1)),
  })));
}

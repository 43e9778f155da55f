/**
 * What does rendering a typical Kestra expression cost, parsed for the first time versus served
 * from the compiled-template cache? Each scenario is a template Kestra flows write in task
 * properties, rendered (string render, as the worker does) over a task-run context shaped like the
 * one `runVars()` builds. Reports mean µs per render; never asserts.
 */
import { Bench } from 'tinybench';
import { clearTemplateCache, renderString, type RenderOptions } from '../expr/index.js';

/** One templating scenario: a named template. */
export interface TemplatingScenario {
  /** The name results carry. */
  name: string;
  /** The template, as a flow would write it. */
  template: string;
}

/** Options of {@link runTemplatingSuite}. */
export interface TemplatingSuiteOptions {
  /** Short time budgets (about a second in all), for smoke runs; figures are noisier. */
  quick: boolean;
  /**
   * The templates to measure.
   * @default templatingScenarios()
   */
  scenarios?: readonly TemplatingScenario[];
  /** Called before each measurement: what is measured, and how many of `total` are done. */
  onProgress?: (label: string, done: number, total: number) => void;
}

/** One expression's cost, first use and cached. */
export interface TemplatingResult {
  /** The scenario's name. */
  name: string;
  /** The template rendered. */
  template: string;
  /** Mean µs per render with the template cache emptied before each one: lex, parse, evaluate. */
  firstUseUs: number;
  /** Mean µs per render with the parse served from the cache: evaluate only. */
  cachedUs: number;
}

/** Typical templates of Kestra flows, as data (the conformance flows and Kestra's docs). */
const SCENARIOS: readonly TemplatingScenario[] = Object.freeze([
  { name: 'variable', template: '{{ taskrun.value }}' },
  { name: 'loop output', template: "{{task.id}} > {{ outputs['1-1_return'][taskrun.value].value }} > {{taskrun.startDate}}" },
  { name: 'coalesce', template: "{{ outputs.default.value ?? outputs['error-t1'].value }}" },
  { name: 'condition', template: "{{ inputs.param == 'fail' and taskrun.attemptsCount < 3 ? 'retry' : 'ok' }}" },
  { name: 'filters', template: "{{ inputs.name | lower | replace({' ': '-'}) | default('none') }}" },
  { name: 'toJson', template: "{{ outputs['1-1_return'] | toJson }}" },
  { name: 'jq', template: "{{ parent.taskrun.value | jq('.key') | first }}" },
  { name: 'date', template: "{{ taskrun.startDate | date('yyyy-MM-dd HH:mm', timeZone='Europe/Paris') }}" },
  { name: 'render vars', template: '{{ render(vars.greeting) }}' },
  { name: 'for loop', template: '{% for item in inputs.items %}{{ loop.index }}={{ item }}{% if not loop.last %},{% endif %}{% endfor %}' },
]);

/** The render context: what a task run inside a ForEach sees. */
const CONTEXT: Record<string, unknown> = {
  flow: { id: 'templating', namespace: 'io.kestra.bench', revision: 1 },
  execution: { id: '4wjtkzwVGBM9yKnjm3yv8r', startDate: '2024-05-01T10:00:00.000Z', originalId: '4wjtkzwVGBM9yKnjm3yv8r' },
  task: { id: '1-2_return', type: 'io.kestra.plugin.core.debug.Return' },
  taskrun: { id: '5cHIjDqZ9k', value: 'a a', attemptsCount: 0, startDate: '2024-05-01T10:00:00.123Z' },
  parents: [{ taskrun: { value: '{"key":"my-key","value":"my-value"}' } }],
  parent: { taskrun: { value: '{"key":"my-key","value":"my-value"}' } },
  inputs: { param: 'ok', name: 'Hello World', items: ['a', 'b', 'c', 'd', 'e'] },
  outputs: { '1-1_return': { 'a a': { value: 'v' }, b: { value: 'w' } }, default: { value: null }, 'error-t1': { value: 'fallback' } },
  vars: { name: 'Kestra', greeting: 'Hello {{ vars.name }} from {{ flow.namespace }}' },
  labels: { team: 'data' },
  envs: {},
  globals: {},
};

/** The same clock on every render, so `now()` never varies between runs. */
const RENDER_OPTIONS: RenderOptions = { now: () => Date.UTC(2024, 4, 1, 10) };

/** The scenarios of the suite (a copy: callers may pick from it). */
export function templatingScenarios(): TemplatingScenario[] {
  return SCENARIOS.map((s) => ({ ...s }));
}

/** Mean µs of one call of `fn`, measured by tinybench. */
async function meanUs(name: string, fn: () => void, quick: boolean): Promise<number> {
  const bench = new Bench({ name, time: quick ? 50 : 500, warmupIterations: quick ? 5 : 50, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]!.result;
  if (result.state !== 'completed') throw new Error(`benchmark ${name} did not complete: ${result.state}`);
  return result.latency.mean * 1000;
}

/**
 * Measures each scenario twice: with the template cache emptied before every render (first use:
 * lex, parse, evaluate) and with the parse cached (evaluate only). A scenario that fails to
 * render is an error, before anything is timed.
 * @param options `quick` for short budgets; `scenarios` to measure other templates; `onProgress`
 * @returns one result per scenario, in order
 */
export async function runTemplatingSuite(options: TemplatingSuiteOptions): Promise<TemplatingResult[]> {
  const scenarios = options.scenarios ?? SCENARIOS;
  const progress = options.onProgress ?? (() => {});
  for (const { template } of scenarios) renderString(template, CONTEXT, RENDER_OPTIONS);
  const results: TemplatingResult[] = [];
  for (const [i, { name, template }] of scenarios.entries()) {
    progress(`${name} first use`, 2 * i, 2 * scenarios.length);
    const firstUseUs = await meanUs(`${name} first use`, () => {
      clearTemplateCache();
      renderString(template, CONTEXT, RENDER_OPTIONS);
    }, options.quick);
    progress(`${name} cached`, 2 * i + 1, 2 * scenarios.length);
    renderString(template, CONTEXT, RENDER_OPTIONS);
    const cachedUs = await meanUs(`${name} cached`, () => void renderString(template, CONTEXT, RENDER_OPTIONS), options.quick);
    results.push({ name, template, firstUseUs, cachedUs });
  }
  return results;
}

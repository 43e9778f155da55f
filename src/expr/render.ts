/**
 * The three render modes of Kestra (§5.3): string, typed and object render.
 */
import { ExpressionError } from '../errors.js';
import { Budget } from './budget.js';
import { compileTemplate } from './cache.js';
import { exprError } from './diagnostics.js';
import { Evaluator } from './evaluator.js';
import type { ResolvedRenderOptions } from './context.js';
import { resolveRenderOptions, type RenderOptions } from './options.js';
import { StringOutput, TypedOutput, type Output } from './output.js';
import { replaceAllRe2, re2 } from './regex.js';
import { isMap } from './values.js';

function run(source: string, context: Record<string, unknown>, options: ResolvedRenderOptions, budget: Budget, out: Output): void {
  const { nodes } = compileTemplate(source);
  const evaluator = new Evaluator(source, context, options, budget, compileTemplate);
  try {
    evaluator.run(nodes, out, 0);
  } catch (err) {
    budget.depth = 0;
    // Errors raised outside an expression (output size) get the template attached here.
    if (err instanceof ExpressionError && err.details?.['template'] === undefined) throw exprError(err.code, err.message, source, 0);
    throw err;
  }
}

/**
 * Renders a template to a string: maps and lists print as compact JSON, null as nothing.
 * A source without `{` is returned as-is.
 * @example renderString('Hello {{ inputs.name }}', { inputs: { name: 'World' } }) // 'Hello World'
 */
export function renderString(source: string, context: Record<string, unknown>, options?: RenderOptions): string {
  if (!source.includes('{')) return source;
  const resolved = resolveRenderOptions(options);
  return renderStringWith(source, context, resolved, new Budget(resolved.limits));
}

function renderStringWith(source: string, context: Record<string, unknown>, options: ResolvedRenderOptions, budget: Budget): string {
  if (!source.includes('{')) return source;
  const out = new StringOutput(budget);
  run(source, context, options, budget, out);
  const text = out.result();
  // As Kestra: a `{% raw %}…{% endraw %}` that a value brought into the output is unwrapped
  // (with the linear-time engine: the output is data a template may have shaped).
  return text.includes('raw') && text.includes('endraw') ? replaceAllRe2(re2(RAW_IN_OUTPUT), text, (m) => m[1] ?? '') : text;
}

const RAW_IN_OUTPUT = '\\{%-?\\s*raw\\s*-?%\\}((?s:.*?))\\{%-?\\s*endraw\\s*-?%\\}';

/**
 * Typed render: a template that is a single `{{ expr }}` yields the value itself (map, list,
 * number, boolean, null); otherwise the pieces are combined as Kestra does (strings concatenate).
 */
export function renderTyped(source: string, context: Record<string, unknown>, options?: RenderOptions): unknown {
  if (!source.includes('{')) return source;
  const resolved = resolveRenderOptions(options);
  const budget = new Budget(resolved.limits);
  const out = new TypedOutput(budget);
  run(source, context, resolved, budget, out);
  return out.result();
}

/**
 * Renders every string inside a value (map keys too), recursively; other scalars are returned
 * unchanged. Maps come back as fresh plain objects, never the input objects.
 */
export function renderObject(value: unknown, context: Record<string, unknown>, options?: RenderOptions): unknown {
  const resolved = resolveRenderOptions(options);
  return renderValue(value, context, resolved, new Budget(resolved.limits), 0);
}

/** Renders the strings of `value`; one budget for them all, and a step per node of the value. */
function renderValue(value: unknown, context: Record<string, unknown>, options: ResolvedRenderOptions, budget: Budget, depth: number): unknown {
  if (typeof value === 'string') return renderStringWith(value, context, options, budget);
  if (depth > options.limits.maxDepth * 5) {
    throw new ExpressionError('TROUPE_EXPR_LIMIT', `Value to render nests deeper than ${options.limits.maxDepth * 5} levels`);
  }
  if (value === null || typeof value !== 'object') return value;
  budget.step(1);
  if (Array.isArray(value)) return value.map((v) => renderValue(v, context, options, budget, depth + 1));
  if (isMap(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [renderStringWith(k, context, options, budget), renderValue(v, context, options, budget, depth + 1)]),
    );
  }
  return value;
}

/**
 * Kestra's TruthUtils: false for null/undefined, `false`, and the strings `false`, `0`, `-0` and
 * `` (after String()); true otherwise.
 */
export function isTruthy(rendered: unknown): boolean {
  if (rendered === null || rendered === undefined || rendered === false) return false;
  const s = String(rendered).trim();
  return !(s === 'false' || s === '0' || s === '-0' || s === '');
}

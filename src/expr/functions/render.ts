/**
 * `render(x, recursive=true)` and `renderOnce(x)`: re-render a value with the current context.
 * Recursive rendering repeats until the text stops changing, at most 100 passes (Kestra).
 */
import { ExpressionError } from '../../errors.js';
import type { EvalContext } from '../context.js';
import { isMap } from '../values.js';

/** Kestra's cap on recursive rendering passes. */
export const MAX_RENDER_PASSES = 100;

function renderText(text: string, recursive: boolean, ctx: EvalContext): string {
  let current = ctx.renderNested(text);
  if (!recursive) return current;
  for (let pass = 1; current.includes('{'); pass++) {
    if (pass >= MAX_RENDER_PASSES) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'Too many rendering attempts');
    const next = ctx.renderNested(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * Renders strings inside `value` (maps, keys included, and lists recursively). A part shared by
 * several paths is rendered once (`done`), so the result shares it too.
 */
export function renderFunction(value: unknown, recursive: boolean, ctx: EvalContext, depth = 0, done?: Map<object, unknown>): unknown {
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'render(): value nests too deep');
  if (typeof value === 'string') return renderText(value, recursive, ctx);
  if (value === null || typeof value !== 'object') return value;
  ctx.budget.step(1);
  done ??= new Map();
  const seen = done.get(value);
  if (seen !== undefined) return seen;
  let out: unknown = value;
  if (Array.isArray(value)) {
    ctx.budget.collection(value.length);
    out = value.map((v) => renderFunction(v, recursive, ctx, depth + 1, done));
  } else if (isMap(value)) {
    const entries = Object.entries(value);
    ctx.budget.map(entries.length);
    out = Object.fromEntries(entries.map(([k, v]) => [renderText(k, recursive, ctx), renderFunction(v, recursive, ctx, depth + 1, done)]));
  }
  done.set(value, out);
  return out;
}

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

/** Renders strings inside `value` (maps, keys included, and lists recursively). */
export function renderFunction(value: unknown, recursive: boolean, ctx: EvalContext, depth = 0): unknown {
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'render(): value nests too deep');
  if (typeof value === 'string') return renderText(value, recursive, ctx);
  if (Array.isArray(value)) return value.map((v) => renderFunction(v, recursive, ctx, depth + 1));
  if (isMap(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [renderText(k, recursive, ctx), renderFunction(v, recursive, ctx, depth + 1)]));
  }
  return value;
}

/**
 * What filters, functions and host functions see of an evaluation: the template, the variables
 * in scope, the resolved options, and a way to render a nested template with the same context.
 */
import type { Budget } from './budget.js';
import type { RenderLimits } from './limits.js';

/** A host function: positional args, named args, and the evaluation context. */
export type HostFunction = (args: unknown[], named: Record<string, unknown>, ctx: EvalContext) => unknown;

/** The options of one render call with defaults applied (see options.ts). */
export interface ResolvedRenderOptions {
  readonly now: (() => number) | undefined;
  readonly functions: Readonly<Record<string, HostFunction>>;
  readonly limits: Readonly<RenderLimits>;
}

/** The evaluation context handed to filters and functions. */
export interface EvalContext {
  /** The whole template being rendered (used in error messages). */
  readonly template: string;
  /** The render context given by the caller (never written to). */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly options: ResolvedRenderOptions;
  /** The evaluation budget of the render (shared with nested renders). */
  readonly budget: Budget;
  /** Looks a variable up in the template's scopes, then in {@link variables}; undefined if absent. */
  lookup(name: string): unknown;
  /** Renders `source` (string render) with the current scopes and variables. */
  renderNested(source: string): string;
  /** Counts `n` loop-like iterations against the iteration limit. */
  tick(n: number): void;
  /** Throws TROUPE_EXPR_LIMIT if `s` is longer than the output limit (and counts it as built); returns `s`. */
  checkString(s: string): string;
}

/** A filter: `input | name(args…, key=value…)`. */
export type FilterFn = (input: unknown, args: unknown[], named: Record<string, unknown>, ctx: EvalContext) => unknown;

/** A function: `name(args…, key=value…)`. */
export type FunctionFn = (args: unknown[], named: Record<string, unknown>, ctx: EvalContext) => unknown;

/** Reads argument `name` (named) or position `index`. */
export function arg(args: unknown[], named: Record<string, unknown>, index: number, name: string): unknown {
  return Object.hasOwn(named, name) ? named[name] : args[index];
}

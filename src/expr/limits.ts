/**
 * Render limits and options: defaults in one constant, resolved once per render call.
 */
import { TroupeError } from '../errors.js';
import type { EvalContext } from './context.js';

/** Caps that keep a hostile template from exhausting memory, CPU or the stack. */
export interface RenderLimits {
  /** longest output or intermediate string, in UTF-16 code units @default 10_000_000 */
  maxOutputChars: number;
  /** loop iterations across one render, nested render() included @default 1_000_000 */
  maxIterations: number;
  /** evaluation nesting, nested render() included @default 200 */
  maxDepth: number;
  /** largest list built by `a..b` or range() @default 1_000_000 */
  maxRangeSize: number;
  /** largest list or map built by anything (operators, filters, functions, jq) @default 1_000_000 */
  maxCollectionSize: number;
  /**
   * evaluation steps across one render: expressions evaluated, elements built or copied, nodes
   * visited by equality, printing (string, JSON, YAML), `render()` and jq @default 5_000_000
   */
  maxSteps: number;
  /** characters of all the strings built across one render, output included @default 100_000_000 */
  maxBuiltChars: number;
}

/** The defaults of {@link RenderLimits}. */
export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxOutputChars: 10_000_000,
  maxIterations: 1_000_000,
  maxDepth: 200,
  maxRangeSize: 1_000_000,
  maxCollectionSize: 1_000_000,
  maxSteps: 5_000_000,
  maxBuiltChars: 100_000_000,
});

/** A host function: positional args, named args, and the evaluation context. */
export type HostFunction = (args: unknown[], named: Record<string, unknown>, ctx: EvalContext) => unknown;

/** Options of one render call. */
export interface RenderOptions {
  /** epoch-ms clock for now(); without it, now() throws */
  now?: () => number;
  /** extra host functions (read(), secret(), errorLogs(), kv() …) given by the runtime */
  functions?: Record<string, HostFunction>;
  /** overrides of {@link DEFAULT_RENDER_LIMITS} */
  limits?: Partial<RenderLimits>;
}

/** {@link RenderOptions} with defaults applied. */
export interface ResolvedRenderOptions {
  readonly now: (() => number) | undefined;
  readonly functions: Readonly<Record<string, HostFunction>>;
  readonly limits: Readonly<RenderLimits>;
}

const EMPTY_FUNCTIONS: Readonly<Record<string, HostFunction>> = Object.freeze(Object.create(null) as Record<string, HostFunction>);
const DEFAULT_RESOLVED: ResolvedRenderOptions = Object.freeze({ now: undefined, functions: EMPTY_FUNCTIONS, limits: DEFAULT_RENDER_LIMITS });

/** Validates and resolves render options. */
export function resolveRenderOptions(options: RenderOptions | undefined): ResolvedRenderOptions {
  if (!options) return DEFAULT_RESOLVED;
  const limits = { ...DEFAULT_RENDER_LIMITS };
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (!Object.hasOwn(DEFAULT_RENDER_LIMITS, key)) {
      throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown render limit '${key}'`);
    }
    if (typeof value !== 'number' || !(value > 0)) {
      throw new TroupeError('TROUPE_OPTION_INVALID', `limits.${key} must be a positive number`);
    }
    limits[key as keyof RenderLimits] = value;
  }
  const functions = options.functions ? Object.assign(Object.create(null) as Record<string, HostFunction>, options.functions) : EMPTY_FUNCTIONS;
  return { now: options.now, functions, limits };
}

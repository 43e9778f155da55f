/**
 * Render options: what a caller passes to one render call, validated and resolved once.
 */
import { TroupeError } from '../errors.js';
import type { HostFunction, ResolvedRenderOptions } from './context.js';
import { DEFAULT_RENDER_LIMITS, type RenderLimits } from './limits.js';

/** Options of one render call. */
export interface RenderOptions {
  /** epoch-ms clock for now(); without it, now() throws */
  now?: () => number;
  /** extra host functions (read(), secret(), errorLogs(), kv() …) given by the runtime */
  functions?: Record<string, HostFunction>;
  /** overrides of {@link DEFAULT_RENDER_LIMITS} */
  limits?: Partial<RenderLimits>;
}

const EMPTY_FUNCTIONS: Readonly<Record<string, HostFunction>> = Object.freeze(Object.create(null) as Record<string, HostFunction>);
const DEFAULT_RESOLVED: ResolvedRenderOptions = Object.freeze({ now: undefined, functions: EMPTY_FUNCTIONS, limits: DEFAULT_RENDER_LIMITS });

/** Options objects already resolved: a caller that renders many times with one object (a task attempt) resolves it once. */
const resolvedCache = new WeakMap<RenderOptions, ResolvedRenderOptions>();

/** Validates and resolves render options (once per options object: change them by passing a new object). */
export function resolveRenderOptions(options: RenderOptions | undefined): ResolvedRenderOptions {
  if (!options) return DEFAULT_RESOLVED;
  let resolved = resolvedCache.get(options);
  if (!resolved) {
    resolved = resolve(options);
    resolvedCache.set(options, resolved);
  }
  return resolved;
}

function resolve(options: RenderOptions): ResolvedRenderOptions {
  let limits: Readonly<RenderLimits> = DEFAULT_RENDER_LIMITS;
  if (options.limits) {
    const own = { ...DEFAULT_RENDER_LIMITS };
    for (const [key, value] of Object.entries(options.limits)) {
      if (!Object.hasOwn(DEFAULT_RENDER_LIMITS, key)) {
        throw new TroupeError('TROUPE_OPTION_INVALID', `Unknown render limit '${key}'`);
      }
      if (typeof value !== 'number' || !(value > 0)) {
        throw new TroupeError('TROUPE_OPTION_INVALID', `limits.${key} must be a positive number`);
      }
      own[key as keyof RenderLimits] = value;
    }
    limits = own;
  }
  // Read on the first host function call: a caller may build its functions on demand (a pool
  // attempt's `functions` is a getter), and most renders call none.
  let functions: Readonly<Record<string, HostFunction>> | undefined;
  return {
    now: options.now,
    get functions(): Readonly<Record<string, HostFunction>> {
      return (functions ??= options.functions ? Object.assign(Object.create(null) as Record<string, HostFunction>, options.functions) : EMPTY_FUNCTIONS);
    },
    limits,
  };
}

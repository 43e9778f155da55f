/**
 * The evaluation budget of one render: plain counters, checked wherever a value is built or a
 * structure is walked, so that a hostile template ends with TROUPE_EXPR_LIMIT in bounded time and
 * memory instead of hanging or aborting the process. A render and the renders nested in it through
 * `render()` share one budget; so do all the strings of one `renderObject` call.
 *
 * What is counted (see {@link RenderLimits}): every expression evaluated, element copied or built,
 * node visited by equality, printing (string, JSON, YAML), `render()` and jq is a step; every
 * string built is checked against the longest-string limit and added to the built-characters total;
 * every list or map built is checked against the collection-size limit. Walks of shared
 * structures (`{% set m = {'a': m, 'b': m} %}`) count every path, so a value that is small in
 * memory but huge when printed or compared runs out of steps.
 */
import { ExpressionError } from '../errors.js';
import type { RenderLimits } from './limits.js';

/** Steps an entry of a map built costs: copying map entries is several times slower than list elements. */
export const MAP_ENTRY_STEPS = 4;

/** The counters of one render, with the limits they are held to. */
export class Budget {
  /** Evaluation steps spent (see the module comment). */
  steps = 0;
  /** Characters of the strings built so far. */
  chars = 0;
  /** Loop iterations, range elements and jq results. */
  iterations = 0;
  /** Current evaluation nesting. */
  depth = 0;

  constructor(readonly limits: Readonly<RenderLimits>) {}

  /** Spends `n` steps. */
  step(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      throw limitError(`Template exceeds the limit of ${this.limits.maxSteps} evaluation steps (maxSteps): a value is too large to build, compare or print`);
    }
  }

  /** Counts `n` loop iterations (and as many steps). */
  tick(n: number): void {
    this.iterations += n;
    if (this.iterations > this.limits.maxIterations) {
      throw limitError(`Template exceeds the limit of ${this.limits.maxIterations} loop iterations (maxIterations)`);
    }
    this.step(n);
  }

  /** Checks, before it is built, that a string of `length` characters is allowed, and counts it. */
  reserveChars(length: number): void {
    if (length > this.limits.maxOutputChars) {
      throw limitError(`A string of ${length} characters exceeds the limit of ${this.limits.maxOutputChars} (maxOutputChars)`);
    }
    this.chars += length;
    if (this.chars > this.limits.maxBuiltChars) {
      throw limitError(`Template builds more than ${this.limits.maxBuiltChars} characters of strings in all (maxBuiltChars)`);
    }
  }

  /** Checks and counts a string that was built; returns it. */
  string(s: string): string {
    this.reserveChars(s.length);
    return s;
  }

  /** Checks, before it is built, that a list of `size` elements is allowed; spends `size` steps. */
  collection(size: number): void {
    if (size > this.limits.maxCollectionSize) {
      throw limitError(`A list or map of ${size} elements exceeds the limit of ${this.limits.maxCollectionSize} (maxCollectionSize)`);
    }
    this.step(size);
  }

  /** As {@link collection} for a map of `size` entries, which costs {@link MAP_ENTRY_STEPS} steps an entry to build. */
  map(size: number): void {
    this.collection(size);
    this.step(size * (MAP_ENTRY_STEPS - 1));
  }
}

/** A TROUPE_EXPR_LIMIT error (the evaluator adds the template and line). */
export function limitError(message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_LIMIT', message);
}

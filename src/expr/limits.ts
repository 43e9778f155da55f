/**
 * Render limits: the caps of one render call, with their defaults in one constant.
 */

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

/**
 * Pebble templating, Kestra's flavour: lexer → parser → tree-walking evaluator over plain data,
 * with Kestra's filters and functions, strict variables and the three render modes.
 *
 * Pure: imports nothing from `node:*`, reads no clock, environment or randomness (the clock and
 * host functions come in through {@link RenderOptions}). Never compiles to JavaScript.
 * Must not import from executor/, runtime/, store/ or anything above them.
 * @module
 */
export { compileTemplate, clearTemplateCache, type CompiledTemplate } from './cache.js';
export { renderString, renderTyped, renderObject, isTruthy } from './render.js';
export { DEFAULT_RENDER_LIMITS, type RenderLimits, type RenderOptions, type HostFunction } from './limits.js';
export type { EvalContext } from './context.js';
export { FILTER_NAMES } from './filters/index.js';
export { FUNCTION_NAMES } from './functions/index.js';

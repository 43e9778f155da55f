/**
 * Pebble templating, Kestra's flavour: lexer → parser → tree-walking evaluator over plain data,
 * with Kestra's filters and functions, strict variables and the three render modes.
 *
 * Pure: imports nothing from `node:*`, reads no clock, environment or randomness (the clock and
 * host functions come in through {@link RenderOptions}). Never compiles to JavaScript.
 * Must not import from executor/, runtime/, store/ or anything above them.
 *
 * Known deviations from Pebble 3.2 / Kestra: no `macro`, `block`, `parent()`, `i18n()`; strings
 * compare with `< >` lexicographically (Pebble refuses); method calls (`a.b()`) are refused;
 * `if`/`and`/`or` use Pebble-like truth (null, 0, '' and empty collections are false);
 * dates default to UTC (the reference uses the JVM zone) and English; `jq` is a subset (see
 * jq/run.ts); floats read from JSON data that happen to be integral print as integers (`1`, not
 * `1.0`), since JSON parsing cannot tell them apart; regular expressions run on RE2 (re2js, linear
 * time) with Java's syntax translated (regex.ts); every render has an evaluation budget (budget.ts)
 * and fails with TROUPE_EXPR_LIMIT, naming the limit, when a template exceeds it.
 * @module
 */
export { compileTemplate, clearTemplateCache, type CompiledTemplate } from './cache.js';
export { renderString, renderTyped, renderObject, isTruthy } from './render.js';
export { DEFAULT_RENDER_LIMITS, type RenderLimits } from './limits.js';
export type { RenderOptions } from './options.js';
export type { EvalContext, HostFunction } from './context.js';
export { failureLogMessage } from './diagnostics.js';
export { FILTER_NAMES } from './filters/index.js';
export { FUNCTION_NAMES } from './functions/index.js';

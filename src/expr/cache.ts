/**
 * A bounded LRU of compiled templates keyed by source: Kestra flows render the same few
 * templates over and over, so parsing once matters.
 */
import type { Node } from './ast.js';
import { parseTemplate } from './parser.js';

/** A parsed template, immutable and shareable. */
export interface CompiledTemplate {
  readonly source: string;
  readonly nodes: Node[];
}

/** Entries kept by the template cache. */
export const TEMPLATE_CACHE_SIZE = 2000;
/** Sources longer than this are parsed but not cached (they are rarely repeated). */
const MAX_CACHED_SOURCE = 64 * 1024;

const cache = new Map<string, CompiledTemplate>();

/**
 * Parses a template, or returns the cached parse of the same source.
 * @throws ExpressionError TROUPE_EXPR_SYNTAX on a syntax error, TROUPE_EXPR_LIMIT when nested too deep
 */
export function compileTemplate(source: string): CompiledTemplate {
  const hit = cache.get(source);
  if (hit) {
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const compiled: CompiledTemplate = Object.freeze({ source, nodes: parseTemplate(source) });
  if (source.length <= MAX_CACHED_SOURCE) {
    cache.set(source, compiled);
    if (cache.size > TEMPLATE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return compiled;
}

/** Empties the cache (benchmarks measure first use with it). */
export function clearTemplateCache(): void {
  cache.clear();
}

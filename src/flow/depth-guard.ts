/**
 * A nesting-depth pre-scan run before the YAML is composed: the composer and `toJS` recurse once
 * per level, and a few kilobytes of `[[[[…` abort Node with a stack overflow no `try` can catch.
 * The scan uses only the yaml package's streaming {@link Lexer}, which does not recurse.
 */
import { CST, Lexer } from 'yaml';
import type { Position } from './problems.js';

/** Where the depth cap was first passed. */
export interface DepthExceeded extends Position {
  depth: number;
}

const STARTS = new Set(['seq-item-ind', 'explicit-key-ind']);
const CONTENT = new Set(['scalar', 'alias', 'anchor', 'tag', 'flow-map-start', 'flow-seq-start', 'single-quoted-scalar', 'double-quoted-scalar']);

/**
 * Scans `source` and returns where nesting first exceeds `maxDepth`, or `undefined`.
 * Depth = open flow collections (`[`, `{`) + block levels, a block level being a `-`/`?` indicator
 * or the first node of a line, tracked by column. The block count is approximate (a list written
 * at its key's indentation shares the key's level), which only makes the cap more lenient.
 */
export function findExcessiveDepth(source: string, maxDepth: number): DepthExceeded | undefined {
  let line = 1;
  let column = 1;
  let flow = 0;
  const block: number[] = [];
  let lineStart = true;
  let afterIndicator = false;
  let scalarNext = false;
  for (const token of new Lexer().lex(source)) {
    const type: string | null = scalarNext ? 'scalar' : CST.tokenType(token);
    scalarNext = type === 'scalar' && token === CST.SCALAR;
    if (token === CST.SCALAR || token === CST.DOCUMENT || token === CST.FLOW_END) continue;
    if (flow === 0 && (STARTS.has(type ?? '') || ((lineStart || afterIndicator) && CONTENT.has(type ?? '')))) {
      while (block.length > 0 && (block[block.length - 1] ?? 0) >= column) block.pop();
      block.push(column);
      afterIndicator = STARTS.has(type ?? '');
      lineStart = false;
    } else if (type !== 'space') {
      afterIndicator = false;
      if (type !== 'newline') lineStart = false;
    }
    if (type === 'flow-seq-start' || type === 'flow-map-start') flow += 1;
    else if ((type === 'flow-seq-end' || type === 'flow-map-end') && flow > 0) flow -= 1;
    if (block.length + flow > maxDepth) return { line, column, depth: block.length + flow };
    const nl = token.lastIndexOf('\n');
    if (nl === -1) column += token.length;
    else {
      for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 10) line += 1;
      column = token.length - nl;
      lineStart = true;
      afterIndicator = false;
    }
  }
  return undefined;
}

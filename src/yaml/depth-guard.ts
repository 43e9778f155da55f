/**
 * A nesting-depth check run on the concrete syntax tree before the YAML is composed: the composer
 * and `toJS` recurse once per level, and a few kilobytes of `[[[[…` abort Node with a stack
 * overflow no `try` can catch. The yaml package's {@link Parser} builds the CST with an explicit
 * stack, and this walk is iterative too, so neither can overflow.
 */
import type { CST } from 'yaml';

/** Where the depth cap was first passed. */
export interface DepthExceeded {
  /** Offset in the source of the collection that passed the cap. */
  offset: number;
  depth: number;
}

/**
 * Returns the first collection nested deeper than `maxDepth` (flow `[`/`{` and block
 * collections alike, keys included), or `undefined`.
 */
export function findExcessiveDepth(tokens: readonly CST.Token[], maxDepth: number): DepthExceeded | undefined {
  const stack: Array<[CST.Token, number]> = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop() as [CST.Token, number];
    switch (token.type) {
      case 'document':
        if (token.value) stack.push([token.value, depth]);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        if (depth + 1 > maxDepth) return { offset: token.offset, depth: depth + 1 };
        for (const item of token.items) {
          if ('key' in item && item.key) stack.push([item.key, depth + 1]);
          if (item.value) stack.push([item.value, depth + 1]);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

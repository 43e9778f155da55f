/**
 * A positioned tree of the YAML document: every map, list and scalar knows its 1-based line and
 * column, map keys are strings (YAML `1:` and `true:` keys become `'1'` and `'true'`, as Jackson
 * reads them), and an alias is the very node it refers to (shared, never copied).
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';

/** Where a node sits in the source: 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** A map entry with the position of its key. */
export interface YEntry {
  key: string;
  keyAt: Position;
  value: YNode;
}

/** A YAML mapping. */
export interface YMap extends Position {
  kind: 'map';
  entries: Map<string, YEntry>;
}

/** A YAML sequence. */
export interface YSeq extends Position {
  kind: 'seq';
  items: YNode[];
}

/** A YAML scalar, resolved by the YAML 1.2 core schema. */
export interface YScalar extends Position {
  kind: 'scalar';
  value: string | number | boolean | null;
}

/** Any node of the positioned tree. */
export type YNode = YMap | YSeq | YScalar;

/** The string form of a map key, as Jackson reads it. */
export function keyString(key: unknown): string {
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  return String(key);
}

/**
 * Converts a parsed YAML document into the positioned tree; linear in the size of the document
 * because aliases share their target. Throws {@link AliasCycleError} when an alias refers to a node
 * that contains it, and {@link AliasDepthError} when an alias makes the tree nest deeper than
 * `maxDepth` collections (a chain of aliases, each wrapping the last in a few levels, passes the
 * depth check of the source text yet builds a tree hundreds of levels deep).
 *
 * The walk recurses once per collection level; the caller has already refused sources nested deeper
 * than `maxDepth`, and aliases are resolved to trees built earlier, so the recursion stays within it.
 */
export function buildTree(doc: Document, lines: LineCounter, maxDepth = Number.POSITIVE_INFINITY): YNode {
  const done = new Map<YamlNode, { out: YNode; height: number }>();
  const pending = new Set<YamlNode>();
  const at = (node: YamlNode | null | undefined, fallback: Position): Position => {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  /** Converts `node`, nested in `depth` collections; returns it with its height in collections. */
  const convert = (node: unknown, fallback: Position, depth: number): { out: YNode; height: number } => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) return { out: { kind: 'scalar', value: null, ...at(node, fallback) }, height: 0 };
      if (pending.has(target)) throw new AliasCycleError(node.source, at(node, fallback));
      const built = convert(target, fallback, depth);
      if (depth + built.height > maxDepth) throw new AliasDepthError(node.source, maxDepth, at(node, fallback));
      return built;
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return { out: { kind: 'scalar', value: null, ...fallback }, height: 0 };
    const seen = done.get(node);
    if (seen) return seen;
    const pos = at(node, fallback);
    pending.add(node);
    let built: { out: YNode; height: number };
    if (isMap(node)) {
      const entries = new Map<string, YEntry>();
      let height = 0;
      for (const pair of node.items) {
        const keyAt = at(pair.key as YamlNode, pos);
        const key = keyString(pair.key);
        const value = convert(pair.value, keyAt, depth + 1);
        height = Math.max(height, value.height);
        entries.set(key, { key, keyAt, value: value.out });
      }
      built = { out: { kind: 'map', entries, ...pos }, height: height + 1 };
    } else if (isSeq(node)) {
      const items: YNode[] = [];
      let height = 0;
      for (const item of node.items) {
        const value = convert(item, pos, depth + 1);
        height = Math.max(height, value.height);
        items.push(value.out);
      }
      built = { out: { kind: 'seq', items, ...pos }, height: height + 1 };
    } else {
      built = { out: { kind: 'scalar', value: scalarValue(node.value), ...pos }, height: 0 };
    }
    pending.delete(node);
    done.set(node, built);
    return built;
  };
  return convert(doc.contents, { line: 1, column: 1 }, 0).out;
}

function scalarValue(v: unknown): YScalar['value'] {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

/** Raised by {@link buildTree} for `&a [ *a ]`. */
export class AliasCycleError extends Error {
  constructor(
    readonly alias: string,
    readonly at: Position,
  ) {
    super(`alias *${alias} refers to a node that contains it`);
  }
}

/** Raised by {@link buildTree} when an alias makes the tree nest deeper than its cap. */
export class AliasDepthError extends Error {
  constructor(
    readonly alias: string,
    readonly maxDepth: number,
    readonly at: Position,
  ) {
    super(`alias *${alias} makes collections nest deeper than ${maxDepth} levels`);
  }
}

/**
 * The plain JavaScript value of a node: objects, arrays and scalars. Keys such as `__proto__` are
 * defined as own properties, never as the prototype.
 */
export function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, e] of node.entries) setOwn(out, key, toPlain(e.value));
      return out;
    }
  }
}

/** Sets `obj[key]` as an own enumerable property, safe for `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A short name for a node's kind, for messages: `a map`, `a list`, `a string`, … */
export function describeNode(node: YNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'boolean') return 'a boolean';
  return Number.isInteger(v) ? 'an integer' : 'a number';
}

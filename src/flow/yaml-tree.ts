/**
 * A positioned tree of the YAML document: every map, list and scalar knows its 1-based line and
 * column, map keys are strings (YAML `1:` and `true:` keys become `'1'` and `'true'`, as Jackson
 * reads them), and an alias is the very node it refers to (shared, never copied).
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from 'yaml';
import type { Position } from './problems.js';

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
 * because aliases share their target. Throws when an alias refers to a node that contains it.
 */
export function buildTree(doc: Document, lines: LineCounter): YNode {
  const done = new Map<YamlNode, YNode>();
  const pending = new Set<YamlNode>();
  const at = (node: YamlNode | null | undefined, fallback: Position): Position => {
    const offset = node?.range?.[0];
    if (offset === undefined) return fallback;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };

  const convert = (node: unknown, fallback: Position): YNode => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) return { kind: 'scalar', value: null, ...at(node, fallback) };
      if (pending.has(target)) throw new AliasCycleError(node.source, at(node, fallback));
      return convert(target, fallback);
    }
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return { kind: 'scalar', value: null, ...fallback };
    const seen = done.get(node);
    if (seen) return seen;
    const pos = at(node, fallback);
    pending.add(node);
    let out: YNode;
    if (isMap(node)) {
      const entries = new Map<string, YEntry>();
      for (const pair of node.items) {
        const keyAt = at(pair.key as YamlNode, pos);
        const key = keyString(pair.key);
        entries.set(key, { key, keyAt, value: convert(pair.value, keyAt) });
      }
      out = { kind: 'map', entries, ...pos };
    } else if (isSeq(node)) {
      out = { kind: 'seq', items: node.items.map((item) => convert(item, pos)), ...pos };
    } else {
      out = { kind: 'scalar', value: scalarValue(node.value), ...pos };
    }
    pending.delete(node);
    done.set(node, out);
    return out;
  };
  return convert(doc.contents, { line: 1, column: 1 });
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

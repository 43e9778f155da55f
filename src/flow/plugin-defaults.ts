/**
 * Plugin defaults (§10.1): `pluginDefaults` (or the deprecated `taskDefaults`) entries whose type
 * equals or prefixes a task's canonical type are deep-merged into the task before it is built:
 * non-forced values under the task's own properties, forced values over them; maps merge
 * recursively, lists concatenate. Earlier entries win over later ones.
 */
import type { PluginDefault } from '../model/index.js';
import { resolveTaskType } from './task-types.js';
import { toPlain, type YMap, type YNode } from '../yaml/tree.js';

/** A plugin default as read from the flow, its values still positioned. */
export interface DefaultEntry {
  type: string;
  forced: boolean;
  values: YMap;
}

/** Keys a default never sets: they identify the plugin. */
const IDENTITY_KEYS = new Set(['id', 'type']);

/** Whether the default `entryType` applies to a plugin named `written` whose canonical name is `canonical`. */
export function defaultMatches(entryType: string, written: string, canonical: string): boolean {
  const resolved = resolveTaskType(entryType)?.name ?? entryType;
  return [resolved, entryType].some((t) => canonical.startsWith(t) || written.startsWith(t));
}

/**
 * Returns `node` with the matching defaults merged in; `node` itself is left untouched.
 * @param node - a task or trigger map with its own properties
 */
export function applyPluginDefaults(node: YMap, written: string, canonical: string, defaults: readonly DefaultEntry[]): YMap {
  const matching = defaults.filter((d) => defaultMatches(d.type, written, canonical));
  if (matching.length === 0) return node;
  const fold = (entries: DefaultEntry[]): YMap | undefined =>
    entries.reduceRight<YMap | undefined>((acc, d) => (acc ? (mergeNodes(acc, d.values) as YMap) : d.values), undefined);
  const soft = fold(matching.filter((d) => !d.forced));
  const forced = fold(matching.filter((d) => d.forced));
  let out: YMap = soft ? (mergeNodes(withoutIdentity(soft), node) as YMap) : node;
  if (forced) out = mergeNodes(out, withoutIdentity(forced)) as YMap;
  return { ...out, line: node.line, column: node.column };
}

function withoutIdentity(map: YMap): YMap {
  const entries = new Map([...map.entries].filter(([k]) => !IDENTITY_KEYS.has(k)));
  return { ...map, entries };
}

/** Deep merge: `over` wins on scalars, maps merge recursively, lists concatenate `base` first. */
export function mergeNodes(base: YNode, over: YNode): YNode {
  if (base.kind === 'map' && over.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [key, e] of over.entries) {
      const prior = entries.get(key);
      entries.set(key, prior ? { ...e, value: mergeNodes(prior.value, e.value) } : e);
    }
    return { ...over, entries };
  }
  if (base.kind === 'seq' && over.kind === 'seq') return { ...over, items: [...base.items, ...over.items] };
  return over;
}

/** The model form of a default entry. */
export function toPluginDefault(d: DefaultEntry): PluginDefault {
  return { type: d.type, forced: d.forced, values: toPlain(d.values) as Record<string, unknown> };
}

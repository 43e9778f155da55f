/**
 * Flows in Kestra's HTTP JSON shape (kestra-api.md §2): the YAML as written, in Kestra's key
 * order, labels as a list, `disabled`/`deleted` always present, `source` on request.
 * @module
 */
import { parse } from 'yaml';
import type { Label } from '../model/execution.js';
import type { FlowRecord } from '../store/index.js';

/** A flow as the API returns it. */
export type FlowJson = Record<string, unknown> & { id: string; namespace: string; revision: number; disabled: boolean; deleted: boolean; source?: string };

const ORDER = ['description', 'labels', 'inputs', 'variables', 'tasks', 'errors', 'listeners', 'triggers', 'pluginDefaults', 'concurrency', 'outputs', 'retry', 'sla'];

/** Labels as written (a map or a list) in Kestra's list form. */
function labelList(labels: unknown): Label[] | undefined {
  if (Array.isArray(labels)) return labels as Label[];
  if (labels && typeof labels === 'object') return Object.entries(labels).map(([key, value]) => ({ key, value: String(value) }));
  return undefined;
}

const cache = new Map<string, FlowJson>();
const CACHE_MAX = 2000;

/** The JSON of a stored flow revision (parsed once per revision and cached). */
export function flowToJson(record: FlowRecord, withSource = false): FlowJson {
  // A revision never changes; `updated` and `deleted` tell apart two data dirs' revisions in one process.
  const key = `${record.namespace}\u0000${record.id}\u0000${record.revision}\u0000${record.updated}\u0000${record.deleted === true}`;
  let json = cache.get(key);
  if (!json) {
    const doc = (parse(record.source) ?? {}) as Record<string, unknown>;
    const out: Record<string, unknown> = { id: record.id, namespace: record.namespace, revision: record.revision };
    if (doc['taskDefaults'] !== undefined && doc['pluginDefaults'] === undefined) doc['pluginDefaults'] = doc['taskDefaults'];
    for (const k of ORDER) {
      const v = k === 'labels' ? labelList(doc[k]) : doc[k];
      if (v !== undefined && v !== null) out[k] = v;
    }
    out['disabled'] = doc['disabled'] === true;
    out['deleted'] = record.deleted === true;
    json = out as FlowJson;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, json);
  }
  return withSource ? { ...json, source: record.source } : json;
}

/** The latest revision of every flow (deleted ones included), by namespace and id. */
export function latestFlows(all: readonly FlowRecord[]): FlowRecord[] {
  const latest = new Map<string, FlowRecord>();
  for (const r of all) {
    const key = `${r.namespace}\u0000${r.id}`;
    const seen = latest.get(key);
    if (!seen || seen.revision < r.revision) latest.set(key, r);
  }
  return [...latest.values()];
}

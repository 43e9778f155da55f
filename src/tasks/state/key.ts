/** Where Kestra 0.20 keeps a task state in the KV store (its `StateStore`), and how Set merges it. */
import { slugify } from '../../storage/uri.js';
import { murmur3Hex } from './murmur3.js';

/**
 * The KV key of a state: `[<slug(flowId)>_]states_tasks-states_<name>[_<murmur3(taskrun value)>]`
 * (the flow part unless the state is namespace-wide, the hash part for a run with a value).
 */
export function stateKey(name: string, flowId: string | undefined, taskRunValue: string | undefined): string {
  const flowPart = flowId === undefined ? '' : `${slugify(flowId)}_`;
  const valuePart = taskRunValue === undefined ? '' : `_${murmur3Hex(taskRunValue)}`;
  return `${flowPart}states_tasks-states_${name}${valuePart}`;
}

/** Kestra's `MapUtils.merge`: maps merge deeply, lists concatenate, a null keeps the old value, anything else replaces. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    if (v === null || v === undefined) {
      if (!(k in out)) out[k] = null;
    } else if (old === null || old === undefined) out[k] = v;
    else if (isMap(v) && isMap(old)) out[k] = deepMerge(old, v);
    else if (Array.isArray(v) && Array.isArray(old)) out[k] = [...old, ...v];
    else out[k] = v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Kestra's `outputs` render variable, kept up to date in place as runs get outputs: a run's
 * outputs sit at `outputs[taskId][v1]…[vn]` where v1…vn are the loop values of its valued
 * ancestors (outermost first) and its own value. Maps merge; lists concatenate; null never overrides.
 */
import type { ExecutionState, RunEntry } from './state.js';

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function merge(into: unknown, from: unknown): unknown {
  if (from === null || from === undefined) return into;
  if (isMap(into) && isMap(from)) {
    for (const [k, v] of Object.entries(from)) into[k] = merge(into[k], v);
    return into;
  }
  if (Array.isArray(into) && Array.isArray(from)) return [...into, ...from];
  return from;
}

/** The loop-value path of a run: values of its valued ancestors, outermost first, then its own. */
export function valuePath(entry: RunEntry): string[] {
  const path: string[] = [];
  for (let e: RunEntry | null = entry; e; e = e.group.parent) if (e.run.value !== undefined) path.push(e.run.value);
  return path.reverse();
}

/** Records `entry`'s outputs in the execution's outputs tree. */
export function recordOutputs(state: ExecutionState, entry: RunEntry): void {
  const outputs = entry.run.outputs;
  if (!outputs) return;
  const path = [entry.run.taskId, ...valuePath(entry)];
  let node: Record<string, unknown> = state.outputs;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    if (!isMap(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  node[last] = merge(isMap(node[last]) ? node[last] : undefined, structuredCloneSafe(outputs));
}

function structuredCloneSafe(x: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(x)) as Record<string, unknown>;
}

/**
 * Kestra's `outputs` render variable, kept up to date in place as runs get outputs: a run's
 * outputs sit at `outputs[taskId][v1]…[vn]` where v1…vn are the loop values of its valued
 * ancestors (outermost first) and its own value. Maps merge; lists concatenate; null never overrides.
 */
import type { ExecutionState, RunEntry } from './state.js';
import type { TaskRun } from '../model/task-run.js';

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

/**
 * Records `entry`'s outputs in the execution's outputs tree — only when some template of the
 * flow can read that task's outputs (`state.outputsRead`): at a million task runs, outputs
 * nothing names would be most of an actor's memory. The run's record keeps them all.
 */
export function recordOutputs(state: ExecutionState, entry: RunEntry): void {
  const outputs = entry.run.outputs;
  if (!outputs) return;
  if (state.outputsRead !== 'all' && !state.outputsRead.has(entry.run.taskId)) return;
  setAt(state.outputs, [entry.run.taskId, ...valuePath(entry)], outputs);
}

function setAt(tree: Record<string, unknown>, path: string[], outputs: Record<string, unknown>): void {
  let node: Record<string, unknown> = tree;
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

/** The outputs tree of a finished execution, from its task runs (a parent reading its subflow). */
export function buildOutputsTree(runs: TaskRun[]): Record<string, unknown> {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const tree: Record<string, unknown> = {};
  for (const run of runs) {
    if (!run.outputs) continue;
    const path: string[] = [];
    for (let r: TaskRun | undefined = run; r; r = r.parentTaskRunId ? byId.get(r.parentTaskRunId) : undefined) if (r.value !== undefined) path.push(r.value);
    setAt(tree, [run.taskId, ...path.reverse()], run.outputs);
  }
  return tree;
}

/**
 * Dag checks (§3.8): dependencies must name tasks of the same Dag and must not form a cycle.
 * Messages are Kestra's: `dag: Not existing task id in dependency: x`,
 * `dag: Cyclic dependency detected: a, b`.
 */

/** A Dag entry reduced to what the checks need. */
export interface DagNode {
  id: string;
  dependsOn: readonly string[];
}

/** The dependency ids that name no task of the Dag, in order, without repeats. */
export function findMissingDependencies(nodes: readonly DagNode[]): string[] {
  const ids = new Set(nodes.map((n) => n.id));
  return [...new Set(nodes.flatMap((n) => n.dependsOn.filter((d) => !ids.has(d))))];
}

/**
 * The ids of the tasks that sit on a dependency cycle, in declaration order. Kahn's algorithm
 * removes everything acyclic in linear time; only what is left is searched.
 */
export function findCyclicTasks(nodes: readonly DagNode[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const n of nodes) {
    const deps = n.dependsOn.filter((d) => byId.has(d));
    indegree.set(n.id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), n.id]);
  }
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    indegree.delete(id);
    for (const next of dependents.get(id) ?? []) {
      const left = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const left = new Set(indegree.keys());
  return nodes.filter((n) => left.has(n.id) && reachesItself(n.id, byId, left)).map((n) => n.id);
}

function reachesItself(start: string, byId: Map<string, DagNode>, within: Set<string>): boolean {
  const seen = new Set<string>();
  const stack = [...(byId.get(start)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === start) return true;
    if (seen.has(id) || !within.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return false;
}

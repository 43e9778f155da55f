/**
 * The flow parser's view of the task registry (src/tasks/registry.ts): names, aliases, kinds and
 * property schemas of every plugin type a flow may name, with "did you mean" suggestions for
 * unknown types.
 */
import { listTaskTypes, type TaskTypeInfo } from '../tasks/registry.js';
import type { TypeCategory } from '../tasks/definition.js';

export { resolveTaskType, listTaskTypes, type TaskTypeInfo } from '../tasks/registry.js';
export type { TypeCategory } from '../tasks/definition.js';
export { COMMON_TASK_PROPS, COMMON_TRIGGER_PROPS, IGNORED_TASK_PROPS, type PropSpec } from '../tasks/schema.js';

let TYPES: readonly TaskTypeInfo[] | undefined;

/**
 * The known names (canonical or alias) of a category closest to `name`, by edit distance on the
 * last dotted segment and on the full name; the best (and any nearly as good), at most three.
 */
export function suggestTaskTypes(name: string, category: TypeCategory): string[] {
  const last = lastSegment(name);
  const scored: Array<[number, string]> = [];
  for (const info of (TYPES ??= listTaskTypes())) {
    if (info.category !== category) continue;
    for (const candidate of [info.name, ...info.aliases]) {
      const segment = editDistance(last.toLowerCase(), lastSegment(candidate).toLowerCase());
      const full = editDistance(name, candidate);
      const score = Math.min(segment * 4 + Math.min(full, 40) / 10, full);
      if (segment <= Math.max(2, last.length / 3) || full <= Math.max(3, name.length / 5)) scored.push([score, candidate]);
    }
  }
  scored.sort((a, b) => a[0] - b[0]);
  const best = scored[0]?.[0] ?? 0;
  return [...new Set(scored.filter(([score]) => score <= best + 1).map(([, n]) => n))].slice(0, 3);
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Levenshtein distance, O(|a|·|b|) time and O(|b|) space; inputs are capped at 200 chars. */
export function editDistance(a: string, b: string): number {
  const x = a.slice(0, 200);
  const y = b.slice(0, 200);
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[y.length] ?? 0;
}

/**
 * The type registry: canonical names, legacy aliases, kinds and property schemas of every plugin
 * type a flow may name, with "did you mean" suggestions for unknown types.
 */
import type { TaskKind } from '../model/index.js';
import { CATALOG, type CatalogEntry, type PropType, type TypeCategory } from './task-type-catalog.js';

export type { PropType, TypeCategory } from './task-type-catalog.js';

/** The schema of one property. */
export interface PropSpec {
  type: PropType | 'enum';
  required: boolean;
  /** A required list must have at least one element. */
  nonEmpty: boolean;
  /** The accepted values of an `enum` property. */
  values?: readonly string[];
}

/** What the registry knows about a type. */
export interface TaskTypeInfo {
  /** The canonical name, e.g. `io.kestra.plugin.core.debug.Return`. */
  name: string;
  category: TypeCategory;
  kind: TaskKind;
  aliases: readonly string[];
  /** Type-specific properties; the common ones are in {@link COMMON_TASK_PROPS}. */
  props: Readonly<Record<string, PropSpec>>;
  /** Whether unknown properties are accepted (types whose schema is not modelled). */
  openProps: boolean;
  /** Whether the executor runs it although it looks runnable (Labels, Exit). */
  executorSide: boolean;
}

/** Properties every task accepts (§1.2); `errors` only on flowables. */
export const COMMON_TASK_PROPS: Readonly<Record<string, PropSpec>> = compileProps({
  id: 'string!',
  type: 'string!',
  description: 'string',
  retry: 'any',
  timeout: 'duration',
  disabled: 'bool',
  workerGroup: 'map',
  logLevel: 'enum:TRACE|DEBUG|INFO|WARN|ERROR',
  logToFile: 'bool',
  allowFailure: 'bool',
  allowWarning: 'bool',
  runIf: 'string',
});

/** Properties every trigger accepts. */
export const COMMON_TRIGGER_PROPS: Readonly<Record<string, PropSpec>> = compileProps({
  id: 'string!',
  type: 'string!',
  description: 'string',
  disabled: 'bool',
  conditions: 'list',
  stopAfter: 'list',
  logLevel: 'enum:TRACE|DEBUG|INFO|WARN|ERROR',
  logToFile: 'bool',
  workerGroup: 'map',
  failOnTriggerError: 'bool',
});

function compileProps(props: Readonly<Record<string, string>>): Record<string, PropSpec> {
  const out: Record<string, PropSpec> = {};
  for (const [name, text] of Object.entries(props)) {
    const required = text.endsWith('!') || text.endsWith('+');
    const nonEmpty = text.endsWith('+');
    const base = required ? text.slice(0, -1) : text;
    out[name] = base.startsWith('enum:')
      ? { type: 'enum', required, nonEmpty, values: base.slice(5).split('|') }
      : { type: base as PropType, required, nonEmpty };
  }
  return out;
}

function compile(e: CatalogEntry): TaskTypeInfo {
  return Object.freeze({
    name: e.name,
    category: e.category,
    kind: e.kind,
    aliases: Object.freeze([...e.aliases]),
    props: Object.freeze(compileProps(e.props)),
    openProps: e.open ?? false,
    executorSide: e.executorSide ?? false,
  });
}

const TYPES: readonly TaskTypeInfo[] = CATALOG.map(compile);
const BY_NAME = new Map<string, TaskTypeInfo>();
for (const info of TYPES) {
  for (const name of [info.name, ...info.aliases]) {
    if (BY_NAME.has(name)) throw new Error(`task type ${name} is registered twice`);
    BY_NAME.set(name, info);
  }
}

/**
 * Resolves a type name or alias to what the registry knows about it.
 * @param name - the type as written in a flow
 * @returns the type's info, or `undefined` when no plugin provides it
 * @example resolveTaskType('io.kestra.core.tasks.debugs.Return')?.name // 'io.kestra.plugin.core.debug.Return'
 */
export function resolveTaskType(name: string): TaskTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Every registered type, optionally only those of one category, in catalog order. */
export function listTaskTypes(category?: TypeCategory): TaskTypeInfo[] {
  return TYPES.filter((t) => category === undefined || t.category === category);
}

/**
 * The known names (canonical or alias) of a category closest to `name`, by edit distance on the
 * last dotted segment and on the full name; the best (and any nearly as good), at most three.
 */
export function suggestTaskTypes(name: string, category: TypeCategory): string[] {
  const last = lastSegment(name);
  const scored: Array<[number, string]> = [];
  for (const info of TYPES) {
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

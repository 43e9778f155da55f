/**
 * @module tasks/registry
 * The one task registry: every plugin type Troupe knows, each defined once (./definition.ts). The
 * flow parser reads names, aliases and schemas from here; the executor, the pool and the main
 * thread read behaviours; docs/reference/tasks.md is checked against it. Pure: it never imports a
 * `pool.ts` or `main.ts` file (behaviours outside the actor are loaded lazily, where they run).
 *
 * To add a task type: write its definition (a folder under src/tasks when it has behaviour) and
 * list it in {@link DEFINITIONS} — nothing else (docs/architecture.md, "How to add a task type").
 */
import type { Task, TaskKind } from '../model/flow.js';
import type { ActorTask } from './actor-spec.js';
import type { ActorBehaviour, Behaviour, MainBehaviour, PoolBehaviour, RunsOn, TypeCategory, TypeDefinition } from './definition.js';
import type { FlowableSpec } from './flowable/spec.js';
import { compileProps, type PropSpec } from './schema.js';
import { FLOWABLE_TYPES } from './flowable/index.js';
import { PAUSE } from './pause/index.js';
import { WAIT_FOR } from './wait-for/index.js';
import { SUBFLOW } from './subflow/index.js';
import { FOR_EACH_ITEM_TYPES } from './for-each-item/index.js';
import { SLEEP } from './sleep/index.js';
import { LABELS } from './labels/index.js';
import { RESUME } from './resume/index.js';
import { TOGGLE } from './toggle/index.js';
import { RETURN } from './return/index.js';
import { ECHO, LOG } from './log/index.js';
import { FAIL } from './fail/index.js';
import { OUTPUT_VALUES } from './output-values/index.js';
import { KNOWN_TASKS } from './known.js';
import { SCRIPT_TASKS } from './scripts/index.js';
import { HTTP_TASKS } from './http/index.js';
import { STORAGE_TASKS } from './storage/index.js';
import { NOTIFICATION_TASKS } from './notifications/index.js';
import { KV_TASKS } from './kv/index.js';
import { STATE_TASKS } from './state/index.js';
import { PURGE_TASKS } from './purge/index.js';
import { LOG_FETCH } from './log-fetch/index.js';
import { WORKING_DIRECTORY } from './working-directory/index.js';
import { LOCAL_FILES } from './local-files/index.js';
import { CONDITIONS, TRIGGERS } from './triggers.js';

/** Every definition, in the order `listTaskTypes` returns them. */
const DEFINITIONS: readonly TypeDefinition[] = [
  RETURN, ECHO, LOG, FAIL, LABELS, RESUME, TOGGLE, OUTPUT_VALUES, SLEEP,
  ...FLOWABLE_TYPES, WORKING_DIRECTORY, SUBFLOW, ...FOR_EACH_ITEM_TYPES, PAUSE, WAIT_FOR,
  ...KNOWN_TASKS,
  ...KV_TASKS,
  ...STATE_TASKS,
  ...PURGE_TASKS,
  LOG_FETCH,
  ...SCRIPT_TASKS,
  ...HTTP_TASKS,
  ...STORAGE_TASKS,
  LOCAL_FILES,
  ...NOTIFICATION_TASKS,
  ...TRIGGERS,
  ...CONDITIONS,
];

/** What the registry knows about a type, as the parser and the tools read it. */
export interface TaskTypeInfo {
  /** The canonical name, e.g. `io.kestra.plugin.core.debug.Return`. */
  name: string;
  category: TypeCategory;
  kind: TaskKind;
  aliases: readonly string[];
  /** Type-specific properties; the common ones are in COMMON_TASK_PROPS. */
  props: Readonly<Record<string, PropSpec>>;
  /** Whether unknown properties are accepted (types whose schema is not modelled). */
  openProps: boolean;
  /** Where it runs; undefined when this build cannot run it. */
  runs: RunsOn | undefined;
  summary: string | undefined;
  /** What to use instead, when Kestra deprecates the type. */
  deprecated: string | undefined;
  /** Root variables (and `errorLogs`) its behaviour reads beyond its templates. */
  reads: readonly string[];
  /** Synthetic children the parser gives a task of this type (see TypeDefinition.expand). */
  expand: ((task: Task) => Task[]) | undefined;
  /** Task ids whose outputs its behaviour reads beyond its templates. */
  readsOutputsOf: ((task: Task) => string[]) | undefined;
}

function compile(d: TypeDefinition): TaskTypeInfo {
  return Object.freeze({
    name: d.type,
    category: d.category,
    kind: d.kind,
    aliases: Object.freeze([...(d.aliases ?? [])]),
    props: Object.freeze(compileProps(d.props)),
    openProps: d.open ?? false,
    runs: d.behaviour?.runs,
    summary: d.summary,
    deprecated: d.deprecated,
    reads: Object.freeze([...(d.reads ?? [])]),
    expand: d.expand,
    readsOutputsOf: d.readsOutputsOf,
  });
}

const ALL: readonly TaskTypeInfo[] = DEFINITIONS.map(compile);
/** What a flow may name (internal parts left out). */
const TYPES: readonly TaskTypeInfo[] = ALL.filter((_, i) => !DEFINITIONS[i]!.internal);
const BY_NAME = new Map<string, TaskTypeInfo>();
/** Every type by canonical name, internal parts included. */
const BY_CANONICAL = new Map<string, TaskTypeInfo>();
const BEHAVIOURS = new Map<string, Behaviour>();
for (const [i, info] of ALL.entries()) {
  if (BY_CANONICAL.has(info.name)) throw new Error(`task type ${info.name} is registered twice`);
  BY_CANONICAL.set(info.name, info);
  const behaviour = DEFINITIONS[i]!.behaviour;
  if (behaviour) BEHAVIOURS.set(info.name, behaviour);
  if (DEFINITIONS[i]!.internal) continue;
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

/** What the registry knows about a canonical type, internal parts (ForEachItem's) included. */
export function typeInfoOf(canonicalType: string): TaskTypeInfo | undefined {
  return BY_CANONICAL.get(canonicalType);
}

/** Every registered type, optionally only those of one category, in registry order. */
export function listTaskTypes(category?: TypeCategory): TaskTypeInfo[] {
  return TYPES.filter((t) => category === undefined || t.category === category);
}

/** How a task of this canonical type runs; undefined when this build cannot run it. */
export function behaviourOf(canonicalType: string): Behaviour | undefined {
  return BEHAVIOURS.get(canonicalType);
}

/** The flowable spec of a canonical type resolved in the actor, if it has one. */
export function flowableOf(canonicalType: string): FlowableSpec | undefined {
  const b = BEHAVIOURS.get(canonicalType);
  return b?.runs === 'actor' ? b.flowable : undefined;
}

/** The actor hooks of a canonical type, if it has any. */
export function actorHooksOf(canonicalType: string): ActorTask | undefined {
  const b = BEHAVIOURS.get(canonicalType);
  return b?.runs === 'actor' ? b.actor : undefined;
}

/** The pool behaviour of a canonical type (for src/pool only), if it runs there. */
export function poolBehaviourOf(canonicalType: string): PoolBehaviour | undefined {
  const b = BEHAVIOURS.get(canonicalType);
  return b?.runs === 'pool' ? b : undefined;
}

/** The pool work of a flowable that works around its children (for src/pool only), if it has any. */
export function workBehaviourOf(canonicalType: string): ActorBehaviour['work'] {
  const b = BEHAVIOURS.get(canonicalType);
  return b?.runs === 'actor' ? b.work : undefined;
}

/** The main-thread behaviour of a canonical type (execution.Resume), if it runs there. */
export function mainBehaviourOf(canonicalType: string): MainBehaviour | undefined {
  const b = BEHAVIOURS.get(canonicalType);
  return b?.runs === 'main' ? b : undefined;
}

/**
 * A plugin type, defined once: its canonical name, legacy aliases, property schema, where it runs
 * and its behaviour. The registry (./registry.ts) lists every definition; the flow parser, the
 * executor, the pool, the main thread and docs/reference/tasks.md all read them from there.
 */
import type { Task, TaskKind } from '../model/flow.js';
import type { ActorTask } from './actor-spec.js';
import type { FlowableSpec } from './flowable/spec.js';
import type { FlowableWork, MainTask, PoolTask } from './run-spec.js';

/** Where a type may appear in a flow. */
export type TypeCategory = 'task' | 'trigger' | 'condition';

/** Where a task runs: inside the execution actor, in a pool thread, or on the main thread. */
export type RunsOn = 'actor' | 'pool' | 'main';

/** Resolved inside the actor: a flowable (children), actor hooks, or a flowable with hooks (Pause, WaitFor). */
export interface ActorBehaviour {
  runs: 'actor';
  flowable?: FlowableSpec;
  actor?: ActorTask;
  /** A flowable that works in the pool around its children (`FlowableSpec.work`): `load` imports its `pool.ts`. */
  work?: { load(): Promise<FlowableWork> };
}

/** Run in a pool thread; `load` imports the type's `pool.ts` (pool code only). */
export interface PoolBehaviour {
  runs: 'pool';
  load(): Promise<PoolTask>;
}

/** Run on the main thread, which owns the engine; `load` imports the type's `main.ts`. */
export interface MainBehaviour {
  runs: 'main';
  load(): Promise<MainTask>;
}

/** How a task type runs. */
export type Behaviour = ActorBehaviour | PoolBehaviour | MainBehaviour;

/** One plugin type. */
export interface TypeDefinition {
  /** The canonical name, e.g. `io.kestra.plugin.core.debug.Return`. */
  type: string;
  category: TypeCategory;
  kind: TaskKind;
  /** Other names a flow may use (Kestra's legacy names); validate suggests the canonical one. */
  aliases?: readonly string[];
  /** Type-specific properties in the compact notation of ./schema.ts. */
  props: Readonly<Record<string, string>>;
  /** Properties are not checked (types whose schema is not modelled). */
  open?: boolean;
  /** What it does, one line (docs/reference/tasks.md). */
  summary?: string;
  /** Set when Kestra deprecates the type: what to use instead. */
  deprecated?: string;
  /**
   * Root variables the behaviour reads without the task's templates naming them (a notification's
   * execution summary reads `flow`, `execution`, `trigger`), and `errorLogs` when it reads the
   * execution's ERROR lines: the dispatch carries them (executor/run-vars.ts trims the rest).
   */
  reads?: readonly string[];
  /** Absent: Troupe knows the type (parses and checks it) but cannot run it in this build. */
  behaviour?: Behaviour;
  /**
   * A part of another type that the parser makes (ForEachItem's `_split`, `_items`, `_merge`, as
   * Kestra's `@Plugin(internal = true)`): never written in a flow, not listed in the docs.
   */
  internal?: boolean;
  /**
   * The synthetic children the parser gives a task of this type, as its `tasks` (ForEachItem, whose
   * `getTasks()` Kestra builds from its properties).
   */
  expand?(task: Task): Task[];
  /** Task ids whose outputs the behaviour reads beyond its templates (a ForEachItem part reads its sibling's). */
  readsOutputsOf?(task: Task): string[];
}

/** The prefix of Kestra's core plugin types. */
export const CORE = 'io.kestra.plugin.core.';
/** The prefix of Kestra's legacy (pre-0.17) core task names. */
const LEGACY = 'io.kestra.core.tasks.';

/** A core task type: `name` relative to {@link CORE}, legacy names relative to {@link LEGACY}. */
export function coreTask(name: string, kind: TaskKind, props: Record<string, string>, more: Partial<Omit<TypeDefinition, 'type' | 'kind' | 'props' | 'category'>> & { legacy?: string[] } = {}): TypeDefinition {
  const { legacy = [], aliases = [], ...rest } = more;
  return { type: `${CORE}${name}`, category: 'task', kind, props, aliases: [...legacy.map((l) => `${LEGACY}${l}`), ...aliases], ...rest };
}

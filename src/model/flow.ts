/**
 * A parsed, validated flow: what the flow loader (src/flow) produces and the executor consumes.
 * Task properties stay YAML-shaped in `props`, except that properties holding tasks are parsed
 * into {@link Task} objects (see {@link TaskKind} and the type registry in src/flow).
 */
import type { Label } from './execution.js';
import type { Sla } from './sla.js';

/** Whether a task runs in the pool or is resolved by the executor inside the actor. */
export type TaskKind = 'runnable' | 'flowable';

/** A retry policy (Kestra's `retry` property). Durations are ISO 8601 strings as written. */
export interface RetryPolicy {
  type: 'constant' | 'exponential' | 'random';
  maxAttempt?: number;
  maxDuration?: string;
  warningOnRetry: boolean;
  behavior: 'RETRY_FAILED_TASK' | 'CREATE_NEW_EXECUTION';
  interval?: string;
  maxInterval?: string;
  minInterval?: string;
  delayFactor?: number;
}

/** One task of a flow, at any depth. */
export interface Task {
  id: string;
  /** The type as written in the YAML (`{{ task.type }}` renders this). */
  type: string;
  /** The canonical type name after alias resolution, e.g. `io.kestra.plugin.core.debug.Return`. */
  canonicalType: string;
  kind: TaskKind;
  description?: string;
  disabled: boolean;
  allowFailure: boolean;
  allowWarning: boolean;
  /** The `runIf` template; absent means always run. */
  runIf?: string;
  retry?: RetryPolicy;
  /** ISO 8601 duration or template, rendered at dispatch. */
  timeout?: string;
  logLevel?: string;
  /** The task's own `errors` branch (flowables only). */
  errors?: Task[];
  /**
   * Every other property, as written in YAML. Properties that hold tasks (`tasks`, `then`, `else`,
   * `defaults`, each list of `cases`, each `task` of a Dag entry) hold parsed {@link Task}s.
   */
  props: Record<string, unknown>;
  /** Where the task is defined in the source, for error messages. */
  source?: { line: number; column: number; path: string };
}

/** A flow input declaration (typed and validated by the inputs module). */
export interface FlowInput {
  id: string;
  type: string;
  required: boolean;
  defaults?: unknown;
  description?: string;
  props: Record<string, unknown>;
}

/** A flow output declaration. */
export interface FlowOutput {
  id: string;
  type: string;
  value: unknown;
  description?: string;
}

/** A plugin default (`pluginDefaults` / `taskDefaults`). */
export interface PluginDefault {
  type: string;
  forced: boolean;
  values: Record<string, unknown>;
}

/** A parsed flow. */
export interface Flow {
  id: string;
  namespace: string;
  revision: number;
  description?: string;
  labels: Label[];
  inputs: FlowInput[];
  variables: Record<string, unknown>;
  tasks: Task[];
  errors?: Task[];
  outputs: FlowOutput[];
  retry?: RetryPolicy;
  concurrency?: { limit: number; behavior: 'QUEUE' | 'CANCEL' | 'FAIL' };
  pluginDefaults: PluginDefault[];
  /** Triggers; `type` as written, `canonicalType` after alias resolution (set by src/flow). */
  triggers: Array<{ id: string; type: string; canonicalType?: string; props: Record<string, unknown> }>;
  /** Deprecated listeners (§10.5): tasks run after the execution ends when the conditions pass. */
  listeners?: Array<{ description?: string; conditions: unknown[]; tasks: Task[] }>;
  /** SLAs (beta, §10.4): deadlines and assertions the executor enforces (src/executor/sla.ts). */
  sla?: Sla[];
  disabled: boolean;
  /** The YAML source the flow was parsed from. */
  source: string;
}

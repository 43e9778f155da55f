/** The main ↔ shard boundary: every message, as a discriminated union on `type`. */
import type { ErrorRecord } from '../errors.js';
import type { Execution, ExecutionTrigger, Label } from '../model/execution.js';
import type { ReplayEffect, SubflowStartEffect } from '../executor/effects.js';
import type { NewExecution } from '../executor/create.js';
import type { StateType } from '../model/state.js';
import type { ExecutionMessage, StartMessage, TaskResultMessage } from './execution-messages.js';
import type { TaskJob } from './pool-messages.js';
import type { ExecutorLimits } from '../executor/limits.js';

/** What a shard thread is started with (workerData). */
export interface ShardInit {
  shardIndex: number;
  shardCount: number;
  /** Above this many actors in memory, idle ones are passivated. */
  maxLiveActors: number;
  dataDir: string;
  noSync: boolean;
  envs: Record<string, string>;
  globals: Record<string, unknown>;
  /** Bounds on hostile flows (defaults when absent). */
  limits?: ExecutorLimits;
  /** With a test clock: the time the shard's own test clock starts at (moved by `clock.set`). */
  testClockMs?: number;
  /** The shard's previous life ended in a crash: in-flight attempts it recovers count one more crash. */
  crashed?: boolean;
}

/** Figures of one shard. */
export interface ShardStats {
  liveActors: number;
  passiveActors: number;
  batches: number;
  steps: number;
  visited: number;
  passivated: number;
  rehydrated: number;
  /** The shard thread's V8 heap in use, after a collection when `--expose-gc` is on. */
  heapUsedBytes: number;
}

/** A flow revision as shipped to a shard, parsed there once and cached. */
export interface FlowRef {
  namespace: string;
  id: string;
  revision: number;
  source: string;
}

export type ToShard =
  | ({ type: 'execution.create'; executionId: string; flow: FlowRef; inputs?: Record<string, unknown>; labels?: Label[]; trigger?: ExecutionTrigger; admission?: StartMessage['admission']; nowMs: number } & Pick<NewExecution, 'replay' | 'scheduleDate' | 'parentId'>)
  | { type: 'task.results'; results: Array<{ executionId: string; result: TaskResultMessage }> }
  | { type: 'execution.message'; executionId: string; message: ExecutionMessage }
  | { type: 'shard.stats' }
  /** The engine's test clock moved: the shard's clock follows and fires what is due. */
  | { type: 'clock.set'; nowMs: number }
  | { type: 'shard.close' };

/** An execution that ended, with its final in-memory state. */
export interface EndedExecution {
  executionId: string;
  state: StateType;
  execution: Execution;
}

/**
 * Everything one drain of a shard lets out once its commit is durable, in ONE message: the main
 * thread handles it whole, so no caller resumed by an acknowledgement can run before the rest.
 */
export interface DrainOutput {
  type: 'drain.output';
  shardThreadId: number;
  created: string[];
  jobs: TaskJob[];
  cancels: string[];
  subflows: Array<{ parentExecutionId: string; start: SubflowStartEffect }>;
  /** Replays to create (retries with CREATE_NEW_EXECUTION), with the execution they replay. */
  replays: Array<{ parent: { id: string; namespace: string; flowId: string; flowRevision: number }; replay: ReplayEffect }>;
  ended: EndedExecution[];
  /** Executions whose header, task runs or logs this drain changed (durable), for change listeners. */
  changed: string[];
}

export type FromShard =
  | DrainOutput
  | { type: 'execution.rejected'; executionId: string; error: ErrorRecord }
  | ({ type: 'shard.stats' } & ShardStats)
  | { type: 'shard.failed'; error: ErrorRecord }
  /** The shard opened its store and recovered its executions. */
  | { type: 'shard.ready' }
  /** With a test clock: the shard armed a timer for `atMs`. */
  | { type: 'timer.armed'; atMs: number }
  | { type: 'shard.closed' };

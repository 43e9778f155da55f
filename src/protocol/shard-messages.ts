/** The main ↔ shard boundary: every message, as a discriminated union on `type`, and a creator each. */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorRecord } from '../errors.js';
import type { ChildRequest, ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import type { StateType } from '../model/state.js';
import type { TaskRun } from '../model/task-run.js';
import type { ExecutionMessage, StartMessage, TaskResultMessage } from './execution-messages.js';
import type { TaskJob, ThreadDeath } from './pool-messages.js';
import type { ListenerInterest } from '../triggers/outbox.js';

/** What a shard thread is started with (workerData). */
export interface ShardInit {
  shardIndex: number;
  shardCount: number;
  /** Above this many actors in memory, idle ones are passivated. */
  maxLiveActors: number;
  dataDir: string;
  noSync: boolean;
  /** The internal storage root (`read()`, `fileSize()`, `fileURI()` in the shard's renders); absent: `<dataDir>/storage`. */
  storageDir?: string;
  envs: Record<string, string>;
  globals: Record<string, unknown>;
  /** Bounds on hostile flows and on an execution's memory (defaults when absent). */
  limits?: { maxAttemptCrashes: number; maxSubflowDepth: number; maxActiveRuns: number; maxLoopRuns: number };
  /** With a test clock: the time the shard's own test clock starts at (moved by `clock.set`). */
  testClockMs?: number;
  /** The shard's previous life ended in a crash: in-flight attempts it recovers count one more crash. */
  crashed?: boolean;
  /** The states Flow triggers may fire on: a commit reaching one writes an outbox record (src/triggers/outbox.ts). */
  listeners?: ListenerInterest;
}

/** What the main thread starts a shard thread with (workerData; the ports are transferred). */
export interface ShardThreadData {
  init: ShardInit;
  /** This shard's port to each thread of the pool, by slot (a hole: no thread in that slot now). */
  poolPorts: Array<MessagePort | undefined>;
  /** Threads the pool may run, and the figures the shard keeps for it: see {@link PoolDemand}. */
  poolDemand: PoolDemand;
}

/**
 * How a shard and the pool share the starting and stopping of threads on demand: the shard asks
 * for a thread (`pool.want`) when its jobs wait and fewer than `threads` are connected, and keeps,
 * per slot, its attempts in flight (`loads[slot]`) and the batches it sent (`loads[threads + slot]`)
 * in shared memory, which the main thread reads to find idle threads.
 */
export interface PoolDemand {
  threads: number;
  /** Int32 × 2 × threads. */
  loads: SharedArrayBuffer;
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
  /** Attempts handed to task threads, and result messages received from them. */
  dispatched: number;
  resultMessages: number;
  /** The shard thread's V8 heap in use, after a collection when `--expose-gc` is on. */
  heapUsedBytes: number;
  /** Task runs the live actors hold in memory now (unfinished ones, and finished ones of WaitFor iterations). */
  retainedRuns: number;
  /** The most task runs the live actors held in memory at the end of a drain, since the shard started. */
  peakRetainedRuns: number;
  /** Unfinished executions of this shard by current state (live actors and passivated ones). */
  executions: Partial<Record<StateType, number>>;
  /** Executions this shard created since it started. */
  created: number;
  /** Executions that ended on this shard since it started, by final state. */
  ended: Partial<Record<StateType, number>>;
  /** Task-run records written in a terminal state since the shard started (task runs ended). */
  taskRunsEnded: number;
  /** Messages waiting in actor mailboxes for the next drain. */
  mailboxDepth: number;
  /** Attempts waiting in the shard for room on a pool thread, and attempts on the threads now. */
  poolQueued: number;
  poolInFlight: number;
  /** Group commits from write to durable: counts per bound of {@link COMMIT_LATENCY_BUCKETS} (and one over), sum in seconds. */
  commitLatency: LatencyHistogram;
}

/** Upper bounds (seconds) of the commit latency histogram's buckets. */
export const COMMIT_LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Durations counted per bucket (not cumulative; the last count is over the last bound). */
export interface LatencyHistogram {
  counts: number[];
  sum: number;
  count: number;
}

/** An empty {@link LatencyHistogram} over {@link COMMIT_LATENCY_BUCKETS}. */
export function latencyHistogram(): LatencyHistogram {
  return { counts: new Array<number>(COMMIT_LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
}

/** Counts one duration (seconds) into `h`. */
export function observeLatency(h: LatencyHistogram, seconds: number): void {
  let i = 0;
  while (i < COMMIT_LATENCY_BUCKETS.length && seconds > COMMIT_LATENCY_BUCKETS[i]!) i++;
  h.counts[i]! += 1;
  h.sum += seconds;
  h.count += 1;
}

/** A flow revision as shipped to a shard, parsed there once and cached. */
export interface FlowRef {
  namespace: string;
  id: string;
  revision: number;
  source: string;
}

/** A Subflow run's request for its child execution (the child id is fixed by the parent). */
export interface SubflowRequest extends ChildRequest {
  taskRunId: string;
  /** The child's `subflowDepth`: one more than its parent's. */
  depth: number;
}

/** A replay to create (retry with CREATE_NEW_EXECUTION), to start at `scheduleDate`. */
export interface ReplayRequest {
  executionId: string;
  scheduleDate: string;
  originalId: string;
  attemptNumber: number;
  originalCreatedDate: string;
  inputs?: Record<string, unknown>;
  labels: Label[];
  trigger?: ExecutionTrigger;
}

/** Create an execution on the shard that owns its id. */
export interface CreateMessage {
  type: 'execution.create';
  executionId: string;
  flow: FlowRef;
  inputs?: Record<string, unknown>;
  labels?: Label[];
  trigger?: ExecutionTrigger;
  admission?: StartMessage['admission'];
  nowMs: number;
  parentId?: string;
  /** A replay: the first execution's id, creation date and this attempt's number. */
  replay?: { originalId: string; attemptNumber: number; originalCreatedDate: string };
  /** Start no earlier than this date. */
  scheduleDate?: string;
  /** How many Subflow levels above the new execution (absent at the top). */
  subflowDepth?: number;
  /**
   * A replay from a task run: the new execution's header and task runs, planned from the replayed
   * one (executor/restart.ts); the actor is rebuilt from them and restarts.
   */
  copy?: { header: ExecutionHeader; records: Array<{ seq: number; taskRun: TaskRun }> };
  /** Execution variables (a Schedule's `schedule` dates). */
  variables?: Record<string, unknown>;
  /** No `system.correlationId` label (webhook executions). */
  noCorrelationId?: boolean;
}

/**
 * What the main thread asks of an execution's owning shard, answered by `execution.reply`: the
 * shard is the one writer of an execution's records, so changes to an ended execution go through it.
 */
export type ShardRequest =
  /** Kestra's restart (executor/restart.ts `planRestart`). */
  | { op: 'restart' }
  /** Kestra's `markAs`: a task run takes `state`, and the execution goes on. */
  | { op: 'markTaskRun'; taskRunId: string; state: StateType }
  /** Replace the labels of an ended execution. */
  | { op: 'setLabels'; labels: Label[] }
  /** Change the state of an ended execution to another terminal state (Kestra's change-status). */
  | { op: 'setState'; state: StateType }
  /** Delete an ended execution with its task runs and logs. */
  | { op: 'delete' }
  /** Pause a RUNNING execution by hand (Kestra's manual pause: the execution only). */
  | { op: 'pause' };

/** A {@link ShardRequest} for one execution. */
export interface ExecutionRequestMessage {
  type: 'execution.request';
  requestId: number;
  executionId: string;
  request: ShardRequest;
}

/** Results of attempts the main thread ran (engine tasks such as execution.Resume). */
export interface MainResultsMessage {
  type: 'task.results';
  results: Array<{ executionId: string; result: TaskResultMessage }>;
}

/** One message for one execution's mailbox. */
export interface MailboxMessage {
  type: 'execution.message';
  executionId: string;
  message: ExecutionMessage;
}

/**
 * A thread of the pool in `slot`: here is this shard's port to it. With `death`, it replaces one
 * that died or was stopped; without, it was started on demand (or the shard is given its port to
 * it again: a retirement was called off).
 */
export interface PoolThreadMessage {
  type: 'pool.thread';
  slot: number;
  port: MessagePort;
  death?: ThreadDeath;
}

/** The pool would stop its idle thread `slot`: the shard lets it go (`pool.retired`, ok) unless attempts of its own are on it. */
export interface PoolRetireMessage {
  type: 'pool.retire';
  slot: number;
}

/**
 * Every message the main thread posted to a shard in one turn of its event loop, in order, as one
 * postMessage: creations arriving together over HTTP wake the shard thread once, not once each.
 */
export interface ShardBatchMessage {
  type: 'shard.batch';
  messages: ToShard[];
}

export type ToShard =
  | ShardBatchMessage
  | CreateMessage
  | MainResultsMessage
  | MailboxMessage
  | ExecutionRequestMessage
  | PoolThreadMessage
  | PoolRetireMessage
  | { type: 'shard.stats' }
  /** The engine's test clock moved: the shard's clock follows and fires what is due. */
  | { type: 'clock.set'; nowMs: number }
  | ListenersMessage
  | { type: 'shard.close' };

/** The Flow triggers deployed changed: what the shard records from now on. */
export interface ListenersMessage {
  type: 'listeners.set';
  interest: ListenerInterest;
}

export function listenersMessage(interest: ListenerInterest): ListenersMessage {
  return { type: 'listeners.set', interest };
}

/** An execution that ended: its header (the task runs stay in the store). */
export interface EndedExecution {
  executionId: string;
  state: StateType;
  header: ExecutionHeader;
}

/**
 * What one drain of a shard tells the main thread, in ONE message per stage: attempts the main
 * thread runs itself once the commit is visible; acknowledgements, children, replays and ends
 * once it is durable. The main thread handles each message whole, so no caller resumed by an
 * acknowledgement can run before the rest.
 */
export interface DrainOutput {
  type: 'drain.output';
  shardThreadId: number;
  created: string[];
  /** Attempts of engine tasks (execution.Resume): the main thread runs them. */
  jobs: TaskJob[];
  subflows: Array<{ parentExecutionId: string; start: SubflowRequest }>;
  /** Replays to create (retries with CREATE_NEW_EXECUTION), with the execution they replay. */
  replays: Array<{ parent: { id: string; namespace: string; flowId: string; flowRevision: number }; replay: ReplayRequest }>;
  ended: EndedExecution[];
  /** Executions whose header, task runs or logs this drain changed (durable), for change listeners. */
  changed: string[];
  /** Requests (`execution.request`) done by this drain, now durable. */
  replies: number[];
  /** Outbox records this drain wrote (Flow triggers to evaluate), by execution id and seq, now durable. */
  outbox: Array<[executionId: string, seq: number]>;
}

export type FromShard =
  | DrainOutput
  | { type: 'execution.rejected'; executionId: string; error: ErrorRecord }
  /** A request refused (not found, not ended, nothing to restart): the reason. */
  | { type: 'execution.reply'; requestId: number; error: ErrorRecord }
  | ({ type: 'shard.stats' } & ShardStats)
  | { type: 'shard.failed'; error: ErrorRecord }
  /** The shard opened its store and recovered its executions. */
  | { type: 'shard.ready' }
  /** With a test clock: the shard armed a timer for `atMs`. */
  | { type: 'timer.armed'; atMs: number }
  | { type: 'shard.closed' }
  /** Jobs wait and fewer threads than the pool may run are connected: start one. */
  | { type: 'pool.want' }
  /** The answer to `pool.retire`: ok when the shard left the thread (it closed its port). */
  | { type: 'pool.retired'; slot: number; ok: boolean };

/** Creates a {@link MainResultsMessage}. */
export function mainResultsMessage(results: MainResultsMessage['results']): MainResultsMessage {
  return { type: 'task.results', results };
}

/** Creates a {@link MailboxMessage}. */
export function mailboxMessage(executionId: string, message: ExecutionMessage): MailboxMessage {
  return { type: 'execution.message', executionId, message };
}

/** Creates a {@link PoolThreadMessage}. */
export function poolThreadMessage(slot: number, port: MessagePort, death?: ThreadDeath): PoolThreadMessage {
  return death ? { type: 'pool.thread', slot, port, death } : { type: 'pool.thread', slot, port };
}

/** Creates a {@link ShardBatchMessage}. */
export function shardBatchMessage(messages: ToShard[]): ShardBatchMessage {
  return { type: 'shard.batch', messages };
}

/** Creates a {@link PoolRetireMessage}. */
export function poolRetireMessage(slot: number): PoolRetireMessage {
  return { type: 'pool.retire', slot };
}

/** Creates a {@link DrainOutput} with the parts given (the rest empty). */
export function drainOutput(shardThreadId: number, parts: Partial<Omit<DrainOutput, 'type' | 'shardThreadId'>>): DrainOutput {
  return { type: 'drain.output', shardThreadId, created: [], jobs: [], subflows: [], replays: [], ended: [], changed: [], replies: [], outbox: [], ...parts };
}

/** Creates the `execution.rejected` message: a creation or recovery failed. */
export function rejectedMessage(executionId: string, error: ErrorRecord): FromShard {
  return { type: 'execution.rejected', executionId, error };
}

/** Creates the `shard.stats` answer. */
export function statsMessage(stats: ShardStats): FromShard {
  return { type: 'shard.stats', ...stats };
}

/** Creates the `shard.failed` message: a write failed, nothing more leaves the shard. */
export function shardFailedMessage(error: ErrorRecord): FromShard {
  return { type: 'shard.failed', error };
}

/** Creates an {@link ExecutionRequestMessage}. */
export function executionRequestMessage(requestId: number, executionId: string, request: ShardRequest): ExecutionRequestMessage {
  return { type: 'execution.request', requestId, executionId, request };
}

/** Creates the `execution.reply` message: a request refused with `error`. */
export function refusedMessage(requestId: number, error: ErrorRecord): FromShard {
  return { type: 'execution.reply', requestId, error };
}

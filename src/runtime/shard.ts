/**
 * A shard: many execution actors in one thread. Each actor handles its mailbox one message at a
 * time through the pure executor step; the shard groups every record a drain changed into one
 * LMDB transaction, waits until it is durable, and only then lets the effects out (dispatches,
 * acknowledgements, completion events, timers): persist, then act.
 */
import { threadId } from 'node:worker_threads';
import { getRandomValues } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { join } from 'node:path';
import { TroupeError, toErrorRecord } from '../errors.js';
import { parseFlow } from '../flow/index.js';
import type { Flow } from '../model/flow.js';
import { idFromBytes } from '../model/ids.js';
import { isTerminated, isoDate, transition, type StateType } from '../model/state.js';
import { createExecution, createExecutionState, releaseFinished, restoreExecutionState, slaTimerId, step, type ExecutionState, type RunEntry, type StepEnv, type SubflowStartEffect } from '../executor/index.js';
import { applyPlan, planMarkAs, planRestart, refusalError, type RunRecord } from '../executor/restart.js';
import { shardOf } from './router.js';
import { pauseMessage, recoverMessage, restartMessage, startMessage, timerFiredMessage, type ExecutionMessage, type TaskResultMessage } from '../protocol/execution-messages.js';
import { drainOutput, latencyHistogram, observeLatency, refusedMessage, rejectedMessage, shardFailedMessage, statsMessage, type DrainOutput, type EndedExecution, type ExecutionRequestMessage, type FlowRef, type FromShard, type ShardInit, type ShardStats, type ToShard } from '../protocol/shard-messages.js';
import type { ExecutionHeader } from '../model/execution.js';
import type { LogEntry } from '../model/log-entry.js';
import { systemClock, TestClock, type Clock } from './clock.js';
import type { TaskJob } from '../protocol/pool-messages.js';
import { isEngineTask } from './engine-tasks.js';
import type { ChangeBatch, StagedWrite, Store } from '../store/index.js';
import { envSecrets, maskSecrets, secretFunction } from '../secrets/index.js';
import { kvFunction, LmdbKvStore } from '../kv/index.js';
import type { RenderOptions } from '../expr/index.js';
import { contextStorageFunctions, LocalStorage, parentOf } from '../storage/index.js';
import { readStartedMarks, startedDir, startedKey } from '../pool/started-marks.js';
import { interestTest, listenersEffect, type InterestTest } from '../triggers/outbox.js';

interface Actor {
  state: ExecutionState;
  mailbox: ExecutionMessage[];
  /** Acknowledge creation once the first commit is durable. */
  ackCreated: boolean;
  ended: boolean;
  /** Its SECRET-typed input values: every log line of the execution is masked with them (Kestra §4). */
  masks?: Set<string>;
  /** Records a restart or replay planned, written by the actor's next drain before its own changes. */
  planned?: { records: RunRecord[]; deletedSeqs: number[] };
  /** The request (`execution.request`) its next drain answers once durable. */
  replyTo?: number;
  /** How many entries of its state history were looked at for Flow triggers (an outbox record covers the rest). */
  covered: number;
}

/** The values of an execution's SECRET-typed inputs. */
function secretInputs(state: ExecutionState): Set<string> {
  const out = new Set<string>();
  for (const input of state.flow.inputs) {
    const value = input.type === 'SECRET' ? state.header.inputs?.[input.id] : undefined;
    if (typeof value === 'string' && value !== '') out.add(value);
  }
  return out;
}


/** Where a shard's attempts go: straight to the pool's threads (pool/pool-client.ts). */
export interface TaskDispatcher {
  dispatch(jobs: TaskJob[]): void;
  cancel(taskRunIds: string[]): void;
  readonly counts: { dispatched: number; resultMessages: number };
  /** Attempts waiting in the shard for room on a thread, and attempts on the threads now (figures). */
  readonly queued?: number;
  readonly inFlight?: number;
}

const RANDOM_POOL = new Uint8Array(16 * 256);
let randomOffset = RANDOM_POOL.length;

/** A new random id (22 base62 characters); random bytes are drawn 4 KiB at a time. */
export function newId(): string {
  if (randomOffset >= RANDOM_POOL.length) {
    getRandomValues(RANDOM_POOL);
    randomOffset = 0;
  }
  const bytes = RANDOM_POOL.subarray(randomOffset, randomOffset + 16);
  randomOffset += 16;
  return idFromBytes(bytes);
}

/** The actors of one shard thread and their group commit. */
export class Shard {
  readonly #init: ShardInit;
  #storage: LocalStorage | undefined;
  readonly #store: Store;
  readonly #send: (msg: FromShard) => void;
  readonly #pool: TaskDispatcher;
  readonly #actors = new Map<string, Actor>();
  readonly #ready = new Set<Actor>();
  readonly #flows = new Map<string, Flow>();
  /** Armed timers: key → cancel. */
  readonly #timers = new Map<string, () => void>();
  readonly #clock: Clock;
  /** Executions that could not be loaded, to be failed (and reported) by the next drain. */
  #broken: Array<{ header: ExecutionHeader; error: TroupeError }> = [];
  #scheduled = false;
  /** Streamed log lines waiting for the next drain ({@link streamedLogs}). */
  #streamed: LogEntry[] = [];
  #streamedPending = false;
  /** The chain of durable acknowledgements, in commit order. */
  #acks: Promise<void> = Promise.resolve();
  #draining = false;
  #closed = false;
  readonly stats = { batches: 0, steps: 0, visited: 0, passivated: 0, rehydrated: 0, created: 0, taskRunsEnded: 0 };
  /** Executions ended on this shard by final state, and durations of its group commits (figures). */
  readonly #ended: Partial<Record<StateType, number>> = {};
  readonly #commitLatency = latencyHistogram();
  /** The most runs live actors held at the end of a drain (counted over the actors a drain touched). */
  #peakRetainedRuns = 0;
  /** Unfinished executions whose actor was dropped from memory, with the state they were in. */
  readonly #passive = new Map<string, StateType>();
  /** Values secret() returned during the current step (moved to the actor's masks after it). */
  readonly #secretsSeen = new Set<string>();
  #kv: LmdbKvStore | undefined;
  readonly #render: RenderOptions = {
    functions: {
      ...contextStorageFunctions(() => (this.#storage ??= new LocalStorage({ root: this.#init.storageDir ?? join(this.#init.dataDir, 'storage'), noSync: this.#init.noSync }))),
      secret: secretFunction(envSecrets(), this.#secretsSeen),
      kv: kvFunction(() => (this.#kv ??= new LmdbKvStore(this.#store, () => this.#clock.now()))),
    },
  };
  /** Requests for executions of this shard, served at the start of the next drain (the last commit is visible then). */
  #requests: ExecutionRequestMessage[] = [];
  /** Whether an execution reaching some states may fire a Flow trigger (then its commit writes an outbox record). */
  #listeners: InterestTest | undefined;

  /**
   * @param send posts to the main thread
   * @param pool where attempts of runnable tasks go; their results come back through {@link results}
   */
  constructor(init: ShardInit, store: Store, send: (msg: FromShard) => void, pool: TaskDispatcher, clock: Clock = systemClock) {
    this.#init = init;
    this.#store = store;
    this.#send = send;
    this.#pool = pool;
    this.#clock = clock;
    this.#listeners = interestTest(init.listeners);
  }

  /** Results of attempts, from the pool's threads or the main thread. */
  results(results: Array<{ executionId: string; result: TaskResultMessage }>): void {
    for (const { executionId, result } of results) this.#enqueue(executionId, result);
  }

  /**
   * Log lines of attempts still running (a script's output as it is written): committed by the
   * next drain, before the results that follow them. Lines of an execution no longer in memory
   * (it ended and left) are dropped; an actor with attempts in flight is never passivated.
   */
  streamedLogs(entries: LogEntry[]): void {
    for (const entry of entries) this.#streamed.push(entry);
    this.#streamedPending = true;
    this.#schedule();
  }

  /** Live actors in memory. */
  get liveActors(): number {
    return this.#actors.size;
  }

  /** The shard's figures (collects garbage first when the process runs with --expose-gc). */
  figures(): ShardStats {
    (globalThis as { gc?: () => void }).gc?.();
    let retainedRuns = 0;
    const executions: Partial<Record<StateType, number>> = {};
    for (const actor of this.#actors.values()) {
      retainedRuns += actor.state.runs.size;
      if (actor.ended) continue;
      const current = actor.state.header.state.current;
      executions[current] = (executions[current] ?? 0) + 1;
    }
    for (const current of this.#passive.values()) executions[current] = (executions[current] ?? 0) + 1;
    let mailboxDepth = 0;
    for (const actor of this.#ready) mailboxDepth += actor.mailbox.length;
    return {
      liveActors: this.#actors.size,
      passiveActors: this.#passive.size,
      ...this.stats,
      ...this.#pool.counts,
      heapUsedBytes: getHeapStatistics().used_heap_size,
      retainedRuns,
      peakRetainedRuns: this.#peakRetainedRuns,
      executions,
      ended: { ...this.#ended },
      mailboxDepth,
      poolQueued: this.#pool.queued ?? 0,
      poolInFlight: this.#pool.inFlight ?? 0,
      commitLatency: { ...this.#commitLatency, counts: [...this.#commitLatency.counts] },
    };
  }

  /** Unfinished executions whose actor is not in memory. */
  get passiveActors(): number {
    return this.#passive.size;
  }

  /** Handles a message from the main thread. */
  handle(msg: ToShard): void {
    switch (msg.type) {
      case 'execution.create':
        this.#create(msg);
        break;
      case 'task.results':
        this.results(msg.results);
        break;
      case 'execution.message':
        this.#enqueue(msg.executionId, msg.message);
        break;
      case 'execution.request':
        this.#requests.push(msg);
        this.#schedule();
        break;
      case 'shard.stats':
        this.#send(statsMessage(this.figures()));
        break;
      case 'clock.set':
        if (this.#clock instanceof TestClock) this.#clock.set(msg.nowMs);
        break;
      case 'listeners.set':
        this.#listeners = interestTest(msg.interest);
        break;
      case 'shard.batch':
        for (const m of msg.messages) this.handle(m);
        break;
      case 'pool.thread':
      case 'pool.retire':
        break; // the thread entry hands them to the pool client
      case 'shard.close':
        void this.#close();
        break;
    }
  }

  #flow(ref: FlowRef): Flow {
    const key = `${ref.namespace}\u0000${ref.id}\u0000${ref.revision}`;
    let flow = this.#flows.get(key);
    if (!flow) {
      flow = { ...parseFlow(ref.source), revision: ref.revision };
      this.#flows.set(key, flow);
    }
    return flow;
  }

  #create(msg: ToShard & { type: 'execution.create' }): void {
    const { executionId } = msg;
    if (this.#actors.has(executionId)) return; // a repeated request (a recovered parent asking again)
    try {
      const flow = this.#flow(msg.flow);
      const header = createExecution(flow, { id: executionId, nowMs: msg.nowMs, ...(msg.inputs ? { inputs: msg.inputs } : {}), ...(msg.labels ? { labels: msg.labels } : {}), ...(msg.trigger ? { trigger: msg.trigger } : {}), ...(msg.replay ? { replay: msg.replay } : {}), ...(msg.scheduleDate ? { scheduleDate: msg.scheduleDate } : {}), ...(msg.parentId ? { parentId: msg.parentId } : {}), ...(msg.subflowDepth ? { subflowDepth: msg.subflowDepth } : {}), ...(msg.variables ? { variables: msg.variables } : {}), ...(msg.noCorrelationId ? { noCorrelationId: true } : {}) });
      // A copy's history up to its RESTARTED entry is the original's: Flow triggers saw it there.
      const actor: Actor = msg.copy
        ? { state: restoreExecutionState(flow, msg.copy.header, msg.copy.records, [], { ...this.#init, render: this.#render }, Math.random, this.#init.limits), mailbox: [restartMessage()], ackCreated: true, ended: false, planned: { records: msg.copy.records, deletedSeqs: [] }, covered: Math.max(0, msg.copy.header.state.histories.length - 1) }
        : { state: createExecutionState(flow, header, this.#init.limits), mailbox: [startMessage(msg.admission)], ackCreated: true, ended: false, covered: 0 };
      this.#actors.set(executionId, actor);
      this.#ready.add(actor);
      this.#schedule();
    } catch (e) {
      this.#send(rejectedMessage(executionId, toErrorRecord(e)));
    }
  }

  /**
   * Rebuilds every unfinished execution this shard owns from the store and sends it
   * `execution.recover`: in-flight attempts are dispatched again (or failed, after too many
   * crashes), timers re-armed. An execution that cannot be loaded fails alone.
   * @returns the ids recovered
   */
  recoverAll(): string[] {
    const ids = this.#store.listExecutionIds({ nonTerminal: true }).filter((id) => shardOf(id, this.#init.shardCount) === this.#init.shardIndex);
    if (this.#init.crashed !== true) {
      const recover = recoverMessage(false);
      for (const id of ids) this.#rehydrate(id, recover);
      return ids;
    }
    // After a crash, only attempts a pool thread had begun count it (pool/started-marks.ts).
    const marks = readStartedMarks(startedDir(this.#init.dataDir));
    for (const id of ids) {
      this.#rehydrate(id, (state) => {
        const begun: string[] = [];
        for (const runId of state.inFlight) {
          const entry = state.runs.get(runId)!;
          if (marks.has(startedKey(id, runId, (entry.run.attempts?.length ?? 0) + 1, entry.crashes ?? 0))) begun.push(runId);
        }
        return recoverMessage(true, begun);
      });
    }
    return ids;
  }

  /**
   * Loads an actor from its records, with `first` as its first message. An execution whose
   * records cannot be loaded (undecodable, flow revision missing or unreadable) is failed alone:
   * FAILED with the reason logged when its header can be written, else reported to the engine.
   */
  #rehydrate(id: string, first: ExecutionMessage | ((state: ExecutionState) => ExecutionMessage)): Actor | undefined {
    let state: ExecutionState;
    try {
      state = this.#load(id);
    } catch (e) {
      this.#unloadable(id, e);
      return undefined;
    }
    const actor: Actor = { state, mailbox: [typeof first === 'function' ? first(state) : first], ackCreated: false, ended: false, covered: state.header.state.histories.length };
    this.#actors.set(id, actor);
    this.stats.rehydrated += 1;
    this.#ready.add(actor);
    this.#schedule();
    return actor;
  }

  #load(id: string): ExecutionState {
    const header = this.#store.readHeader(id);
    if (!header) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `the header of execution ${id} is not in the store`, { executionId: id });
    const flowRecord = this.#store.getFlow(header.namespace, header.flowId, header.flowRevision);
    if (!flowRecord) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `flow ${header.namespace}.${header.flowId} revision ${header.flowRevision} is not in the store`, { namespace: header.namespace, flowId: header.flowId, revision: header.flowRevision });
    const flow = this.#flow(flowRecord);
    return restoreExecutionState(flow, header, this.#store.iterateTaskRuns(id), this.#store.readLogs(id), { ...this.#init, render: this.#render }, Math.random, this.#init.limits);
  }

  #unloadable(id: string, cause: unknown): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new TroupeError('TROUPE_EXECUTION_CORRUPT', `Execution ${id} cannot be loaded from the store, so it is failed alone: ${reason}`, { executionId: id }, { cause });
    this.#passive.delete(id);
    this.#actors.delete(id);
    let header: ExecutionHeader | undefined;
    try {
      header = this.#store.readHeader(id);
    } catch {
      header = undefined;
    }
    if (!header || isTerminated(header.state.current)) {
      this.#send(rejectedMessage(id, toErrorRecord(error)));
      return;
    }
    this.#broken.push({ header, error });
    this.#schedule();
  }

  #enqueue(executionId: string, message: ExecutionMessage): void {
    const actor = this.#actors.get(executionId);
    if (!actor) {
      // A passivated actor is rebuilt from its records; any other unknown id is an ended
      // execution that left memory, and the message is stale.
      if (this.#passive.delete(executionId)) this.#rehydrate(executionId, message);
      return;
    }
    // Least recently used first: re-inserting keeps #actors in that order for passivation.
    this.#actors.delete(executionId);
    this.#actors.set(executionId, actor);
    actor.mailbox.push(message);
    this.#ready.add(actor);
    this.#schedule();
  }

  /**
   * Drops idle actors from memory once their changes are durable: every PAUSED or QUEUED one
   * (it may wait for days), then the least recently used idle ones while the shard holds more
   * than `maxLiveActors`. Nothing is lost: the records are in LMDB and timers stay armed here.
   */
  #passivate(touched: Iterable<Actor>): void {
    for (const actor of touched) {
      const current = actor.state.header.state.current;
      if ((current === 'PAUSED' || current === 'QUEUED') && this.#idle(actor)) this.#drop(actor);
    }
    if (this.#actors.size <= this.#init.maxLiveActors) return;
    for (const actor of this.#actors.values()) {
      if (this.#actors.size <= this.#init.maxLiveActors) break;
      if (this.#idle(actor)) this.#drop(actor);
    }
  }

  #idle(actor: Actor): boolean {
    return !actor.ended && actor.mailbox.length === 0 && actor.state.inFlight.size === 0 && !this.#ready.has(actor) && this.#actors.get(actor.state.header.id) === actor;
  }

  #drop(actor: Actor): void {
    const id = actor.state.header.id;
    this.#actors.delete(id);
    this.#passive.set(id, actor.state.header.state.current);
    this.stats.passivated += 1;
  }

  #schedule(): void {
    if (this.#scheduled || this.#draining || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => void this.#drain());
  }

  #env(): StepEnv {
    return { nowMs: this.#clock.now(), newId, random: Math.random, envs: this.#init.envs, globals: this.#init.globals, render: this.#render, ...(this.#init.limits ? { limits: this.#init.limits } : {}) };
  }

  /** Runs every ready actor's mailbox, commits once, then releases the effects. */
  async #drain(): Promise<void> {
    this.#scheduled = false;
    this.#draining = true;
    const batch: ChangeBatch = { headers: [], taskRuns: [], logs: [] };
    const runs = new Map<RunEntry, ExecutionState>();
    const deletes: Array<{ executionId: string; seq: number }> = [];
    const headers = new Set<Actor>();
    const jobs: TaskJob[] = [];
    const cancels: string[] = [];
    const subflows: Array<{ parentExecutionId: string; start: SubflowStartEffect }> = [];
    const replays: DrainOutput['replays'] = [];
    const timers: Array<{ actor: Actor; timerId: string; atMs: number }> = [];
    const ended: Actor[] = [];
    const created: Actor[] = [];
    const served = this.#serveRequests(batch);
    if (this.#streamedPending) this.#commitStreamed(batch);
    for (const actor of this.#ready) {
      const { state } = actor;
      if (actor.ackCreated) {
        created.push(actor);
        actor.ackCreated = false;
        headers.add(actor);
      }
      if (actor.planned) {
        headers.add(actor);
        for (const record of actor.planned.records) batch.taskRuns.push({ executionId: state.header.id, record });
        for (const seq of actor.planned.deletedSeqs) deletes.push({ executionId: state.header.id, seq });
        actor.planned = undefined;
      }
      if (actor.replyTo !== undefined) {
        served.replies.push(actor.replyTo);
        actor.replyTo = undefined;
      }
      for (let msg = actor.mailbox.shift(); msg; msg = actor.mailbox.shift()) {
        let result;
        try {
          result = step(state, msg, this.#env());
        } catch (e) {
          this.#secretsSeen.clear();
          this.#failActor(actor, e, batch);
          headers.add(actor);
          if (!actor.ended) ended.push(actor);
          actor.ended = true;
          break;
        }
        this.stats.steps += 1;
        this.stats.visited += result.visited;
        for (const entry of result.changedRuns) runs.set(entry, state);
        for (const seq of result.deletedSeqs) deletes.push({ executionId: state.header.id, seq });
        if (result.headerChanged) headers.add(actor);
        // Kestra masks per run context: SECRET inputs always, secret() values where they were read.
        const inputs = (actor.masks ??= secretInputs(state));
        const masks = this.#secretsSeen.size ? [...inputs, ...this.#secretsSeen] : inputs;
        this.#secretsSeen.clear();
        for (const entry of result.logs) {
          if (inputs.size || masks !== inputs) entry.message = maskSecrets(entry.message, masks);
          batch.logs.push({ executionId: state.header.id, seq: state.nextLogSeq++, entry });
        }
        for (const effect of result.effects) {
          if (effect.type === 'task.dispatch') {
            const crashes = state.runs.get(effect.taskRunId)?.crashes;
            jobs.push({ executionId: state.header.id, namespace: state.header.namespace, flowId: state.header.flowId, taskRunId: effect.taskRunId, attemptNumber: effect.attemptNumber, task: effect.task, vars: effect.vars, ...(effect.errorLogs ? { errorLogs: effect.errorLogs } : {}), ...parentOf(state.header.trigger), ...(effect.taskRunValue !== undefined ? { taskRunValue: effect.taskRunValue } : {}), ...(effect.work ? { work: effect.work } : {}), ...(effect.workingDir !== undefined ? { workingDir: effect.workingDir } : {}), ...(crashes ? { crashes } : {}) });
          } else if (effect.type === 'task.cancel') cancels.push(effect.taskRunId);
          else if (effect.type === 'timer.start') timers.push({ actor, timerId: effect.timerId, atMs: effect.atMs });
          else if (effect.type === 'subflow.start') subflows.push({ parentExecutionId: state.header.id, start: effect });
          else if (effect.type === 'execution.replay') replays.push({ parent: { id: state.header.id, namespace: state.header.namespace, flowId: state.header.flowId, flowRevision: state.header.flowRevision }, replay: effect });
          else if (effect.type === 'execution.ended' && !actor.ended) {
            actor.ended = true;
            ended.push(actor);
          }
        }
      }
    }
    this.#ready.clear();
    const outbox: Array<[string, number]> = [];
    const brokenEnds = this.#failBroken(batch, outbox);
    for (const actor of headers) {
      const header = actor.state.header;
      batch.headers.push(header);
      this.#outboxRecord(header, actor.covered, batch, outbox);
      actor.covered = header.state.histories.length;
    }
    for (const [entry, state] of runs) {
      batch.taskRuns.push({ executionId: state.header.id, record: { seq: entry.seq, taskRun: entry.run, ...(entry.crashes ? { crashes: entry.crashes } : {}), ...(entry.aux ? { aux: entry.aux } : {}) } });
      if (isTerminated(entry.run.state.current)) this.stats.taskRunsEnded += 1;
    }
    if (deletes.length) batch.taskRunDeletes = deletes;
    let staged: StagedWrite = { committed: Promise.resolve(), durable: Promise.resolve() };
    if (served.deletes.length) batch.executionDeletes = served.deletes;
    if (batch.headers.length || batch.taskRuns.length || batch.logs.length || batch.taskRunDeletes?.length || batch.executionDeletes?.length || batch.outboxPut?.length) {
      const writeStart = performance.now();
      staged = this.#store.writeBatchStaged(batch);
      this.stats.batches += 1;
      staged.durable.then(
        () => observeLatency(this.#commitLatency, (performance.now() - writeStart) / 1000),
        () => {},
      );
    }
    this.stats.created += created.length;
    for (const actor of ended) {
      const final = actor.state.header.state.current;
      this.#ended[final] = (this.#ended[final] ?? 0) + 1;
    }
    for (const end of brokenEnds) this.#ended[end.state] = (this.#ended[end.state] ?? 0) + 1;
    this.#releaseFinished(runs);
    try {
      await staged.committed;
    } catch (e) {
      this.#storeFailed(e);
      return;
    }
    // Committed (visible, maybe not yet on disk): internal effects may go, since recovery replays
    // them from the records if this commit is lost — a dispatched run with no result is
    // dispatched again. A run dispatched and cancelled in the same batch (recovered, then killed)
    // is not dispatched at all; a working directory's removal always goes (it is the kill's).
    const cancelled = new Set(cancels);
    const live = cancelled.size ? jobs.filter((j) => !cancelled.has(j.taskRunId) || j.work === 'remove') : jobs;
    if (cancels.length) this.#pool.cancel(cancels);
    if (live.length) {
      const onMain = live.filter((j) => isEngineTask(j.task.canonicalType));
      this.#pool.dispatch(onMain.length ? live.filter((j) => !isEngineTask(j.task.canonicalType)) : live);
      if (onMain.length) this.#send(drainOutput(threadId, { jobs: onMain }));
    }
    for (const t of timers) this.#startTimer(t.actor, t.timerId, t.atMs);
    // Acknowledgements, completion events and child executions wait until the commit is durable,
    // and leave in commit order.
    const changed = new Set<string>();
    for (const h of batch.headers) changed.add(h.id);
    for (const r of batch.taskRuns) changed.add(r.executionId);
    for (const l of batch.logs) changed.add(l.executionId);
    for (const id of served.deletes) changed.add(id);
    if (created.length || subflows.length || replays.length || ended.length || changed.size || served.replies.length || outbox.length) {
      const out = drainOutput(threadId, {
        created: created.map((a) => a.state.header.id),
        subflows,
        replays,
        ended: [...brokenEnds, ...ended.map((a) => ({ executionId: a.state.header.id, state: a.state.header.state.current, header: a.state.header }))],
        changed: [...changed],
        replies: served.replies,
        outbox,
      });
      this.#acks = this.#acks.then(() => staged.durable).then(() => this.#send(out));
    } else this.#acks = this.#acks.then(() => staged.durable);
    this.#acks = this.#acks.catch((e: unknown) => this.#storeFailed(e));
    for (const actor of ended) this.#cancelSlaTimers(actor);
    for (const actor of [...ended, ...headers]) this.#release(actor);
    this.#passivate(headers);
    this.#draining = false;
    if (this.#ready.size || this.#requests.length || this.#streamedPending) this.#schedule();
  }

  /**
   * Serves the requests received since the last drain (that drain's commit is visible now, so the
   * store holds every record of the executions named). A restart or change of a task run's state
   * rebuilds the actor from the planned records, ready to step `execution.restart`; labels and
   * state changes of an ended execution go into this drain's batch; deletions too. Refusals are
   * answered at once, the rest once the batch is durable.
   */
  #serveRequests(batch: ChangeBatch): { replies: number[]; deletes: string[] } {
    const served = { replies: [] as number[], deletes: [] as string[] };
    for (const req of this.#requests.splice(0)) {
      try {
        this.#serve(req, batch, served);
      } catch (e) {
        this.#send(refusedMessage(req.requestId, toErrorRecord(e)));
      }
    }
    return served;
  }

  #serve(req: ExecutionRequestMessage, batch: ChangeBatch, served: { replies: number[]; deletes: string[] }): void {
    const { executionId: id, request } = req;
    const live = this.#actors.get(id);
    const header = live?.state.header ?? this.#store.readHeader(id);
    if (!header) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `Execution '${id}' not found.`, { executionId: id });
    const current = header.state.current;
    if (request.op === 'pause') {
      if (current !== 'RUNNING') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'The execution is not running', { executionId: id, state: current });
      // Stepped in this drain (the actor is ready before the drain runs its mailboxes), answered once durable.
      this.#enqueue(id, pauseMessage());
      served.replies.push(req.requestId);
      return;
    }
    if (request.op === 'restart' || request.op === 'markTaskRun') {
      const flowRecord = this.#store.getFlow(header.namespace, header.flowId, header.flowRevision);
      if (!flowRecord) throw new TroupeError('TROUPE_FLOW_NOT_FOUND', `Unable to find revision ${header.flowRevision} on flow ${header.namespace}.${header.flowId}`, { namespace: header.namespace, flowId: header.flowId, revision: header.flowRevision });
      const flow = this.#flow(flowRecord);
      const records = (): Iterable<RunRecord> => this.#store.iterateTaskRuns(id);
      const nowMs = this.#clock.now();
      const plan = request.op === 'restart' ? planRestart(flow, header, records, nowMs) : planMarkAs(flow, header, records, request.taskRunId, request.state, nowMs);
      if ('refused' in plan) throw refusalError(id, plan);
      // The ended (or paused) actor still in memory, if any, is replaced by the rebuilt one.
      if (live) {
        this.#actors.delete(id);
        this.#ready.delete(live);
      }
      this.#passive.delete(id);
      const state = restoreExecutionState(flow, plan.header, applyPlan(records(), plan), this.#store.readLogs(id), { ...this.#init, render: this.#render }, Math.random, this.#init.limits);
      const actor: Actor = { state, mailbox: [restartMessage()], ackCreated: false, ended: false, planned: { records: plan.records, deletedSeqs: plan.deletedSeqs }, replyTo: req.requestId, covered: header.state.histories.length };
      this.#actors.set(id, actor);
      this.#ready.add(actor);
      return;
    }
    if (!isTerminated(current)) {
      const verb = request.op === 'delete' ? 'deleted' : request.op === 'setLabels' ? 'relabelled' : 'changed to another status';
      throw new TroupeError('TROUPE_EXECUTION_NOT_TERMINATED', `Execution '${id}' is ${current}: only an ended execution can be ${verb}`, { executionId: id, state: current });
    }
    if (request.op === 'delete') {
      if (live) this.#actors.delete(id);
      served.deletes.push(id);
    } else {
      const next: ExecutionHeader = { ...header, state: { current: header.state.current, histories: [...header.state.histories] } };
      if (request.op === 'setLabels') next.labels = request.labels;
      else transition(next.state, request.state, isoDate(this.#clock.now()));
      if (live) live.state.header = next;
      batch.headers.push(next);
    }
    served.replies.push(req.requestId);
  }

  /** Streamed lines join the batch, each at the next log seq of its execution, masked like the step's. */
  #commitStreamed(batch: ChangeBatch): void {
    const entries = this.#streamed;
    this.#streamed = [];
    this.#streamedPending = false;
    for (const entry of entries) {
      const actor = this.#actors.get(entry.executionId);
      if (!actor) continue;
      const masks = (actor.masks ??= secretInputs(actor.state));
      if (masks.size) entry.message = maskSecrets(entry.message, masks);
      batch.logs.push({ executionId: entry.executionId, seq: actor.state.nextLogSeq++, entry });
    }
  }

  /**
   * When states `histories[from…]` of an execution written by this batch may fire a Flow trigger,
   * the batch also writes an outbox record saying so (key `[id, from]`): the trigger service
   * evaluates it once durable, or when the engine next opens. Executions no trigger may fire for
   * cost nothing more.
   */
  #outboxRecord(header: ExecutionHeader, from: number, batch: ChangeBatch, outbox: Array<[string, number]>): void {
    const histories = header.state.histories;
    if (!this.#listeners || from >= histories.length) return;
    const states: string[] = [];
    for (let i = from; i < histories.length; i++) states.push(histories[i]!.state);
    if (!this.#listeners(header.namespace, header.flowId, states)) return;
    (batch.outboxPut ??= []).push({ executionId: header.id, entry: { seq: from, effect: listenersEffect(from, histories.length) } });
    outbox.push([header.id, from]);
  }

  /** Writes FAILED, with the reason logged, on each execution that could not be loaded. */
  #failBroken(batch: ChangeBatch, outbox: Array<[string, number]>): EndedExecution[] {
    if (!this.#broken.length) return [];
    const ends: EndedExecution[] = [];
    const date = isoDate(this.#clock.now());
    for (const { header, error } of this.#broken) {
      const from = header.state.histories.length;
      transition(header.state, 'FAILED', date);
      batch.headers.push(header);
      this.#outboxRecord(header, from, batch, outbox);
      let seq: number;
      try {
        seq = this.#store.nextSeq('logs', header.id);
      } catch {
        seq = 0;
      }
      batch.logs.push({ executionId: header.id, seq, entry: { namespace: header.namespace, flowId: header.flowId, executionId: header.id, timestamp: date, level: 'ERROR', message: `${error.code}: ${error.message}` } });
      ends.push({ executionId: header.id, state: 'FAILED', header: { ...header } });
    }
    this.#broken = [];
    return ends;
  }

  /**
   * The batch is encoded (writeBatchStaged encodes before it returns): finished runs leave their
   * actor's memory — the store holds them, their group counters what resolving needs. If the
   * commit failed, the shard stops (#storeFailed) and recovery rebuilds from durable records.
   */
  #releaseFinished(runs: Map<RunEntry, ExecutionState>): void {
    const touched = new Set<ExecutionState>();
    for (const [entry, state] of runs) {
      releaseFinished(state, entry);
      touched.add(state);
    }
    let retained = 0;
    for (const state of touched) retained += state.runs.size;
    if (retained > this.#peakRetainedRuns) this.#peakRetainedRuns = retained;
  }

  /** Nothing of a failed write is durable: no effect may leave; the engine fails its waiters. */
  #storeFailed(e: unknown): void {
    if (this.#closed) return;
    this.#send(shardFailedMessage(toErrorRecord(e)));
    this.#closed = true;
    this.#draining = false;
  }

  /** An exception in a step fails that execution, is logged on it, and never stops the shard. */
  #failActor(actor: Actor, err: unknown, batch: ChangeBatch): void {
    const { header } = actor.state;
    const date = isoDate(this.#clock.now());
    actor.mailbox.length = 0;
    transition(header.state, 'FAILED', date);
    const message = `Internal error while executing the flow: ${err instanceof Error ? err.message : String(err)}`;
    batch.logs.push({ executionId: header.id, seq: actor.state.nextLogSeq++, entry: { namespace: header.namespace, flowId: header.flowId, executionId: header.id, timestamp: date, level: 'ERROR', message } });
  }

  /** An ended execution's SLA deadlines will never matter: their timers go (Kestra purges the monitors). */
  #cancelSlaTimers(actor: Actor): void {
    for (const sla of actor.state.flow.sla ?? []) {
      if (sla.type !== 'MAX_DURATION') continue;
      const key = `${actor.state.header.id}\u0000${slaTimerId(sla.id)}`;
      this.#timers.get(key)?.();
      this.#timers.delete(key);
    }
  }

  /** Drops an ended actor from memory once nothing of it is in flight. */
  #release(actor: Actor): void {
    const { state } = actor;
    if (actor.ended && isTerminated(state.header.state.current) && state.inFlight.size === 0 && actor.mailbox.length === 0) {
      this.#actors.delete(state.header.id);
    }
  }

  #startTimer(actor: Actor, timerId: string, atMs: number): void {
    const id = actor.state.header.id;
    const key = `${id}\u0000${timerId}`;
    this.#timers.get(key)?.();
    const cancel = this.#clock.at(atMs, () => {
      this.#timers.delete(key);
      this.#enqueue(id, timerFiredMessage(timerId));
    });
    this.#timers.set(key, cancel);
  }

  async #close(): Promise<void> {
    this.#closed = true;
    for (const cancel of this.#timers.values()) cancel();
    while (this.#draining) await new Promise((r) => setImmediate(r));
    await this.#acks;
    await this.#store.close();
    this.#send({ type: 'shard.closed' });
  }
}

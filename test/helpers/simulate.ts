/**
 * Drives the pure executor step without threads: a simulated clock, deterministic ids, and a
 * fake pool that answers each dispatch with an outcome chosen by the test.
 */
import { parseFlow } from '../../src/flow/index.js';
import { createExecution, createExecutionState, releaseFinished, restoreExecutionState, step, toExecution, type DispatchEffect, type ExecutionState, type StepEnv, type StepResult } from '../../src/executor/index.js';
import type { ExecutionMessage, TaskResultMessage } from '../../src/protocol/execution-messages.js';
import { isoDate, type StateType } from '../../src/model/state.js';
import type { Execution } from '../../src/model/execution.js';
import type { TaskRun } from '../../src/model/task-run.js';

/** What the fake pool returns for a dispatch. */
export interface Outcome {
  state: StateType;
  outputs?: Record<string, unknown>;
}

/** A deterministic test harness around one execution. */
export class Simulation {
  readonly state: ExecutionState;
  nowMs = Date.parse('2024-12-20T10:00:00.000Z');
  #ids = 0;
  readonly results: StepResult[] = [];
  readonly queue: DispatchEffect[] = [];
  readonly timers: Array<{ timerId: string; atMs: number }> = [];
  maxInFlight = 0;
  ended: StateType | undefined;
  /** The task-run records every step wrote (and deleted), by seq: what the shard's store would hold. */
  readonly records = new Map<number, TaskRun>();
  /** Release finished runs after each step, as the shard does once their records are committed. */
  release = false;
  /** The most runs the state held after a step. */
  maxRetained = 0;

  constructor(yaml: string, inputs?: Record<string, unknown>, state?: ExecutionState, records?: Map<number, TaskRun>) {
    const flow = parseFlow(yaml);
    const header = createExecution(flow, { id: 'exec1', nowMs: this.nowMs, ...(inputs ? { inputs } : {}) });
    this.state = state ?? createExecutionState(flow, header);
    for (const [seq, run] of records ?? []) this.records.set(seq, run);
  }

  /**
   * A new simulation rebuilt from this one's records, as a restarted shard would: everything
   * in memory (pending dispatches, timers, indexes) is lost; only what was stored is kept.
   */
  crashAndRestore(yaml: string, options: { crashed?: boolean; crashes?: Map<number, number> } = {}): Simulation {
    const stored = new Map([...this.records].map(([seq, run]) => [seq, structuredClone(run)] as const));
    const records = [...stored].map(([seq, taskRun]) => ({ seq, taskRun, ...(options.crashes?.has(seq) ? { crashes: options.crashes.get(seq)! } : {}) }));
    const header = structuredClone(this.state.header);
    const restored = restoreExecutionState(this.state.flow, header, records, [], {}, () => 0.5);
    const sim = new Simulation(yaml, undefined, restored, stored);
    sim.nowMs = this.nowMs;
    sim.#ids = this.#ids;
    sim.send(options.crashed ? { type: 'execution.recover', crashed: true } : { type: 'execution.recover' });
    return sim;
  }

  env(): StepEnv {
    return { nowMs: this.nowMs, newId: () => `run${++this.#ids}`, random: () => 0.5 };
  }

  send(msg: ExecutionMessage): StepResult {
    const r = step(this.state, msg, this.env());
    this.results.push(r);
    for (const entry of r.changedRuns) this.records.set(entry.seq, entry.run);
    for (const seq of r.deletedSeqs) this.records.delete(seq);
    if (this.release) for (const entry of r.changedRuns) releaseFinished(this.state, entry);
    this.maxRetained = Math.max(this.maxRetained, this.state.runs.size);
    for (const e of r.effects) {
      if (e.type === 'task.dispatch') this.queue.push(e);
      if (e.type === 'timer.start') this.timers.push({ timerId: e.timerId, atMs: e.atMs });
      if (e.type === 'execution.ended') this.ended = e.state;
    }
    this.maxInFlight = Math.max(this.maxInFlight, this.state.inFlight.size);
    return r;
  }

  result(d: DispatchEffect, o: Outcome): TaskResultMessage {
    const date = isoDate(this.nowMs);
    return {
      type: 'task.result',
      taskRunId: d.taskRunId,
      attemptNumber: d.attemptNumber,
      attempt: { state: { current: o.state, histories: [{ state: 'CREATED', date }, { state: 'RUNNING', date }, { state: o.state, date }] } },
      outputs: o.state === 'FAILED' ? null : (o.outputs ?? {}),
      logs: [],
      ...(d.work ? { work: d.work } : {}),
    };
  }

  /**
   * Delivers the next message: the answer to the oldest dispatch, else the earliest timer (the
   * clock jumps to it). @returns false when nothing is left to deliver
   */
  deliver(answer: (d: DispatchEffect) => Outcome = () => ({ state: 'SUCCESS' })): boolean {
    const d = this.queue.shift();
    if (d) {
      this.nowMs += 1;
      this.send(this.result(d, answer(d)));
      return true;
    }
    const t = this.timers.sort((a, b) => a.atMs - b.atMs).shift();
    if (!t) return false;
    this.nowMs = Math.max(this.nowMs, t.atMs);
    this.send({ type: 'timer.fired', timerId: t.timerId });
    return true;
  }

  /** Starts the execution and answers every dispatch with `answer` (FIFO) until nothing is left. */
  run(answer: (d: DispatchEffect) => Outcome = () => ({ state: 'SUCCESS' })): Execution {
    if (this.state.header.state.current === 'CREATED') this.send({ type: 'execution.start' });
    while (this.deliver(answer));
    return this.execution();
  }

  /** The execution as stored: the header and every record written (a restored actor holds only its unfinished runs). */
  execution(): Execution {
    const runs = [...this.records].sort(([a], [b]) => a - b).map(([, run]) => run);
    return runs.length ? { ...this.state.header, taskRunList: runs } : toExecution(this.state);
  }
}

/** Task ids of an execution's runs with their states, in taskRunList order. */
export function statesOf(e: Execution): string[] {
  return (e.taskRunList ?? []).map((r) => `${r.taskId}${r.value !== undefined ? `[${r.value}]` : ''}:${r.state.current}`);
}

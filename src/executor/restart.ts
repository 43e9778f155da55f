/**
 * Restart, change of a task run's state, and replay from a task run (Kestra's
 * `ExecutionService.restart`, `markAs` and `replay`, kestra-semantics §2.14), as pure plans over an
 * execution's stored records: which runs change (and to what), which leave, and the new header.
 * The runtime writes the plan, rebuilds the actor from the new records (./restore.ts) and sends it
 * `execution.restart`, which the step handles here too ({@link resumeRestarted}): RESTARTED →
 * RUNNING, the RESTARTED runs dispatched again (a new attempt each), every open group resolved.
 */
import { TroupeError } from '../errors.js';
import type { ExecutionHeader } from '../model/execution.js';
import type { Flow, Task } from '../model/flow.js';
import type { TaskRun } from '../model/task-run.js';
import { isTerminated, isoDate, transition, type State, type StateType } from '../model/state.js';
import { flowableOf } from '../tasks/registry.js';
import { directChildren, indexFlow, type FlowIndex } from './flow-index.js';
import { log, setExecutionState, type StepContext } from './context.js';
import { dispatchRun } from './dispatch.js';
import { reopenWork } from './work.js';
import type { RunEntry } from './state.js';

/** A task-run record as stored: its position in the task-run list and the run. */
export interface RunRecord {
  seq: number;
  taskRun: TaskRun;
  crashes?: number;
}

/** What a restart, a change of state or a replay writes. */
export interface RestartPlan {
  /** The header to write (RESTARTED, or PAUSED while paused runs remain). */
  header: ExecutionHeader;
  /** Records to write, in seq order: changed ones (restart, markAs), or every copied one (replay). */
  records: RunRecord[];
  /** Seqs of records to remove (runs of `errors` branches). */
  deletedSeqs: number[];
}

/** Why a plan cannot be made; the runtime turns it into an error with Kestra's message. */
export type PlanRefusal = { refused: 'not-terminated'; state: StateType } | { refused: 'no-task' };

/** The error of a refusal, with Kestra's messages (409 for a running execution, 422 when nothing can restart). */
export function refusalError(executionId: string, r: PlanRefusal): TroupeError {
  if (r.refused === 'no-task') return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'No task found to restart execution from!', { executionId });
  return new TroupeError('TROUPE_EXECUTION_NOT_TERMINATED', `Execution must be terminated to be restarted, current state is '${r.state}' !`, { executionId, state: r.state });
}

/** The records of an execution, read once per call (a store range, or an array). */
export type RecordSource = () => Iterable<RunRecord>;

function copyState(state: State): State {
  return { current: state.current, histories: state.histories.map((h) => ({ ...h })) };
}

/** Every task id under an `errors` branch (the flow's, or a flowable's), children included. */
function errorTaskIds(flow: Flow): Set<string> {
  const out = new Set<string>();
  const addAll = (task: Task): void => {
    out.add(task.id);
    for (const c of directChildren(task)) addAll(c);
  };
  const visit = (task: Task): void => {
    for (const e of task.errors ?? []) addAll(e);
    for (const c of directChildren(task)) if (!out.has(c.id)) visit(c);
  };
  for (const e of flow.errors ?? []) addAll(e);
  for (const t of flow.tasks) visit(t);
  return out;
}

interface Scan {
  parent: Map<string, string | undefined>;
  hasChildren: Set<string>;
  targets: string[];
}

function scan(records: RecordSource, isTarget: (run: TaskRun) => boolean): Scan {
  const parent = new Map<string, string | undefined>();
  const hasChildren = new Set<string>();
  const targets: string[] = [];
  for (const { taskRun: run } of records()) {
    parent.set(run.id, run.parentTaskRunId);
    if (run.parentTaskRunId) hasChildren.add(run.parentTaskRunId);
    if (isTarget(run)) targets.push(run.id);
  }
  return { parent, hasChildren, targets };
}

/** The targets and all their ancestors. */
function withAncestors(s: Scan): Set<string> {
  const out = new Set<string>();
  for (const id of s.targets) {
    for (let cur: string | undefined = id; cur !== undefined && !out.has(cur); cur = s.parent.get(cur)) out.add(cur);
  }
  return out;
}

function isFlowable(index: FlowIndex, taskId: string): boolean {
  return index.get(taskId)?.task.kind === 'flowable';
}

/**
 * The state a run of the restart set takes: a runnable (or a flowable that never got children, so
 * it opens again) `target`; an ancestor flowable RUNNING.
 */
function resetState(index: FlowIndex, s: Scan, run: TaskRun, target: StateType, isTargetRun: boolean): StateType {
  if (!isFlowable(index, run.taskId) || !s.hasChildren.has(run.id)) return target;
  return isTargetRun && target !== 'RESTARTED' ? target : 'RUNNING';
}

function restarted(run: TaskRun, state: StateType, date: string, markAttempt: boolean): TaskRun {
  const copy: TaskRun = { ...run, state: copyState(run.state) };
  transition(copy.state, state, date);
  if (markAttempt && copy.attempts?.length) {
    const attempts = [...copy.attempts];
    const last = { ...attempts[attempts.length - 1]!, state: copyState(attempts[attempts.length - 1]!.state) };
    transition(last.state, state, date);
    attempts[attempts.length - 1] = last;
    copy.attempts = attempts;
  }
  return copy;
}

function restartable(header: ExecutionHeader): PlanRefusal | undefined {
  const current = header.state.current;
  return isTerminated(current) || current === 'PAUSED' ? undefined : { refused: 'not-terminated', state: current };
}

function nextHeader(header: ExecutionHeader, date: string, state: StateType): ExecutionHeader {
  const next: ExecutionHeader = { ...header, state: copyState(header.state), metadata: { ...header.metadata } };
  transition(next.state, state, date);
  return next;
}

/**
 * Kestra's restart: every FAILED or PAUSED run and its ancestors are reset — a runnable to
 * RESTARTED (its attempts kept: the next one is appended), an ancestor flowable to RUNNING — runs
 * of `errors` branches leave, and the execution goes RESTARTED with `metadata.attemptNumber` + 1.
 * @param nowMs the restart's time
 */
export function planRestart(flow: Flow, header: ExecutionHeader, records: RecordSource, nowMs: number): RestartPlan | PlanRefusal {
  const refusal = restartable(header);
  if (refusal) return refusal;
  const s = scan(records, (run) => run.state.current === 'FAILED' || run.state.current === 'PAUSED');
  const reset = withAncestors(s);
  if (reset.size === 0) return { refused: 'no-task' };
  const date = isoDate(nowMs);
  const index = indexFlow(flow);
  const errors = errorTaskIds(flow);
  const plan: RestartPlan = { header: nextHeader(header, date, 'RESTARTED'), records: [], deletedSeqs: [] };
  plan.header.metadata.attemptNumber += 1;
  for (const { seq, taskRun: run } of records()) {
    if (errors.has(run.taskId)) plan.deletedSeqs.push(seq);
    else if (reset.has(run.id)) plan.records.push({ seq, taskRun: restarted(run, resetState(index, s, run, 'RESTARTED', false), date, false) });
  }
  return plan;
}

/**
 * Kestra's `markAs` (`POST /executions/{id}/state`): the task run takes `state` (its last attempt
 * too), its ancestor flowables RUNNING, and the execution goes RESTARTED — or stays PAUSED while
 * another run is paused. Troupe takes it on an ended or paused execution only, and drops the runs
 * of `errors` branches as a restart does, so the flow goes on from the changed run.
 */
export function planMarkAs(flow: Flow, header: ExecutionHeader, records: RecordSource, taskRunId: string, state: StateType, nowMs: number): RestartPlan | PlanRefusal {
  const refusal = restartable(header);
  if (refusal) return refusal;
  const s = scan(records, (run) => run.id === taskRunId);
  const reset = withAncestors(s);
  if (reset.size === 0) return { refused: 'no-task' };
  const date = isoDate(nowMs);
  const index = indexFlow(flow);
  const errors = errorTaskIds(flow);
  const plan: RestartPlan = { header: header, records: [], deletedSeqs: [] };
  let paused = false;
  for (const { seq, taskRun: run } of records()) {
    if (errors.has(run.taskId) && !reset.has(run.id)) {
      plan.deletedSeqs.push(seq);
      continue;
    }
    if (!reset.has(run.id)) {
      if (run.state.current === 'PAUSED') paused = true;
      continue;
    }
    const target = run.id === taskRunId;
    const next = target || !isFlowable(index, run.taskId) ? state : 'RUNNING';
    plan.records.push({ seq, taskRun: restarted(run, next, date, target || !isFlowable(index, run.taskId)) });
    if (next === 'PAUSED') paused = true;
  }
  plan.header = paused ? header : nextHeader(header, date, 'RESTARTED');
  return plan;
}

/**
 * Kestra's replay from a task run: a new execution (`newId`, `parentId` = the replayed one,
 * `originalId` kept, `metadata.attemptNumber` + 1, inputs, labels, outputs and trigger copied,
 * state RESTARTED after the replayed one's history) holding copies of the runs before the chosen
 * one (new ids, seqs renumbered), the chosen run and its ancestors reset as by a restart; runs
 * after it (later in a sequential branch, or below it) and runs of `errors` branches are left out.
 * @param newRunId a new task-run id per copied run
 */
export function planReplay(flow: Flow, header: ExecutionHeader, records: RecordSource, taskRunId: string, newExecutionId: string, newRunId: () => string, nowMs: number): RestartPlan | PlanRefusal {
  const info = new Map<string, { seq: number; taskId: string; value: string | undefined }>();
  const s = scan(records, (run) => run.id === taskRunId);
  for (const { seq, taskRun: run } of records()) info.set(run.id, { seq, taskId: run.taskId, value: run.value });
  const reset = withAncestors(s);
  if (reset.size === 0) return { refused: 'no-task' };
  const date = isoDate(nowMs);
  const index = indexFlow(flow);
  const errors = errorTaskIds(flow);
  // The chosen run, its parent, …: each ancestor's position, to find where another run meets the chain.
  const chain: string[] = [];
  for (let cur: string | undefined = taskRunId; cur !== undefined; cur = s.parent.get(cur)) chain.push(cur);
  const at = new Map(chain.map((id, i) => [id, i]));
  const modeOf = (owner: string | undefined): string => {
    if (owner === undefined) return 'sequential';
    const task = index.get(info.get(owner)!.taskId)?.task;
    return (task && flowableOf(task.canonicalType)?.mode(task)) ?? 'sequential';
  };
  /** Whether `id` comes after the chosen run: below it, or later in a sequential group they share. */
  const after = (id: string): boolean => {
    for (let cur = id; ; ) {
      const p = s.parent.get(cur);
      if (p === taskRunId) return true;
      const i = p === undefined ? chain.length : at.get(p);
      if (i !== undefined) {
        const sibling = info.get(chain[i - 1]!)!;
        const mine = info.get(cur)!;
        const mode = modeOf(p);
        if (mode === 'sequential') return mine.seq > sibling.seq;
        if (mode === 'concurrent') return mine.value === sibling.value && mine.seq > sibling.seq;
        return false;
      }
      if (p === undefined) return false;
      cur = p;
    }
  };
  const header2 = nextHeader(header, date, 'RESTARTED');
  header2.metadata.attemptNumber += 1;
  const kept: RunRecord[] = [];
  for (const record of records()) {
    const run = record.taskRun;
    if (errors.has(run.taskId) && !reset.has(run.id)) continue;
    if (!reset.has(run.id) && after(run.id)) continue;
    kept.push(reset.has(run.id) ? { seq: record.seq, taskRun: restarted(run, resetState(index, s, run, 'RESTARTED', run.id === taskRunId), date, false) } : { seq: record.seq, taskRun: { ...run, state: copyState(run.state) } });
  }
  return asNewExecution(header2, kept, newExecutionId, newRunId);
}

/**
 * A plan for a new execution holding copies of `records` (new task-run ids, parents remapped,
 * seqs renumbered in order): `parentId` = `header.id`, everything else of the header kept.
 */
export function asNewExecution(header: ExecutionHeader, records: Iterable<RunRecord>, newExecutionId: string, newRunId: () => string): RestartPlan {
  const ids = new Map<string, string>();
  const out: RunRecord[] = [];
  for (const { taskRun: run } of records) {
    const id = newRunId();
    ids.set(run.id, id);
    const copy: TaskRun = { ...run, id, executionId: newExecutionId };
    if (run.parentTaskRunId !== undefined) copy.parentTaskRunId = ids.get(run.parentTaskRunId)!;
    out.push({ seq: out.length, taskRun: copy });
  }
  return { header: { ...header, id: newExecutionId, parentId: header.id }, records: out, deletedSeqs: [] };
}

/** A plan's records applied to the records it was made from: changed ones replace theirs, deleted ones leave. */
export function* applyPlan(records: Iterable<RunRecord>, plan: RestartPlan): Generator<RunRecord> {
  const changed = new Map(plan.records.map((r) => [r.seq, r]));
  const deleted = new Set(plan.deletedSeqs);
  for (const r of records) {
    if (deleted.has(r.seq)) continue;
    yield changed.get(r.seq) ?? r;
  }
}

/**
 * The step of `execution.restart`, on an actor rebuilt from a plan's records: the execution goes
 * RUNNING (Kestra's `Flow restarted`), each RESTARTED run starts again in seq order (a runnable
 * gets its next attempt), and every open group is resolved.
 */
export function resumeRestarted(ctx: StepContext): void {
  const { state } = ctx;
  if (state.header.state.current !== 'RESTARTED') return;
  log(ctx, 'INFO', 'Flow restarted');
  setExecutionState(ctx, 'RUNNING');
  // A working directory's children ran in a directory that is gone: it runs again whole.
  reopenWork(ctx, false);
  const restartedRuns: RunEntry[] = [];
  for (const entry of state.runs.values()) if (entry.run.state.current === 'RESTARTED') restartedRuns.push(entry);
  restartedRuns.sort((a, b) => a.seq - b.seq);
  for (const entry of restartedRuns) dispatchRun(ctx, entry);
  for (const g of state.groups.values()) if (!g.parent || g.parent.run.state.current === 'RUNNING') ctx.dirty.add(g);
}

/**
 * The in-memory state of one execution and the indexes the step needs: runs by id, and for each
 * parent run (or the top level) a {@link Group} with per-branch counts by state, so that resolving
 * the next task runs and a flowable's state never scans the execution's task runs.
 */
import type { ExecutionHeader } from '../model/execution.js';
import type { Flow, Task } from '../model/flow.js';
import type { TaskRun } from '../model/task-run.js';
import type { LogEntry } from '../model/log-entry.js';
import { isTerminated, transition, type StateType } from '../model/state.js';
import type { FlowIndex } from './flow-index.js';
import type { ExecutorLimits } from '../model/limits.js';
import type { ResolvedChild } from '../tasks/flowable/spec.js';
import { actorHooksOf, flowableOf } from '../tasks/registry.js';
import { workingDirName } from '../model/work-phase.js';

/** Per-branch counters of a group. */
export interface Branch {
  /** How many runs were created in this branch. */
  created: number;
  /** How many of them are terminated. */
  terminated: number;
  /** Count of runs by current state. */
  counts: Partial<Record<StateType, number>>;
}

/** Progress of one loop value in a concurrent ForEach. */
export interface ValueProgress {
  created: number;
  inProgress: number;
  done: boolean;
}

/**
 * What one execution holds active, shared by all its groups: task runs created and not
 * terminated, against the window `max` (ExecutorLimits.maxActiveRuns), and the groups that
 * stopped creating children because the window was full, in the order they stopped.
 */
export interface RunTally {
  active: number;
  max: number;
  held: Set<Group>;
}

/** The children of one flowable run (or of the flow itself, key ''), with their counters. */
export interface Group {
  key: string;
  parent: RunEntry | null;
  /** The execution's active runs and window (one object for every group of an execution). */
  tally: RunTally;
  /**
   * Whether finished runs of this group stay in memory: an iterating task's children (WaitFor:
   * its next iteration deletes them, by seq) and everything below them. Elsewhere a finished run leaves
   * memory once its record is committed (./retention.ts).
   */
  retain: boolean;
  normal: Branch;
  errors: Branch;
  /** Runs by `taskId` + NUL + `value` (finished ones leave it with ./retention.ts). */
  byKey: Map<string, RunEntry>;
  /** The normal children as resolved when the flowable opened (null: Switch without a match). */
  resolved: ResolvedChild[] | null;
  /**
   * Dag: unmet dependencies per child, who depends on whom, and the children whose
   * dependencies have all terminated, in the order they became ready (those from `next` on are still to start).
   */
  dag?: { unmet: Map<string, number>; dependents: Map<string, string[]>; ready: ResolvedChild[]; next: number; byId: Map<string, ResolvedChild>; started: Set<string> };
  /**
   * A flowable that works around its children (WorkingDirectory): the directory they share, and
   * where it is — `setup` or `teardown` in flight in the pool (nothing resolves meanwhile),
   * `children` running, `done` (the directory is gone; the errors branch may run).
   */
  work?: { dir: string; phase: 'setup' | 'children' | 'teardown' | 'done' };
  /** Concurrent loops: per loop value progress, and which values changed since the last pass. */
  values?: { order: string[]; tasks: Task[]; progress: Map<string, ValueProgress>; nextIndex: number; active: number; touched: Set<string> };
}

/** One task run with its place in the indexes. */
export interface RunEntry {
  run: TaskRun;
  /** Position in taskRunList. */
  seq: number;
  task: Task;
  branch: 'normal' | 'errors';
  group: Group;
  /** Crashes the run's current attempt was in flight during (stored with its record). */
  crashes?: number;
  /** What an actor-side task keeps with the run beyond Kestra's TaskRun (stored with its record; see TaskRunRecord.aux). */
  aux?: Record<string, number>;
}

/** Everything one execution actor holds. */
export interface ExecutionState {
  flow: Flow;
  index: FlowIndex;
  header: ExecutionHeader;
  /** Runs in memory by id: every unfinished run, and finished ones not yet released (./retention.ts). */
  runs: Map<string, RunEntry>;
  /** Groups of open flowable runs (and of closed ones whose children are not all terminated). */
  groups: Map<string, Group>;
  /** Active runs and the window, shared with every group. */
  tally: RunTally;
  /** The memory bounds this execution runs under. */
  limits: ExecutorLimits;
  /** Task ids whose outputs some template of the flow can read, or 'all' (./outputs-tree.ts keeps only those). */
  outputsRead: ReadonlySet<string> | 'all';
  nextSeq: number;
  /** Outputs keyed as Kestra's `Execution.outputs()`: taskId → (loop values →) outputs. */
  outputs: Record<string, unknown>;
  /** Ids of runnable runs dispatched and not yet finished. */
  inFlight: Set<string>;
  /** Ids of PAUSED runs. */
  paused: Set<string>;
  /** Ids of Subflow runs waiting for their child execution. */
  waitingSubflows: Set<string>;
  /** Pending timers: id → what they do. */
  timers: Map<string, ActorTimer>;
  /** The first ERROR log lines of the execution, for `errorLogs()` (Kestra keeps 25). */
  errorLogs: LogEntry[];
  nextLogSeq: number;
}

/** A timer the actor is waiting on. */
export interface ActorTimer {
  /** A retry, the execution's scheduled start, a timer an actor-side task armed (`name`, `detail`), or an SLA deadline (`name`: the SLA's id). */
  kind: 'retry' | 'schedule' | 'task' | 'sla';
  /** The run the timer is for ('' for the execution's own schedule timer). */
  taskRunId: string;
  atMs: number;
  name?: string;
  detail?: number;
}

/** The key of a run inside its group. */
export function childKey(taskId: string, value: string | undefined): string {
  return value === undefined ? taskId : `${taskId}\u0000${value}`;
}

function emptyBranch(): Branch {
  return { created: 0, terminated: 0, counts: {} };
}

/** A new tally of active runs with window `max`. */
export function createTally(max: number): RunTally {
  return { active: 0, max, held: new Set() };
}

/** A new empty group for `parent`, sharing its execution's tally (the top level, parent null, gets `tally`). */
export function createGroup(parent: RunEntry | null, resolved: ResolvedChild[] | null, tally?: RunTally): Group {
  // A working directory's children stay in memory while it is open: losing its directory (a
  // crash) deletes them by seq and runs them again (./work.ts).
  const works = parent !== null && flowableOf(parent.task.canonicalType)?.work === true;
  const retain = parent !== null && (actorHooksOf(parent.task.canonicalType)?.iterates === true || works || parent.group.retain);
  const group: Group = { key: parent ? parent.run.id : '', parent, tally: parent ? parent.group.tally : tally ?? createTally(Infinity), retain, normal: emptyBranch(), errors: emptyBranch(), byKey: new Map(), resolved };
  if (works) group.work = { dir: workingDirName(parent.run.id), phase: 'children' };
  return group;
}

function count(branch: Branch, type: StateType, delta: number): void {
  branch.counts[type] = (branch.counts[type] ?? 0) + delta;
  if (isTerminated(type)) branch.terminated += delta;
}

/** Builds a Dag group's dependency index from the task's `dependsOn`. */
export function indexDag(group: Group, dependencies: ReadonlyMap<string, readonly string[]>): void {
  const byId = new Map((group.resolved ?? []).map((c) => [c.task.id, c]));
  const unmet = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const ready: ResolvedChild[] = [];
  for (const [id, child] of byId) {
    const deps = (dependencies.get(id) ?? []).filter((d) => byId.has(d));
    unmet.set(id, deps.length);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), id]);
    if (deps.length === 0) ready.push(child);
  }
  group.dag = { unmet, dependents, ready, next: 0, byId, started: new Set() };
}

/** A Dag child terminated: its dependents with nothing else to wait for become ready. */
function dagChildEnded(group: Group, taskId: string): void {
  const dag = group.dag!;
  for (const id of dag.dependents.get(taskId) ?? []) {
    const left = dag.unmet.get(id)! - 1;
    dag.unmet.set(id, left);
    if (left === 0) dag.ready.push(dag.byId.get(id)!);
  }
}

/** Adds a new run to its group's indexes. */
export function indexRun(entry: RunEntry): void {
  const branch = entry.group[entry.branch];
  branch.created += 1;
  count(branch, entry.run.state.current, 1);
  if (!isTerminated(entry.run.state.current)) entry.group.tally.active += 1;
  entry.group.byKey.set(childKey(entry.run.taskId, entry.run.value), entry);
  if (entry.group.dag && entry.branch === 'normal') {
    entry.group.dag.started.add(entry.run.taskId);
    if (isTerminated(entry.run.state.current)) dagChildEnded(entry.group, entry.run.taskId);
  }
  const values = entry.group.values;
  if (values && entry.branch === 'normal' && entry.run.value !== undefined) {
    const p = values.progress.get(entry.run.value);
    if (p) {
      p.created += 1;
      if (!isTerminated(entry.run.state.current)) p.inProgress += 1;
    }
  }
}

/**
 * Moves a run to `type` at `date`, keeping its group's counters true.
 * @returns whether the state changed
 */
export function setRunState(entry: RunEntry, type: StateType, date: string): boolean {
  const before = entry.run.state.current;
  if (!transition(entry.run.state, type, date)) return false;
  const branch = entry.group[entry.branch];
  count(branch, before, -1);
  count(branch, type, 1);
  entry.group.tally.active += (isTerminated(type) ? 0 : 1) - (isTerminated(before) ? 0 : 1);
  if (entry.group.dag && entry.branch === 'normal' && isTerminated(type) && !isTerminated(before)) dagChildEnded(entry.group, entry.run.taskId);
  const values = entry.group.values;
  if (values && entry.branch === 'normal' && entry.run.value !== undefined) {
    const p = values.progress.get(entry.run.value);
    if (p) {
      p.inProgress += (isTerminated(type) ? 0 : 1) - (isTerminated(before) ? 0 : 1);
      values.touched.add(entry.run.value);
    }
  }
  return true;
}

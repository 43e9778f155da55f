/**
 * Resolving one group: create the next children (sequential, parallel or concurrent), then derive
 * the owner's state (Kestra's resolveState/guessFinalState, §2.4) from the group's counters.
 * Work per call is bounded by what it creates, never by how many runs the execution holds.
 */
import type { Task } from '../model/flow.js';
import type { StateType } from '../model/state.js';
import { sequential, type FlowableSpec, type ResolvedChild } from '../tasks/flowable/index.js';
import { actorHooksOf, flowableOf } from '../tasks/registry.js';
import type { Branch, Group, RunEntry } from './state.js';
import { log, setState, type StepContext } from './context.js';
import { createRun, startWork } from './dispatch.js';
import { finishExecution } from './end.js';
import { actorRun } from './actor-run.js';

function enabled(list: Task[] | undefined): ResolvedChild[] {
  return (list ?? []).filter((t) => !t.disabled).map((task) => ({ task }));
}

function inProgress(b: Branch): number {
  return b.created - b.terminated;
}

/** Resolves a dirty group: nexts, then its owner's state. */
export function processGroup(ctx: StepContext, group: Group): void {
  ctx.visited += 1;
  const { state } = ctx;
  if (state.header.state.current !== 'RUNNING') return;
  const parent = group.parent;
  if (parent && parent.run.state.current !== 'RUNNING') return;
  const spec = parent ? flowableOf(parent.task.canonicalType)! : sequential;
  if (group.work && parent && !workAllows(ctx, group, parent)) return;
  const task = parent?.task;
  const errors = enabled(parent ? parent.task.errors : state.flow.errors);
  const errorsActive = group.errors.created > 0 || (group.normal.counts.FAILED ?? 0) > 0;
  const mode = task ? spec.mode(task) : 'sequential';
  if (errorsActive) {
    if (mode === 'parallel') createParallel(ctx, group, errors, group.errors, 0, 'errors');
    else createSequential(ctx, group, errors, group.errors, 'errors');
  } else if (group.resolved) {
    if (mode === 'sequential') createSequential(ctx, group, group.resolved, group.normal, 'normal');
    else if (mode === 'parallel') createParallel(ctx, group, group.resolved, group.normal, spec.concurrency(task!), 'normal');
    else createConcurrent(ctx, group, spec.concurrency(task!));
  }
  let final = resolveState(ctx, group, spec, errorsActive, errors.length);
  if (final !== undefined && parent && !errorsActive) {
    const hooks = actorHooksOf(parent.task.canonicalType);
    if (hooks?.childrenEnded) final = hooks.childrenEnded(actorRun(ctx, parent), final);
  }
  if (final === undefined) return;
  if (parent) setState(ctx, parent, final);
  else finishExecution(ctx, final);
}

/**
 * A working flowable (WorkingDirectory) resolves only between its setup and its teardown, and
 * after the teardown (its errors branch, its end): while either is in flight nothing moves, and
 * once its normal branch has ended (all done, or a child FAILED) the teardown starts.
 */
function workAllows(ctx: StepContext, group: Group, owner: RunEntry): boolean {
  const { phase } = group.work!;
  if (phase === 'setup' || phase === 'teardown') return false;
  if (phase === 'done') return true;
  const normal = group.normal;
  const ended = inProgress(normal) === 0 && ((normal.counts.FAILED ?? 0) > 0 || normal.created >= (group.resolved?.length ?? 0));
  if (!ended) return true;
  startWork(ctx, owner, group, 'teardown');
  return false;
}

function createSequential(ctx: StepContext, group: Group, list: ResolvedChild[], b: Branch, branch: 'normal' | 'errors'): void {
  if (inProgress(b) > 0 || b.created >= list.length) return;
  createRun(ctx, group, list[b.created]!, branch);
}

/**
 * Room the execution's window leaves a group for new parallel children: what is left of
 * `maxActiveRuns`, and always one when the group has nothing in progress (so nested fan-outs
 * never wait on each other forever).
 */
function windowRoom(group: Group, b: Branch): number {
  const { tally } = group;
  return Math.max(tally.max - tally.active, inProgress(b) === 0 ? 1 : 0);
}

/** The window stopped `group` with children still to create: it waits for a run to end (see wakeHeld). */
function hold(group: Group): void {
  group.tally.held.delete(group);
  group.tally.held.add(group);
}

function createParallel(ctx: StepContext, group: Group, list: ResolvedChild[], b: Branch, concurrent: number, branch: 'normal' | 'errors'): void {
  const own = concurrent > 0 ? concurrent - inProgress(b) : Infinity;
  const room = windowRoom(group, b);
  let slots = Math.min(own, room);
  if (slots <= 0) {
    if (room <= 0) hold(group);
    return;
  }
  if (group.dag && branch === 'normal') {
    // Dag: children start as their dependencies terminate (ready queue), never by a scan.
    const dag = group.dag;
    while (slots > 0 && dag.next < dag.ready.length) {
      const child = dag.ready[dag.next++]!;
      if (dag.started.has(child.task.id)) continue;
      createRun(ctx, group, child, branch);
      slots -= 1;
    }
    if (room < own && dag.next < dag.ready.length) hold(group);
    return;
  }
  // Children of a parallel flowable are created in declaration order, so the next ones start at `created`.
  const from = b.created;
  const to = Math.min(list.length, from + slots);
  for (let i = from; i < to; i++) createRun(ctx, group, list[i]!, branch);
  if (room < own && to < list.length) hold(group);
}

/**
 * Runs ended and the window has room again: the groups it held are resolved again, oldest first,
 * until the room is used or none is left. Each held group is taken once per wake-up (it holds
 * itself again if the window stops it anew), so the work follows what gets created.
 */
export function wakeHeld(ctx: StepContext): void {
  const { tally } = ctx.state;
  while (tally.held.size > 0 && tally.active < tally.max) {
    const group = tally.held.values().next().value as Group;
    tally.held.delete(group);
    processGroup(ctx, group);
  }
}

/** ForEach with concurrencyLimit ≠ 1: each value's tasks in order, at most `limit` values in progress. */
function createConcurrent(ctx: StepContext, group: Group, limit: number): void {
  const values = group.values!;
  const { tasks } = values;
  for (const value of values.touched) {
    const p = values.progress.get(value)!;
    if (p.done || p.inProgress > 0) continue;
    if (p.created < tasks.length) createRun(ctx, group, { task: tasks[p.created]!, value }, 'normal');
    else {
      p.done = true;
      values.active -= 1;
      // A finished value is never counted again: its progress leaves memory.
      values.progress.delete(value);
    }
  }
  values.touched.clear();
  const { tally } = group;
  while ((limit === 0 || values.active < limit) && values.nextIndex < values.order.length) {
    // The window: a new value waits while the execution is full, unless no value is in progress.
    if (tally.active >= tally.max && values.active > 0) {
      hold(group);
      break;
    }
    const value = values.order[values.nextIndex++]!;
    values.active += 1;
    if (tasks.length === 0) continue;
    createRun(ctx, group, { task: tasks[0]!, value }, 'normal');
  }
}

function guessFinalState(b: Branch): StateType {
  const c = b.counts;
  if (c.KILLED) return 'KILLED';
  if (c.FAILED) return 'FAILED';
  if (c.WARNING) return 'WARNING';
  if (c.PAUSED) return 'PAUSED';
  return 'SUCCESS';
}

function adjust(group: Group, spec: FlowableSpec, s: StateType): StateType {
  const task = group.parent?.task;
  if (!task) return s;
  let out = spec.adjustState ? spec.adjustState(s) : s;
  if (out === 'FAILED' && task.allowFailure) out = task.allowWarning ? 'SUCCESS' : 'WARNING';
  if (out === 'WARNING' && task.allowWarning) out = 'SUCCESS';
  return out;
}

function resolveState(ctx: StepContext, group: Group, spec: FlowableSpec, errorsActive: boolean, errorCount: number): StateType | undefined {
  if (group.resolved === null) {
    log(ctx, 'WARN', `No task found on flow '${ctx.state.flow.namespace}.${ctx.state.flow.id}', task '${group.parent!.task.id}'`, group.parent!);
    return adjust(group, spec, 'FAILED');
  }
  const normal = group.normal;
  let done: boolean;
  if (errorsActive) {
    // An errors branch never changes the outcome; without one, a failed child ends the owner at once (fail-fast).
    done = errorCount > 0 ? group.errors.created === errorCount && inProgress(group.errors) === 0 : (normal.counts.FAILED ?? 0) > 0;
  } else {
    done = normal.created === group.resolved.length && inProgress(normal) === 0;
  }
  if (!done) return undefined;
  return adjust(group, spec, guessFinalState(normal));
}

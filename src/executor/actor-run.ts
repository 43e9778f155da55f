/**
 * The executor's side of the actor-task interface (tasks/actor-spec.ts): an {@link ActorRun} over
 * one run during a step, and a {@link RestoredRun} while an actor is rebuilt from its records.
 * Every change goes through the step's primitives, so counters, dirty groups, changed records and
 * effects stay true whatever the task does.
 */
import { renderObject, renderString } from '../expr/index.js';
import type { Label } from '../model/execution.js';
import { createState, isTerminated, transition, type StateType } from '../model/state.js';
import type { ActorRun, RestoredRun } from '../tasks/actor-spec.js';
import { endAttempt } from './attempt-end.js';
import { DEFAULT_LIMITS } from '../model/limits.js';
import { log, setExecutionState, setState, type StepContext } from './context.js';
import { buildOutputsTree, recordOutputs, valuePath } from './outputs-tree.js';
import { runVars, type HostVars } from './run-vars.js';
import type { ExecutionState, Group, RunEntry } from './state.js';

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function timerId(name: string, entry: RunEntry): string {
  return `${name}:${entry.run.id}`;
}

/**
 * The last paused run moved on: the execution runs again, and every open group is resolved,
 * since groups that changed while the execution was paused could not act (once per resume).
 */
export function unpauseExecution(ctx: StepContext): void {
  setExecutionState(ctx, 'RUNNING');
  for (const g of ctx.state.groups.values()) if (!g.parent || g.parent.run.state.current === 'RUNNING') ctx.dirty.add(g);
}

/**
 * Deletes a group's runs (those it keeps: a retaining group's, ./retention.ts) and every run below
 * them, from memory and (through the step) the store; an unfinished one leaves the window, its
 * timers and waits go with it. Its attempts in flight are not cancelled: their results are stale.
 */
export function deleteChildren(ctx: StepContext, group: Group): void {
  const { state } = ctx;
  for (const child of group.byKey.values()) {
    const id = child.run.id;
    const below = state.groups.get(id);
    if (below) deleteChildren(ctx, below);
    state.groups.delete(id);
    state.runs.delete(id);
    state.inFlight.delete(id);
    state.paused.delete(id);
    state.waitingSubflows.delete(id);
    if (!isTerminated(child.run.state.current)) {
      group.tally.active -= 1;
      for (const [timerId, timer] of state.timers) if (timer.taskRunId === id) state.timers.delete(timerId);
    }
    ctx.changed.delete(child);
    ctx.deleted.push(child.seq);
  }
  group.byKey.clear();
  group.tally.held.delete(group);
}

/**
 * The view of `entry` an actor-side task gets during a step.
 * @param restart starts the run again from CREATED (given where a hook may ask for it: timers)
 */
export function actorRun(ctx: StepContext, entry: RunEntry, restart?: (entry: RunEntry) => void): ActorRun {
  const { state } = ctx;
  const vars = (): Record<string, unknown> => runVars(state, entry, ctx.env);
  const varsWith = (extra: Record<string, unknown> | undefined): Record<string, unknown> => {
    const v = vars();
    if (!extra) return v;
    for (const [k, x] of Object.entries(extra)) v[k] = k === 'taskrun' && isMap(v[k]) && isMap(x) ? { ...v[k], ...x } : x;
    return v;
  };
  return {
    task: entry.task,
    run: entry.run,
    execution: state.header,
    nowMs: ctx.env.nowMs,
    limits: { ...DEFAULT_LIMITS, ...ctx.env.limits },
    render: (template) => renderString(template, vars(), ctx.env.render),
    renderObject: (value, extra) => renderObject(value, varsWith(extra), ctx.env.render),
    log: (level, message) => log(ctx, level, message, entry),
    setState: (type) => setState(ctx, entry, type),
    setOutputs(outputs) {
      entry.run.outputs = outputs;
      recordOutputs(state, entry);
      ctx.changed.add(entry);
    },
    touch: () => ctx.changed.add(entry),
    startAttempt() {
      const s = createState(ctx.date);
      transition(s, 'RUNNING', ctx.date);
      entry.run.attempts = [...(entry.run.attempts ?? []), { state: s }];
      ctx.changed.add(entry);
    },
    endAttempt(raw: StateType) {
      const attempts = entry.run.attempts ?? [];
      const open = attempts[attempts.length - 1];
      if (open && !isTerminated(open.state.current)) {
        transition(open.state, raw, ctx.date);
        endAttempt(ctx, entry, raw, attempts.length - 1);
        return;
      }
      const s = createState(ctx.date);
      transition(s, raw, ctx.date);
      entry.run.attempts = [...attempts, { state: s }];
      endAttempt(ctx, entry, raw, attempts.length);
    },
    startTimer(name, atMs, detail) {
      const id = timerId(name, entry);
      state.timers.set(id, { kind: 'task', name, taskRunId: entry.run.id, atMs, ...(detail !== undefined ? { detail } : {}) });
      ctx.effects.push({ type: 'timer.start', timerId: id, atMs });
    },
    clearTimer: (name) => void state.timers.delete(timerId(name, entry)),
    newId: () => ctx.env.newId(),
    pause() {
      setState(ctx, entry, 'PAUSED');
      state.paused.add(entry.run.id);
      setExecutionState(ctx, 'PAUSED');
    },
    unpause(restarted) {
      state.paused.delete(entry.run.id);
      if (state.paused.size > 0 || state.header.state.current !== 'PAUSED') return;
      if (restarted) setExecutionState(ctx, 'RESTARTED');
      unpauseExecution(ctx);
    },
    setLabels(labels: Label[]) {
      const current = state.header.labels;
      for (const l of labels) {
        const i = current.findIndex((c) => c.key === l.key);
        if (i >= 0) current[i] = l;
        else current.push(l);
      }
      ctx.headerChanged = true;
    },
    startChild: (request) => void ctx.effects.push({ type: 'subflow.start', taskRunId: entry.run.id, ...request, depth: (state.header.subflowDepth ?? 0) + 1 }),
    setWaiting(waiting) {
      if (waiting) state.waitingSubflows.add(entry.run.id);
      else state.waitingSubflows.delete(entry.run.id);
    },
    outputsOf: (execution) => buildOutputsTree(execution.taskRunList ?? []),
    siblingOutputs(taskId) {
      let node: unknown = state.outputs[taskId];
      if (entry.group.parent) for (const v of valuePath(entry.group.parent)) node = isMap(node) ? node[v] : undefined;
      return isMap(node) ? node : undefined;
    },
    get aux() {
      return entry.aux;
    },
    setAux(aux) {
      entry.aux = aux;
      ctx.changed.add(entry);
    },
    deleteChildren() {
      const group = state.groups.get(entry.run.id);
      if (group) deleteChildren(ctx, group);
      state.groups.delete(entry.run.id);
    },
    restart() {
      if (!restart) throw new Error(`task run ${entry.run.id} cannot be restarted here`);
      restart(entry);
    },
  };
}

/** The view of a stored run an actor-side task gets while the actor is rebuilt. */
export function restoredRun(state: ExecutionState, entry: RunEntry, host: HostVars): RestoredRun {
  return {
    task: entry.task,
    run: entry.run,
    render: (template) => renderString(template, runVars(state, entry, host), host.render),
    startTimer(name, atMs, detail) {
      state.timers.set(timerId(name, entry), { kind: 'task', name, taskRunId: entry.run.id, atMs, ...(detail !== undefined ? { detail } : {}) });
    },
    markWaiting: () => void state.waitingSubflows.add(entry.run.id),
    aux: entry.aux,
  };
}

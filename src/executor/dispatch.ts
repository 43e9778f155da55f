/**
 * Creating task runs and starting them (Kestra §2.3): `runIf` (falsy → SKIPPED, error → FAILED),
 * flowables opened in the actor, runnables sent to the pool as a dispatch effect.
 */
import { isTruthy, renderObject, renderString } from '../expr/index.js';
import { createState } from '../model/state.js';
import type { TaskRun } from '../model/task-run.js';
import type { ResolveContext, ResolvedChild } from '../tasks/flowable/index.js';
import { actorHooksOf, behaviourOf, flowableOf } from '../tasks/registry.js';
import type { ActorTask } from '../tasks/actor-spec.js';
import type { FlowableSpec } from '../tasks/flowable/spec.js';
import { createGroup, indexDag, indexRun, type ExecutionState, type Group, type RunEntry } from './state.js';
import { outputsFor, runVars, usesErrorLogs, varsFor, type HostVars } from './run-vars.js';
import { actorRun } from './actor-run.js';
import type { DispatchEffect } from './effects.js';
import type { WorkPhase } from '../model/work-phase.js';
import { recordOutputs } from './outputs-tree.js';
import { log, setState, type StepContext } from './context.js';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Rendering in a run's context, for flowable properties. */
export function resolveContext(ctx: StepContext, entry: RunEntry): ResolveContext {
  return resolveContextFor(ctx.state, entry, ctx.env);
}

/** Rendering in a run's context, outside a step (restore). */
export function resolveContextFor(state: ExecutionState, entry: RunEntry, host: HostVars): ResolveContext {
  let vars: Record<string, unknown> | undefined;
  const get = (): Record<string, unknown> => (vars ??= runVars(state, entry, host));
  return {
    render: (template) => renderString(template, get(), host.render),
    renderObject: (value) => renderObject(value, get(), host.render),
    maxLoopRuns: state.limits.maxLoopRuns,
  };
}

/** Creates a run for `child` in `group` and starts it. */
export function createRun(ctx: StepContext, group: Group, child: ResolvedChild, branch: 'normal' | 'errors'): RunEntry {
  const { state } = ctx;
  const run: TaskRun = {
    id: ctx.env.newId(),
    executionId: state.header.id,
    namespace: state.header.namespace,
    flowId: state.header.flowId,
    taskId: child.task.id,
    outputs: null,
    state: createState(ctx.date),
  };
  if (group.parent) {
    run.parentTaskRunId = group.parent.run.id;
    if (actorHooksOf(group.parent.task.canonicalType)?.iterates) run.iteration = group.parent.run.iteration ?? 1;
  }
  if (child.value !== undefined) run.value = child.value;
  const entry: RunEntry = { run, seq: state.nextSeq++, task: child.task, branch, group };
  state.runs.set(run.id, entry);
  indexRun(entry);
  ctx.changed.add(entry);
  const spec = child.task.kind === 'flowable' ? flowableOf(child.task.canonicalType) : undefined;
  if (spec) {
    // As Kestra: a flowable's outputs are computed when its run is created (`{}` for most).
    try {
      run.outputs = spec.outputs ? spec.outputs(child.task, resolveContext(ctx, entry)) : {};
      recordOutputs(state, entry);
    } catch (e) {
      log(ctx, 'WARN', `Unable to compute the outputs of the flowable task: ${messageOf(e)}`, entry);
    }
  }
  dispatchRun(ctx, entry);
  return entry;
}

/** Starts a CREATED run: runIf, then open a flowable or dispatch a runnable. */
export function dispatchRun(ctx: StepContext, entry: RunEntry): void {
  const { task } = entry;
  if (task.runIf !== undefined) {
    let run: boolean;
    try {
      run = isTruthy(renderString(task.runIf, runVars(ctx.state, entry, ctx.env), ctx.env.render));
    } catch (e) {
      log(ctx, 'ERROR', `Unable to evaluate the runIf condition for task ${task.id}: ${messageOf(e)}`, entry);
      setState(ctx, entry, 'FAILED');
      return;
    }
    if (!run) {
      setState(ctx, entry, 'SKIPPED');
      return;
    }
  }
  const behaviour = behaviourOf(task.canonicalType);
  if (!behaviour) {
    // Only a flow deployed with --lenient gets here; nothing to retry: the type cannot run.
    log(ctx, 'ERROR', `The task type '${task.type}' cannot run in this version of Troupe`, entry);
    setState(ctx, entry, 'FAILED');
    return;
  }
  if (behaviour.runs === 'actor') {
    if (behaviour.flowable) openFlowable(ctx, entry, behaviour.flowable, behaviour.actor);
    else {
      setState(ctx, entry, 'RUNNING');
      behaviour.actor?.start?.(actorRun(ctx, entry));
    }
    return;
  }
  setState(ctx, entry, 'RUNNING');
  ctx.state.inFlight.add(entry.run.id);
  pushDispatch(ctx, entry);
}

/** The dispatch of `entry` to the pool with its render context (attempt `attemptNumber`). */
function dispatchEffect(ctx: StepContext, entry: RunEntry, attemptNumber: number): DispatchEffect {
  const { task } = entry;
  const vars = runVars(ctx.state, entry, ctx.env);
  vars.outputs = outputsFor(task, ctx.state.outputs);
  const effect: DispatchEffect = { type: 'task.dispatch', taskRunId: entry.run.id, attemptNumber, task, vars: varsFor(task, vars) };
  if (usesErrorLogs(task)) effect.errorLogs = [...ctx.state.errorLogs];
  if (entry.run.value !== undefined) effect.taskRunValue = entry.run.value;
  return effect;
}

/** Sends a RUNNING runnable run to the pool, as its next attempt (in its WorkingDirectory's directory, if it has one). */
export function pushDispatch(ctx: StepContext, entry: RunEntry): void {
  const effect = dispatchEffect(ctx, entry, (entry.run.attempts?.length ?? 0) + 1);
  const dir = entry.branch === 'normal' ? entry.group.work?.dir : undefined;
  if (dir !== undefined) effect.workingDir = dir;
  ctx.effects.push(effect);
}

/**
 * Sends a phase of a working flowable's work to the pool (FlowableSpec.work): `setup` and
 * `teardown` are in flight until their result (the group waits meanwhile); `remove` is not awaited.
 */
export function startWork(ctx: StepContext, entry: RunEntry, group: Group, phase: WorkPhase): void {
  if (phase !== 'remove') {
    group.work!.phase = phase;
    ctx.state.inFlight.add(entry.run.id);
  }
  const effect = dispatchEffect(ctx, entry, entry.run.attempts?.length ?? 0);
  effect.work = phase;
  effect.workingDir = group.work!.dir;
  ctx.effects.push(effect);
}

function openFlowable(ctx: StepContext, entry: RunEntry, spec: FlowableSpec, hooks: ActorTask | undefined): void {
  setState(ctx, entry, 'RUNNING');
  if (openChildren(ctx, entry, spec)) hooks?.opened?.(actorRun(ctx, entry));
}

/**
 * Resolves a RUNNING flowable's children into a new group (the run fails when they cannot be
 * resolved); a working flowable's setup starts.
 * @returns whether the group was opened
 */
export function openChildren(ctx: StepContext, entry: RunEntry, spec: FlowableSpec): boolean {
  const { task } = entry;
  let resolved: ResolvedChild[] | null;
  try {
    resolved = spec.children(task, resolveContext(ctx, entry), entry.run.outputs);
  } catch (e) {
    log(ctx, 'ERROR', `Unable to resolve state from the Flowable task: ${messageOf(e)}`, entry);
    setState(ctx, entry, 'FAILED');
    return false;
  }
  const group = createGroup(entry, resolved);
  if (resolved && spec.dependencies) indexDag(group, spec.dependencies(task));
  if (resolved && spec.mode(task) === 'concurrent') {
    const order = [...new Set(resolved.map((c) => c.value!))];
    const tasks = resolved.filter((c) => c.value === order[0]).map((c) => c.task);
    group.values = { order, tasks, progress: new Map(order.map((v) => [v, { created: 0, inProgress: 0, done: false }])), nextIndex: 0, active: 0, touched: new Set() };
  }
  ctx.state.groups.set(entry.run.id, group);
  ctx.dirty.add(group);
  if (group.work) startWork(ctx, entry, group, 'setup');
  return true;
}

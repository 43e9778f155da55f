/**
 * Subflow (Kestra §3.11): the run asks the runtime to start a child execution (a new actor,
 * any shard) and, with `wait`, waits for its end without holding a thread. The child's id is
 * chosen here and stored on the run, so a recovered parent asks for the same child again.
 */
import { renderObject, renderString } from '../expr/index.js';
import type { Execution, Label } from '../model/execution.js';
import { createState, transition, type StateType } from '../model/state.js';
import type { ErrorRecord } from '../errors.js';
import { log, setState, type StepContext } from './context.js';
import { endAttempt } from './attempt-end.js';
import { buildOutputsTree, recordOutputs } from './outputs-tree.js';
import { runVars } from './run-vars.js';
import type { RunEntry } from './state.js';
import type { SubflowStartEffect } from './effects.js';

/** The canonical type of Subflow. */
export const SUBFLOW_TYPE = 'io.kestra.plugin.core.flow.Subflow';

function labelsOf(raw: unknown, vars: Record<string, unknown>): Label[] {
  if (Array.isArray(raw)) return (renderObject(raw, vars) as Array<{ key: unknown; value: unknown }>).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (raw && typeof raw === 'object') return Object.entries(renderObject(raw, vars) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

/** Builds the start request of the child execution (or repeats it, after a recovery). */
export function subflowStart(ctx: StepContext, entry: RunEntry, childId: string): SubflowStartEffect {
  const { task } = entry;
  const { header } = ctx.state;
  const vars = runVars(ctx.state, entry, ctx.env);
  const parentLabels = task.props.inheritLabels === true ? header.labels : header.labels.filter((l) => l.key.startsWith('system.'));
  const revision = task.props.revision;
  return {
    type: 'subflow.start',
    taskRunId: entry.run.id,
    childId,
    namespace: renderString(String(task.props.namespace ?? ''), vars),
    flowId: renderString(String(task.props.flowId ?? ''), vars),
    ...(typeof revision === 'number' ? { revision } : {}),
    inputs: (renderObject(task.props.inputs ?? {}, vars) ?? {}) as Record<string, unknown>,
    labels: [...parentLabels, ...labelsOf(task.props.labels, vars)],
    wait: task.props.wait !== false,
    trigger: { id: task.id, type: task.type, variables: { executionId: header.id, namespace: header.namespace, flowId: header.flowId, flowRevision: header.flowRevision } },
  };
}

/** Starts a Subflow run: RUNNING, child requested; without `wait` it succeeds at once. */
export function startSubflow(ctx: StepContext, entry: RunEntry): void {
  setState(ctx, entry, 'RUNNING');
  const childId = ctx.env.newId();
  let effect: SubflowStartEffect;
  try {
    effect = subflowStart(ctx, entry, childId);
  } catch (e) {
    failSubflow(ctx, entry, e instanceof Error ? e.message : String(e));
    return;
  }
  ctx.effects.push(effect);
  if (!effect.wait) {
    appendAttempt(ctx, entry, 'SUCCESS');
    entry.run.outputs = { executionId: childId, state: 'CREATED' };
    recordOutputs(ctx.state, entry);
    setState(ctx, entry, 'SUCCESS');
    return;
  }
  entry.run.outputs = { executionId: childId };
  ctx.changed.add(entry);
  ctx.state.waitingSubflows.add(entry.run.id);
}

function appendAttempt(ctx: StepContext, entry: RunEntry, state: StateType): void {
  const s = createState(ctx.date);
  transition(s, state, ctx.date);
  entry.run.attempts = [...(entry.run.attempts ?? []), { state: s }];
}

function failSubflow(ctx: StepContext, entry: RunEntry, message: string): void {
  log(ctx, 'ERROR', message, entry);
  const previous = entry.run.attempts?.length ?? 0;
  appendAttempt(ctx, entry, 'FAILED');
  ctx.state.waitingSubflows.delete(entry.run.id);
  endAttempt(ctx, entry, 'FAILED', previous);
}

const TRANSMITTED: ReadonlySet<StateType> = new Set(['FAILED', 'PAUSED', 'KILLED', 'WARNING']);

/** The child execution ended (or could not start): the run takes its outcome. */
export function subflowEnded(ctx: StepContext, taskRunId: string, child: Execution | undefined, error: ErrorRecord | undefined): void {
  const entry = ctx.state.runs.get(taskRunId);
  if (!entry || entry.run.state.current !== 'RUNNING' || !ctx.state.waitingSubflows.has(taskRunId)) return;
  if (error || !child) {
    failSubflow(ctx, entry, error?.message ?? 'The subflow execution could not be started');
    return;
  }
  if ((entry.run.outputs as { executionId?: string } | null)?.executionId !== child.id) return;
  ctx.state.waitingSubflows.delete(taskRunId);
  const outputs: Record<string, unknown> = { executionId: child.id, state: child.state.current };
  let extracted: unknown = child.outputs;
  const legacy = entry.task.props.outputs;
  if (extracted === undefined && legacy && typeof legacy === 'object') {
    try {
      extracted = renderObject(legacy, { outputs: buildOutputsTree(child.taskRunList ?? []), flow: { id: child.flowId, namespace: child.namespace }, execution: { id: child.id } });
    } catch (e) {
      log(ctx, 'WARN', `Failed to extract outputs with the error: '${e instanceof Error ? e.message : String(e)}'`, entry);
      entry.run.outputs = outputs;
      const previous = entry.run.attempts?.length ?? 0;
      appendAttempt(ctx, entry, 'FAILED');
      endAttempt(ctx, entry, 'FAILED', previous);
      return;
    }
  }
  if (extracted !== undefined) outputs.outputs = extracted;
  entry.run.outputs = outputs;
  recordOutputs(ctx.state, entry);
  const transmit = entry.task.props.transmitFailed !== false;
  const raw: StateType = transmit && TRANSMITTED.has(child.state.current) ? child.state.current : 'SUCCESS';
  const previous = entry.run.attempts?.length ?? 0;
  appendAttempt(ctx, entry, raw);
  endAttempt(ctx, entry, raw, previous);
}

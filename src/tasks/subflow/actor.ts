/**
 * Subflow's actor hooks: the run asks the runtime for a child execution and waits — with `wait`
 * for its end, without for its durable creation (as ForEachItem's batches do), so a crash never
 * leaves a SUCCESS run whose child does not exist. The child's id is chosen here and stored on
 * the run before the request leaves (the run's record is durable first), so a recovered parent
 * asks for the same child again and the runtime finds it instead of creating a second one.
 */
import { renderObject } from '../../expr/index.js';
import type { Label } from '../../model/execution.js';
import type { StateType } from '../../model/state.js';
import type { ChildRequest } from '../../model/execution.js';
import type { ActorRun, ActorTask } from '../actor-spec.js';

function labelsOf(raw: unknown, run: ActorRun): Label[] {
  if (Array.isArray(raw)) return (run.renderObject(raw) as Array<{ key: unknown; value: unknown }>).map((l) => ({ key: String(l.key), value: String(l.value) }));
  if (raw && typeof raw === 'object') return Object.entries(run.renderObject(raw) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
  return [];
}

/**
 * The start request of the child execution (or its repetition, after a recovery); `extra`
 * variables render the inputs (ForEachItem's `taskrun.items` and `taskrun.iteration`).
 */
export function childRequest(run: ActorRun, childId: string, extra?: Record<string, unknown>): ChildRequest {
  const { task, execution } = run;
  const parentLabels = task.props.inheritLabels === true ? execution.labels : execution.labels.filter((l) => l.key.startsWith('system.'));
  const revision = task.props.revision;
  return {
    childId,
    namespace: run.render(String(task.props.namespace ?? '')),
    flowId: run.render(String(task.props.flowId ?? '')),
    ...(typeof revision === 'number' ? { revision } : {}),
    inputs: (run.renderObject(task.props.inputs ?? {}, extra) ?? {}) as Record<string, unknown>,
    labels: [...parentLabels, ...labelsOf(task.props.labels, run)],
    wait: task.props.wait !== false,
    trigger: { id: task.id, type: task.type, variables: { executionId: execution.id, namespace: execution.namespace, flowId: execution.flowId, flowRevision: execution.flowRevision } },
  };
}

function fail(run: ActorRun, message: string): void {
  run.log('ERROR', message);
  run.setWaiting(false);
  run.endAttempt('FAILED');
}

const TRANSMITTED: ReadonlySet<StateType> = new Set(['FAILED', 'PAUSED', 'KILLED', 'WARNING']);

export const subflowHooks: ActorTask = {
  /** RUNNING, child requested; the run waits for the child's end (`wait`) or durable creation. */
  start(run) {
    const depth = (run.execution.subflowDepth ?? 0) + 1;
    if (depth > run.limits.maxSubflowDepth) {
      // Mutual recursion (a calls b calls a) ends here instead of running forever.
      fail(run, `TROUPE_SUBFLOW_DEPTH: the subflow would run ${depth} levels deep, over the limit of ${run.limits.maxSubflowDepth} (engine option maxSubflowDepth); does a flow call itself, directly or through another?`);
      return;
    }
    const childId = run.newId();
    let request: ChildRequest;
    try {
      request = childRequest(run, childId);
    } catch (e) {
      fail(run, e instanceof Error ? e.message : String(e));
      return;
    }
    run.startChild(request);
    run.run.outputs = { executionId: childId };
    run.touch();
    run.setWaiting(true);
  },
  recover(run) {
    run.startChild(childRequest(run, (run.run.outputs as { executionId: string }).executionId));
  },
  restore(run) {
    if (run.run.state.current === 'RUNNING' && (run.run.outputs as { executionId?: string } | null)?.executionId) run.markWaiting();
  },
  /**
   * The child execution ended (or could not start): the run takes its outcome. Without `wait`,
   * the report is the child's durable creation (no child, no error): the run succeeds.
   */
  childEnded(run, child, error) {
    const childId = (run.run.outputs as { executionId?: string } | null)?.executionId;
    if (!error && !child && run.task.props.wait === false && childId) {
      run.setWaiting(false);
      run.setOutputs({ executionId: childId, state: 'CREATED' });
      run.endAttempt('SUCCESS');
      return;
    }
    if (error || !child) {
      fail(run, error?.message ?? 'The subflow execution could not be started');
      return;
    }
    if (childId !== child.id) return;
    run.setWaiting(false);
    const outputs: Record<string, unknown> = { executionId: child.id, state: child.state.current };
    let extracted: unknown = child.outputs;
    const legacy = run.task.props.outputs;
    if (extracted === undefined && legacy && typeof legacy === 'object') {
      try {
        extracted = renderObject(legacy, { outputs: run.outputsOf(child), flow: { id: child.flowId, namespace: child.namespace }, execution: { id: child.id } });
      } catch (e) {
        run.log('WARN', `Failed to extract outputs with the error: '${e instanceof Error ? e.message : String(e)}'`);
        run.run.outputs = outputs;
        run.touch();
        run.endAttempt('FAILED');
        return;
      }
    }
    if (extracted !== undefined) outputs.outputs = extracted;
    run.setOutputs(outputs);
    const transmit = run.task.props.transmitFailed !== false;
    run.endAttempt(transmit && TRANSMITTED.has(child.state.current) ? child.state.current : 'SUCCESS');
  },
};

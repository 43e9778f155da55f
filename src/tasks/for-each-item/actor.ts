/**
 * ForEachItem's `_items` part (Kestra's `ForEachItemExecutable` and `ExecutableUtils.manageIterations`):
 * one subflow execution per batch the `_split` part wrote, counted per state in `iterations`
 * as children are created and end; the run ends once every batch has.
 *
 * Nothing grows with the number of batches but the counts: a child's id is derived from the run's
 * id and its batch number, and `aux` keeps how many children were requested (`created`) and the
 * request `epoch`. At most `maxActiveRuns` children are unreported at once; each report tops the
 * window up. After a recovery the run asks for every requested child again in a new epoch, with
 * the counts reset to "requested, not reported": each child's report (end, or durable creation
 * without `wait`) is then counted once, and reports of an older epoch are dropped.
 */
import type { ChildReport, Execution } from '../../model/execution.js';
import type { StateType } from '../../model/state.js';
import { childPath, parseStorageUri, storageUri, taskRunPrefix } from '../../storage/uri.js';
import type { ActorRun, ActorTask } from '../actor-spec.js';
import { childRequest } from '../subflow/actor.js';
import { batchExecutionId } from './child-ids.js';

/** Counts per state, keyed by state name (Kestra's `Map<State.Type, Integer>`). */
export type Iterations = Record<string, number>;

/** What `_split` tells `_items`. */
interface SplitOutputs {
  splits: string;
  numberOfBatches: number;
  extension: string;
}

interface Aux {
  created: number;
  epoch: number;
}

const ENDED: readonly StateType[] = ['SUCCESS', 'FAILED', 'KILLED', 'WARNING', 'CANCELLED'];

/** How many batches have ended (`manageIterations`'s terminated count). */
export function terminatedCount(iterations: Iterations): number {
  let n = 0;
  for (const s of ENDED) n += iterations[s] ?? 0;
  return n;
}

/** Kestra's `manageIterations` step: `current` +1, `previous` −1 (an absent count starts at the number of batches). */
export function countMove(iterations: Iterations, previous: StateType, current: StateType, numberOfBatches: number): void {
  iterations[current] = (iterations[current] ?? 0) + 1;
  if (previous !== current) iterations[previous] = (iterations[previous] ?? numberOfBatches) - 1;
}

/** `findTerminalState` (the part's own allowFailure/allowWarning are never set: the ForEachItem's apply to it). */
export function terminalState(iterations: Iterations, transmitFailed: boolean): StateType {
  if (!transmitFailed) return 'SUCCESS';
  if ((iterations.FAILED ?? 0) > 0) return 'FAILED';
  if ((iterations.KILLED ?? 0) > 0) return 'KILLED';
  if ((iterations.WARNING ?? 0) > 0) return 'WARNING';
  return 'SUCCESS';
}

function waits(run: ActorRun): boolean {
  return run.task.props.wait !== false;
}

function splitOf(run: ActorRun): SplitOutputs | undefined {
  const o = run.siblingOutputs(String(run.task.props.split ?? ''));
  if (!o || typeof o.splits !== 'string' || typeof o.numberOfBatches !== 'number' || typeof o.extension !== 'string') return undefined;
  return { splits: o.splits, numberOfBatches: o.numberOfBatches, extension: o.extension };
}

/** Where the run writes its files (`…/tasks/<id>-items/<runId>`). */
function runDir(run: ActorRun): ReturnType<typeof taskRunPrefix> {
  const { execution, run: r } = run;
  return taskRunPrefix(execution.namespace, execution.flowId, execution.id, r.taskId, r.id);
}

function fail(run: ActorRun, message: string): void {
  run.log('ERROR', message);
  run.setWaiting(false);
  run.endAttempt('FAILED');
}

function iterationsOf(run: ActorRun): Iterations {
  const o = run.run.outputs as { iterations?: Iterations } | null;
  return { ...(o?.iterations ?? {}) };
}

/** Batches whose report was counted in this epoch. */
function reported(run: ActorRun, iterations: Iterations, n: number): number {
  return waits(run) ? terminatedCount(iterations) : n - (iterations.RUNNING ?? n);
}

/** Asks for child `iteration` (again, after a recovery: same id, same inputs). */
function requestChild(run: ActorRun, split: SplitOutputs, iteration: number, epoch: number): void {
  const dir = parseStorageUri(split.splits).segments.slice(0, -1);
  const items = storageUri({ segments: [...dir, `${iteration}${split.extension}`] });
  const request = childRequest(run, batchExecutionId(run.run.id, iteration), { taskrun: { items, iteration } });
  request.batch = { iteration, epoch, outputsUri: storageUri(childPath(runDir(run), String(iteration), 'outputs.ion')) };
  run.startChild(request);
}

/** Requests children while the window has room; writes the counts and `aux`. */
function topUp(run: ActorRun, split: SplitOutputs, iterations: Iterations, aux: Aux): void {
  const n = split.numberOfBatches;
  const window = Math.max(1, run.limits.maxActiveRuns);
  const done = reported(run, iterations, n);
  while (aux.created < n && aux.created - done < window) {
    aux.created += 1;
    requestChild(run, split, aux.created, aux.epoch);
    // As Kestra counts the RUNNING result each created subflow sends when the task waits.
    if (waits(run)) countMove(iterations, 'CREATED', 'RUNNING', n);
  }
  run.setOutputs({ iterations, numberOfBatches: n });
  run.setAux({ ...aux });
}

function auxOf(run: ActorRun): Aux {
  return { created: run.aux?.created ?? 0, epoch: run.aux?.epoch ?? 0 };
}

export const itemsHooks: ActorTask = {
  start(run) {
    const depth = (run.execution.subflowDepth ?? 0) + 1;
    if (depth > run.limits.maxSubflowDepth) {
      fail(run, `TROUPE_SUBFLOW_DEPTH: the subflow would run ${depth} levels deep, over the limit of ${run.limits.maxSubflowDepth} (engine option maxSubflowDepth); does a flow call itself, directly or through another?`);
      return;
    }
    const split = splitOf(run);
    if (!split) {
      fail(run, `Unable to find the batches of task '${String(run.task.props.split)}'`);
      return;
    }
    // No batch: SUCCESS at once, no outputs (Kestra: no subflow execution to create).
    if (split.numberOfBatches === 0) {
      run.endAttempt('SUCCESS');
      return;
    }
    run.setWaiting(true);
    try {
      topUp(run, split, {}, { created: 0, epoch: 0 });
    } catch (e) {
      fail(run, e instanceof Error ? e.message : String(e));
    }
  },

  restore(run) {
    if (run.run.state.current === 'RUNNING' && run.aux) run.markWaiting();
  },

  /** After a recovery: a new epoch, the counts back to "requested, not reported", every requested child asked for again. */
  recover(run) {
    const split = splitOf(run);
    if (!split) {
      fail(run, `Unable to find the batches of task '${String(run.task.props.split)}'`);
      return;
    }
    const aux = auxOf(run);
    aux.epoch += 1;
    const n = split.numberOfBatches;
    const iterations: Iterations = waits(run) ? { CREATED: n - aux.created, RUNNING: aux.created } : {};
    for (let i = 1; i <= aux.created; i++) requestChild(run, split, i, aux.epoch);
    topUp(run, split, iterations, aux);
  },

  childEnded(run, child: Execution | undefined, error, report?: ChildReport) {
    if (!report) return;
    const aux = auxOf(run);
    if (report.epoch !== aux.epoch) return;
    if (error || (!child && !report.created)) {
      fail(run, error?.message ?? 'The subflow execution could not be started');
      return;
    }
    const split = splitOf(run);
    if (!split) {
      fail(run, `Unable to find the batches of task '${String(run.task.props.split)}'`);
      return;
    }
    const n = split.numberOfBatches;
    const iterations = iterationsOf(run);
    let state: StateType = 'SUCCESS';
    if (waits(run)) {
      state = child!.state.current;
      if (report.outputsError !== undefined) {
        run.log('WARN', `Failed to extract outputs with the error: '${report.outputsError}'`);
        state = 'FAILED';
      }
    }
    countMove(iterations, 'RUNNING', state, n);
    if (reported(run, iterations, n) >= n) {
      const base = `/${runDir(run).segments.join('/')}`;
      run.setOutputs({ iterations, numberOfBatches: n, subflowOutputsBaseUri: base });
      run.setWaiting(false);
      run.endAttempt(terminalState(iterations, run.task.props.transmitFailed !== false));
      return;
    }
    topUp(run, split, iterations, aux);
  },
};

/**
 * Realistic executions for benchmarks: N task runs in the shape of Kestra's own
 * (../shared/taskrun-example.json: one attempt with two metrics, an output, three state
 * histories and Kestra's derived state dates), each with its own 22-character id.
 */
import type { Execution, ExecutionHeader } from '../model/execution.js';
import { idFromBytes } from '../model/ids.js';
import type { StateJson, StateType } from '../model/state.js';
import type { TaskRun } from '../model/task-run.js';

/** A deterministic Kestra-style id: the base62 of 16 bytes derived from `n` and `salt`. */
export function benchId(n: number, salt: number): string {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x9e3779b9 ^ salt);
  view.setUint32(4, Math.imul(n + 1, 0x85ebca6b));
  view.setUint32(8, Math.imul(n ^ salt, 0xc2b2ae35));
  view.setUint32(12, n);
  return idFromBytes(bytes);
}

/** Milliseconds of the bench epoch plus `ms`, as Kestra's ISO string. */
function at(ms: number): string {
  return new Date(Date.UTC(2021, 4, 4, 12, 2, 53) + ms).toISOString();
}

/** A terminated state in Kestra's JSON form: CREATED, RUNNING, then `last`, starting at `startMs`. */
export function makeStateJson(startMs: number, last: StateType = 'SUCCESS'): StateJson {
  return {
    current: last,
    histories: [
      { state: 'CREATED', date: at(startMs) },
      { state: 'RUNNING', date: at(startMs + 5) },
      { state: last, date: at(startMs + 206) },
    ],
    duration: 'PT0.206S',
    endDate: at(startMs + 206),
    startDate: at(startMs),
  };
}

/** The i-th task run of an execution, as in taskrun-example.json. */
export function makeBenchTaskRun(executionId: string, parentTaskRunId: string, i: number): TaskRun {
  const value = `s${i}`;
  const format = '{{task.id}} > {{taskrun.value}} ⬅ {{taskrun.startDate}}';
  return {
    id: benchId(i, 2),
    executionId,
    namespace: 'io.kestra.tests',
    flowId: 'each-sequential-nested',
    taskId: '1-1_return',
    parentTaskRunId,
    value,
    attempts: [
      {
        metrics: [
          { name: 'length', tags: { format }, value: 45.0, type: 'counter' },
          { name: 'duration', tags: { format }, type: 'timer', value: 'PT0.007213673S' },
        ],
        state: makeStateJson(i * 10 + 1),
      },
    ],
    outputs: { value: `1-1_return > ${value} ⬅ ${at(i * 10)}` },
    state: makeStateJson(i * 10),
  };
}

/** An execution header (no task runs) in Kestra's shape. */
export function makeBenchHeader(id: string): ExecutionHeader {
  return {
    id,
    namespace: 'io.kestra.tests',
    flowId: 'each-sequential-nested',
    flowRevision: 1,
    inputs: {},
    labels: [{ key: 'system.correlationId', value: id }],
    state: { current: 'RUNNING', histories: [{ state: 'CREATED', date: at(0) }, { state: 'RUNNING', date: at(3) }] },
    originalId: id,
    deleted: false,
    metadata: { attemptNumber: 1, originalCreatedDate: at(0) },
  };
}

/** An execution of `n` task runs with distinct ids. */
export function makeBenchExecution(n: number, salt = 1): Execution {
  const parent = benchId(0, salt + 1000);
  const { id, namespace, flowId, flowRevision, ...rest } = makeBenchHeader(benchId(0, salt));
  const taskRunList = Array.from({ length: n }, (_, i) => makeBenchTaskRun(id, parent, i));
  return { id, namespace, flowId, flowRevision, taskRunList, ...rest };
}

/**
 * The change the benchmark applies: task run `index` moves through a fresh state (a new history
 * list, as a CREATED → RUNNING → SUCCESS transition produces), in place.
 */
export function applyChange(execution: Execution, index: number, iteration: number): TaskRun {
  const taskRun = execution.taskRunList![index]!;
  taskRun.state = makeStateJson(iteration * 7, iteration % 2 === 0 ? 'SUCCESS' : 'RUNNING');
  return taskRun;
}

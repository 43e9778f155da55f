/** A new execution of a flow (Kestra's `Execution.newExecution`) and the actor state around it. */
import type { Execution, ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import { CORRELATION_ID_LABEL } from '../model/execution.js';
import type { Flow } from '../model/flow.js';
import { createState, isoDate } from '../model/state.js';
import { indexFlow } from './flow-index.js';
import { createGroup, createTally, type ExecutionState } from './state.js';
import { DEFAULT_LIMITS, type ExecutorLimits } from '../model/limits.js';
import { outputsReadBy } from './run-vars.js';

/** What a new execution is made of. */
export interface NewExecution {
  id: string;
  nowMs: number;
  inputs?: Record<string, unknown>;
  labels?: Label[];
  trigger?: ExecutionTrigger;
  parentId?: string;
  /** A replay: the first execution's id, creation date and this attempt's number. */
  replay?: { originalId: string; attemptNumber: number; originalCreatedDate: string };
  /** Start no earlier than this date. */
  scheduleDate?: string;
  /** How many Subflow levels above it (a child's parent's depth + 1). */
  subflowDepth?: number;
  /** Execution variables (a Schedule's `schedule` dates). */
  variables?: Record<string, unknown>;
  /** No `system.correlationId` label (Kestra's webhook executions). */
  noCorrelationId?: boolean;
}

/** A new CREATED execution header: flow labels (non-system), the caller's, then the correlation id. */
export function createExecution(flow: Flow, n: NewExecution): ExecutionHeader {
  const date = isoDate(n.nowMs);
  const labels: Label[] = n.replay ? [...(n.labels ?? [])] : [...flow.labels.filter((l) => !l.key.startsWith('system.')), ...(n.labels ?? [])];
  if (!n.noCorrelationId && !labels.some((l) => l.key === CORRELATION_ID_LABEL)) labels.push({ key: CORRELATION_ID_LABEL, value: n.id });
  const header: ExecutionHeader = {
    id: n.id,
    namespace: flow.namespace,
    flowId: flow.id,
    flowRevision: flow.revision,
    labels,
    state: createState(date),
    originalId: n.replay?.originalId ?? n.id,
    deleted: false,
    metadata: n.replay ? { attemptNumber: n.replay.attemptNumber, originalCreatedDate: n.replay.originalCreatedDate } : { attemptNumber: 1, originalCreatedDate: date },
  };
  if (n.scheduleDate) header.scheduleDate = n.scheduleDate;
  if (n.inputs && Object.keys(n.inputs).length) header.inputs = n.inputs;
  if (n.trigger) header.trigger = n.trigger;
  if (n.parentId) header.parentId = n.parentId;
  if (n.subflowDepth) header.subflowDepth = n.subflowDepth;
  if (n.variables) header.variables = n.variables;
  return header;
}

/** The actor state of a fresh execution: no runs yet, the top-level group ready. */
export function createExecutionState(flow: Flow, header: ExecutionHeader, configured?: Partial<ExecutorLimits>): ExecutionState {
  const limits: ExecutorLimits = { ...DEFAULT_LIMITS, ...configured };
  const index = indexFlow(flow);
  const tally = createTally(limits.maxActiveRuns);
  const state: ExecutionState = {
    flow,
    index,
    header,
    runs: new Map(),
    groups: new Map(),
    tally,
    limits,
    outputsRead: outputsReadBy(flow, index),
    nextSeq: 0,
    outputs: {},
    inFlight: new Set(),
    paused: new Set(),
    waitingSubflows: new Set(),
    timers: new Map(),
    errorLogs: [],
    nextLogSeq: 0,
  };
  state.groups.set('', createGroup(null, flow.tasks.filter((t) => !t.disabled).map((task) => ({ task })), tally));
  return state;
}

/**
 * The execution in Kestra's shape (header plus taskRunList in creation order), from the runs in
 * memory: every run while nothing released finished ones (the executor's tests); the store holds
 * the whole execution.
 */
export function toExecution(state: ExecutionState): Execution {
  const runs = [...state.runs.values()].sort((a, b) => a.seq - b.seq).map((e) => e.run);
  return runs.length ? { ...state.header, taskRunList: runs } : { ...state.header };
}

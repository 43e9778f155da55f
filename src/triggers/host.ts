/**
 * What the trigger service needs from the engine that hosts it: time, the store, parsed flows,
 * rendering, input typing and a way to create executions. The engine implements it with a few
 * lines (src/runtime/engine.ts); tests may implement it too. Nothing here imports the runtime.
 */
import type { ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import type { Flow } from '../model/flow.js';
import type { FlowRecord, Store } from '../store/index.js';

/** The engine's clock (runtime/clock.ts's Clock, structurally). */
export interface TriggerClock {
  now(): number;
  at(atMs: number, fn: () => void): () => void;
}

/** An execution a trigger starts. */
export interface TriggeredExecution {
  /** Chosen by the service: the state row names it before the execution exists. */
  id: string;
  /** Final inputs (typed by {@link TriggerHost.typeInputs} when the trigger types them). */
  inputs: Record<string, unknown>;
  /** The trigger's labels (the flow's are added by the engine). */
  labels: Label[];
  trigger: ExecutionTrigger;
  /** Execution variables (`schedule` for a Schedule). */
  variables?: Record<string, unknown>;
  /** Webhook executions carry no `system.correlationId` label (Kestra). */
  noCorrelationId?: boolean;
}

/** An execution that fails before it starts (a Schedule condition that throws). */
export interface FailedExecution {
  id: string;
  labels: Label[];
  trigger?: ExecutionTrigger;
  /** Why it failed: its one ERROR log line. */
  message: string;
}

/** The engine, as the trigger service sees it. */
export interface TriggerHost {
  readonly store: Store;
  readonly clock: TriggerClock;
  /** The zone of Schedules that name none (Kestra: the server's). */
  readonly zone: string;
  /** A new execution id. */
  newId(): string;
  /** The parsed flow of a stored revision (throws when it no longer parses). */
  flow(record: FlowRecord): Flow;
  /** The canonical name of a type as written (the task registry's aliases). */
  canonical(type: string): string;
  /** Renders a template (secrets and the clock included); throws when it cannot. */
  render(template: string, vars: Record<string, unknown>): string;
  /** Renders every string of a value. */
  renderObject(value: unknown, vars: Record<string, unknown>): unknown;
  /** Variables every render sees (`envs`, `globals`). */
  hostVars(): Record<string, unknown>;
  /** Types inputs against the flow, defaults filled in; throws TROUPE_INPUT_INVALID. */
  typeInputs(record: FlowRecord, inputs: Record<string, unknown>): Record<string, unknown>;
  /** Creates an execution; resolves once its creation is durable. */
  create(record: FlowRecord, execution: TriggeredExecution): Promise<void>;
  /** Stores an execution already FAILED; resolves once durable. */
  createFailed(record: FlowRecord, execution: FailedExecution): Promise<void>;
  /** Reads an execution's header. */
  header(executionId: string): ExecutionHeader | undefined;
  /**
   * Makes one poll of an http.Trigger (its Request properties rendered with `vars`); resolves
   * with the Request outputs `{uri, code, headers, body}` whatever the status.
   */
  pollHttp(trigger: { id: string; type: string; props: Record<string, unknown> }, flow: { namespace: string; id: string }, vars: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Something went wrong outside any execution (Kestra logs it on the trigger's logger). */
  warn(message: string): void;
}

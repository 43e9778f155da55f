/**
 * The main thread's side of subflows: resolves the child's flow, creates the child execution on
 * the shard that owns its id, and routes the child's end back to the waiting parent run. A
 * request repeated by a recovered parent finds its child already there (and maybe ended).
 */
import { toErrorRecord, type ErrorRecord } from '../errors.js';
import type { ExecutionHeader } from '../model/execution.js';
import { isTerminated } from '../model/state.js';
import { subflowEndedMessage, type ExecutionMessage } from '../protocol/execution-messages.js';
import type { SubflowRequest, ToShard } from '../protocol/shard-messages.js';
import type { FlowRecord, Store } from '../store/index.js';

/** Where the links send what they decide. */
export interface SubflowRouting {
  /** Types the child's inputs against its flow; throws TROUPE_INPUT_INVALID. */
  typeInputs(flow: FlowRecord, inputs: Record<string, unknown>): Record<string, unknown>;
  toParent(parentId: string, message: ExecutionMessage): void;
  createChild(childId: string, flow: FlowRecord, msg: ToShard & { type: 'execution.create' }): void;
  /** The runtime's clock (epoch ms). */
  now(): number;
}

/** Child → waiting parent run. */
export class SubflowLinks {
  readonly #store: Store;
  readonly #routing: SubflowRouting;
  readonly #parents = new Map<string, { parentId: string; taskRunId: string }>();

  constructor(store: Store, routing: SubflowRouting) {
    this.#store = store;
    this.#routing = routing;
  }

  /** Handles a Subflow run's request for its child. */
  start(parentId: string, s: SubflowRequest): void {
    const fail = (message: string): void => this.#routing.toParent(parentId, subflowEndedMessage(s.taskRunId, { error: { code: 'TROUPE_FLOW_NOT_FOUND', message } }));
    const flow = this.#store.getFlow(s.namespace, s.flowId, s.revision);
    if (!flow) {
      if (s.wait) fail(`Unable to find flow '${s.namespace}'.'${s.flowId}' with revision '${s.revision ?? 0}'`);
      return;
    }
    if (s.wait) this.#parents.set(s.childId, { parentId, taskRunId: s.taskRunId });
    this.#store.refresh();
    const existing = this.#store.readHeader(s.childId);
    if (existing) {
      if (isTerminated(existing.state.current)) this.childEnded(existing);
      return;
    }
    let inputs: Record<string, unknown>;
    try {
      inputs = this.#routing.typeInputs(flow, s.inputs);
    } catch (e) {
      this.childFailed(s.childId, toErrorRecord(e));
      return;
    }
    this.#routing.createChild(s.childId, flow, {
      type: 'execution.create',
      executionId: s.childId,
      flow: { namespace: flow.namespace, id: flow.id, revision: flow.revision, source: flow.source },
      inputs,
      labels: s.labels,
      trigger: s.trigger,
      subflowDepth: s.depth,
      nowMs: this.#routing.now(),
    });
  }

  /** An execution ended: tell its waiting parent, if it has one (with the child whole, from the store). */
  childEnded(child: ExecutionHeader): void {
    const link = this.#parents.get(child.id);
    if (!link) return;
    this.#parents.delete(child.id);
    const whole = this.#store.readExecution(child.id) ?? child;
    this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { child: whole }));
  }

  /** A child could not be created (invalid flow, bad inputs): its parent run fails. */
  childFailed(childId: string, error: ErrorRecord): void {
    const link = this.#parents.get(childId);
    if (!link) return;
    this.#parents.delete(childId);
    this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { error }));
  }
}

/**
 * The main thread's side of subflows: resolves the child's flow, creates the child execution on
 * the shard that owns its id, and routes the child's end back to the waiting parent run. A
 * request repeated by a recovered parent finds its child already there (and maybe ended).
 *
 * Without `wait`, the child's durable creation is reported instead of its end (the parent's run
 * ends only then, so its end never precedes a child a crash could still lose). A batch request
 * (ForEachItem's `_items`, one run with many children) is reported with the child's header only,
 * tagged with its iteration and the epoch of the request (the parent drops reports of an older
 * epoch: after a recovery it asks for every child again, so each is counted once); the child's
 * outputs are written to internal storage first.
 */
import { toErrorRecord, type ErrorRecord } from '../errors.js';
import type { ChildReport, ExecutionHeader } from '../model/execution.js';
import { isTerminated } from '../model/state.js';
import { subflowEndedMessage, type ExecutionMessage } from '../protocol/execution-messages.js';
import type { SubflowRequest, ToShard } from '../protocol/shard-messages.js';
import type { FlowRecord, Store } from '../store/index.js';
import { ionRow } from '../kv/index.js';

/** Where the links send what they decide. */
export interface SubflowRouting {
  /** Types the child's inputs against its flow; throws TROUPE_INPUT_INVALID. */
  typeInputs(flow: FlowRecord, inputs: Record<string, unknown>): Record<string, unknown>;
  toParent(parentId: string, message: ExecutionMessage): void;
  /** Creates the child; `onCreated` once its creation is durable. */
  createChild(childId: string, flow: FlowRecord, msg: ToShard & { type: 'execution.create' }, onCreated?: () => void): void;
  /** Writes a small file to internal storage (a batch child's outputs). */
  writeFile(uri: string, text: string): Promise<void>;
  /** The runtime's clock (epoch ms). */
  now(): number;
}

interface Link {
  parentId: string;
  taskRunId: string;
  batch?: SubflowRequest['batch'];
  wait: boolean;
}

function reportOf(link: Link, more: Partial<ChildReport> = {}): ChildReport | undefined {
  return link.batch ? { iteration: link.batch.iteration, epoch: link.batch.epoch, ...more } : undefined;
}

/** Child → waiting parent run. */
export class SubflowLinks {
  readonly #store: Store;
  readonly #routing: SubflowRouting;
  readonly #parents = new Map<string, Link>();

  constructor(store: Store, routing: SubflowRouting) {
    this.#store = store;
    this.#routing = routing;
  }

  /** Handles a Subflow run's request for its child. */
  start(parentId: string, s: SubflowRequest): void {
    const link: Link = { parentId, taskRunId: s.taskRunId, wait: s.wait, ...(s.batch ? { batch: s.batch } : {}) };
    const fail = (message: string): void => this.#routing.toParent(parentId, subflowEndedMessage(s.taskRunId, { error: { code: 'TROUPE_FLOW_NOT_FOUND', message } }, reportOf(link)));
    const flow = this.#store.getFlow(s.namespace, s.flowId, s.revision);
    if (!flow) {
      fail(`Unable to find flow '${s.namespace}'.'${s.flowId}' with revision '${s.revision ?? 0}'`);
      return;
    }
    this.#parents.set(s.childId, link);
    this.#store.refresh();
    const existing = this.#store.readHeader(s.childId);
    if (existing) {
      if (!s.wait) this.#childCreated(s.childId);
      else if (isTerminated(existing.state.current)) this.childEnded(existing);
      return;
    }
    let inputs: Record<string, unknown>;
    try {
      inputs = this.#routing.typeInputs(flow, s.inputs);
    } catch (e) {
      this.childFailed(s.childId, toErrorRecord(e));
      return;
    }
    this.#routing.createChild(
      s.childId,
      flow,
      {
        type: 'execution.create',
        executionId: s.childId,
        flow: { namespace: flow.namespace, id: flow.id, revision: flow.revision, source: flow.source },
        inputs,
        labels: s.labels,
        trigger: s.trigger,
        subflowDepth: s.depth,
        nowMs: this.#routing.now(),
      },
      s.wait ? undefined : () => this.#childCreated(s.childId),
    );
  }

  /** The child of a run that does not wait is created (durably): the run ends (or, for a batch, counts it). */
  #childCreated(childId: string): void {
    const link = this.#parents.get(childId);
    if (!link || link.wait) return;
    this.#parents.delete(childId);
    this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { created: true }, reportOf(link, { created: true })));
  }

  /** An execution ended: tell its waiting parent, if it has one (with the child whole, from the store). */
  childEnded(child: ExecutionHeader): void {
    const link = this.#parents.get(child.id);
    if (!link || !link.wait) return;
    this.#parents.delete(child.id);
    if (!link.batch) {
      const whole = this.#store.readExecution(child.id) ?? child;
      this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { child: whole }));
      return;
    }
    // A batch child: its outputs go to internal storage (Kestra's `<iteration>/outputs.ion`) before the parent counts it.
    const send = (outputsError?: string): void => this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { child }, reportOf(link, outputsError ? { outputsError } : {})));
    if (child.outputs === undefined) {
      send();
      return;
    }
    let row: string;
    try {
      row = ionRow(child.outputs);
    } catch (e) {
      send(e instanceof Error ? e.message : String(e));
      return;
    }
    this.#routing.writeFile(link.batch.outputsUri, row).then(
      () => send(),
      (e: unknown) => send(e instanceof Error ? e.message : String(e)),
    );
  }

  /** A child could not be created (invalid flow, bad inputs): its parent run fails. */
  childFailed(childId: string, error: ErrorRecord): void {
    const link = this.#parents.get(childId);
    if (!link) return;
    this.#parents.delete(childId);
    this.#routing.toParent(link.parentId, subflowEndedMessage(link.taskRunId, { error }, reportOf(link)));
  }
}

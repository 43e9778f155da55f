/**
 * Flow triggers (io.kestra.plugin.core.trigger.Flow, Kestra's FlowTriggerService): when another
 * execution reaches a state one lists (by default any terminated one), and its conditions hold,
 * the listening flow gets an execution with `trigger = {executionId, namespace, flowId,
 * flowRevision, state}` of the upstream execution; `inputs` are rendered against the listening
 * flow and the upstream execution (its task outputs as `outputs`, its flow outputs as
 * `trigger.outputs`) and are not typed. A flow never triggers itself; a condition that throws is
 * false (logged), a render failure of the inputs creates nothing (logged).
 *
 * The engine reports ends (headers) and changed ids once durable; when a listener wants a state
 * that is not terminal, each execution's history is followed so every state is seen once.
 */
import type { Execution, ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import type { Flow } from '../model/flow.js';
import { isTerminated, type StateType } from '../model/state.js';
import type { FlowRecord } from '../store/index.js';
import { testCondition, type ConditionContext } from './conditions.js';
import type { TriggerHost } from './host.js';
import type { FlowTrigger } from './schedule.js';

/** Kestra's Flow trigger type. */
export const FLOW_TRIGGER_TYPE = 'io.kestra.plugin.core.trigger.Flow';
const MULTIPLE = 'io.kestra.plugin.core.condition.MultipleCondition';

/** Every terminated state: a Flow trigger's default `states`. */
const TERMINATED_STATES: readonly string[] = ['FAILED', 'WARNING', 'SUCCESS', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED'];

interface Listener {
  record: FlowRecord;
  flow: Flow;
  trigger: FlowTrigger;
  states: readonly string[];
  conditions: Array<Record<string, unknown>>;
  /** Whether its templates read the upstream task outputs (then the task runs are read). */
  readsOutputs: boolean;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The outputs of an execution's task runs by task id (and by loop value), as templates read them. */
function taskOutputs(execution: Execution): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of execution.taskRunList ?? []) {
    if (!run.outputs) continue;
    if (run.value === undefined) out[run.taskId] = run.outputs;
    else {
      const byValue = (out[run.taskId] ??= {}) as Record<string, unknown>;
      byValue[run.value] = run.outputs;
    }
  }
  return out;
}

function labelsMap(labels: Label[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const l of labels) out[l.key] = l.value;
  return out;
}

/** The Flow triggers of the deployed flows. */
export class FlowListeners {
  readonly #host: TriggerHost;
  readonly #byFlow = new Map<string, Listener[]>();
  /** How many history entries of an execution were seen (only while a listener wants a non-terminal state). */
  readonly #seen = new Map<string, number>();

  constructor(host: TriggerHost) {
    this.#host = host;
  }

  /** The flow's Flow triggers replace those of its previous revision. */
  flowDeployed(record: FlowRecord, flow: Flow): void {
    const key = `${flow.namespace}\u0000${flow.id}`;
    const listeners: Listener[] = [];
    for (const trigger of flow.triggers) {
      if (this.#host.canonical(trigger.canonicalType ?? trigger.type) !== FLOW_TRIGGER_TYPE) continue;
      const states = Array.isArray(trigger.props['states']) ? (trigger.props['states'] as unknown[]).map(String) : TERMINATED_STATES;
      const conditions = Array.isArray(trigger.props['conditions']) ? (trigger.props['conditions'] as Array<Record<string, unknown>>) : [];
      listeners.push({ record, flow, trigger, states, conditions, readsOutputs: /\boutputs\b/.test(JSON.stringify([trigger.props['inputs'] ?? null, conditions])) });
    }
    if (listeners.length) this.#byFlow.set(key, listeners);
    else this.#byFlow.delete(key);
  }

  flowDeleted(namespace: string, flowId: string): void {
    this.#byFlow.delete(`${namespace}\u0000${flowId}`);
  }

  /** Whether some listener wants a state that is not terminal (then every change is followed). */
  #wantsNonTerminal(): boolean {
    for (const list of this.#byFlow.values()) for (const l of list) if (l.states.some((s) => !isTerminated(s as StateType))) return true;
    return false;
  }

  /**
   * Executions reported durable by the engine: `ended` with their final header, `changed` by id.
   * `track` is given each creation, so the service can wait for them.
   */
  drained(ended: ExecutionHeader[], changed: readonly string[], track: (p: Promise<void>) => void): void {
    if (this.#byFlow.size === 0) return;
    if (!this.#wantsNonTerminal()) {
      for (const header of ended) this.#fire(header, header.state.current, track);
      return;
    }
    const headers = new Map<string, ExecutionHeader>();
    for (const h of ended) headers.set(h.id, h);
    for (const id of changed) if (!headers.has(id)) {
      const h = this.#host.header(id);
      if (h) headers.set(id, h);
    }
    for (const header of headers.values()) {
      const histories = header.state.histories;
      const from = this.#seen.get(header.id) ?? 0;
      for (let i = from; i < histories.length; i++) this.#fire(header, histories[i]!.state, track);
      if (isTerminated(header.state.current)) this.#seen.delete(header.id);
      else this.#seen.set(header.id, histories.length);
    }
  }

  /** Evaluates every listener for an upstream execution that reached `state`. */
  #fire(upstream: ExecutionHeader, state: string, track: (p: Promise<void>) => void): void {
    let full: Execution | undefined;
    const execution = (): Execution => (full ??= this.#host.store.readExecution(upstream.id) ?? upstream);
    for (const [key, listeners] of this.#byFlow) {
      if (key === `${upstream.namespace}\u0000${upstream.flowId}`) continue; // a flow never triggers itself
      for (const l of listeners) {
        if (l.flow.disabled || l.trigger.props['disabled'] === true || !l.states.includes(state)) continue;
        const source = l.readsOutputs ? execution() : upstream;
        const vars = this.#vars(l, source, l.readsOutputs);
        if (!this.#conditionsHold(l, vars, source, state)) continue;
        const created = this.#create(l, source, state, vars);
        if (created) track(created);
      }
    }
  }

  /** Kestra's run context of (listening flow, upstream execution). */
  #vars(l: Listener, upstream: Execution, withOutputs: boolean): Record<string, unknown> {
    const vars: Record<string, unknown> = {
      ...this.#host.hostVars(),
      flow: { id: l.flow.id, namespace: l.flow.namespace, revision: l.flow.revision },
      execution: { id: upstream.id, startDate: upstream.state.histories[0]?.date, originalId: upstream.originalId },
      labels: labelsMap(upstream.labels),
      inputs: upstream.inputs ?? {},
    };
    if (withOutputs) vars['outputs'] = taskOutputs(upstream);
    if (upstream.trigger?.variables) vars['trigger'] = upstream.trigger.variables;
    return vars;
  }

  #conditionsHold(l: Listener, vars: Record<string, unknown>, upstream: Execution, state: string): boolean {
    const ctx: ConditionContext = {
      vars,
      execution: { ...upstream, state: { current: state } },
      render: (t, v) => this.#host.render(t, v),
      canonical: (t) => this.#host.canonical(t),
    };
    for (const c of l.conditions) {
      if (this.#host.canonical(String(c['type'] ?? '')) === MULTIPLE) continue;
      try {
        if (!testCondition(c, ctx)) return false;
      } catch (e) {
        this.#host.warn(`[namespace: ${l.flow.namespace}] [flow: ${l.flow.id}] [condition: ${String(c['type'])}] Evaluate Condition Failed with error '${errorMessage(e)}'`);
        return false;
      }
    }
    return true;
  }

  #create(l: Listener, upstream: Execution, state: string, vars: Record<string, unknown>): Promise<void> | undefined {
    let inputs: Record<string, unknown> = {};
    let labels: Label[];
    try {
      const raw = l.trigger.props['inputs'];
      if (raw && typeof raw === 'object') {
        const outputs = upstream.outputs && Object.keys(upstream.outputs).length ? { trigger: { outputs: upstream.outputs } } : {};
        inputs = this.#host.renderObject(raw, { ...vars, ...outputs }) as Record<string, unknown>;
      }
      labels = this.#labels(l.trigger, vars);
    } catch (e) {
      this.#host.warn(`Failed to trigger flow ${l.flow.namespace}.${l.flow.id} for trigger ${l.trigger.id}, invalid inputs: ${errorMessage(e)}`);
      return undefined;
    }
    const trigger: ExecutionTrigger = {
      id: l.trigger.id,
      type: l.trigger.type,
      variables: { executionId: upstream.id, namespace: upstream.namespace, flowId: upstream.flowId, flowRevision: upstream.flowRevision, state },
    };
    const record = this.#host.store.getFlow(l.flow.namespace, l.flow.id) ?? l.record;
    return this.#host.create(record, { id: this.#host.newId(), inputs, labels, trigger }).catch((e: unknown) => {
      this.#host.warn(`Flow trigger ${l.flow.namespace}.${l.flow.id}.${l.trigger.id} could not create its execution: ${errorMessage(e)}`);
    });
  }

  #labels(trigger: FlowTrigger, vars: Record<string, unknown>): Label[] {
    const raw = trigger.props['labels'];
    const pairs: Array<[string, unknown]> = Array.isArray(raw) ? (raw as Label[]).map((x) => [String(x.key), x.value]) : raw && typeof raw === 'object' ? Object.entries(raw) : [];
    return pairs.map(([key, value]) => ({ key, value: value === null || value === undefined ? '' : this.#host.render(String(value), vars) }));
  }
}

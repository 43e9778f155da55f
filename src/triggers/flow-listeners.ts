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
import { isPublicHoliday } from './holidays.js';
import type { TriggerHost } from './host.js';
import { inWindow, multipleConditionsOf, windowBounds, type ConditionWindow, type MultipleDef } from './preconditions.js';
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
  /** Its MultipleConditions and `preconditions`, met over several upstream executions. */
  multiples: MultipleDef[];
}

function windowKey(namespace: string, flowId: string, conditionId: string): string {
  return `${namespace}\u0000${flowId}\u0000${conditionId}`;
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

/** How many ended executions {@link FlowListeners} remembers the history length of. */
const ENDED_MEMORY = 10_000;

/** The Flow triggers of the deployed flows. */
export class FlowListeners {
  readonly #host: TriggerHost;
  readonly #byFlow = new Map<string, Listener[]>();
  /** How many history entries of an execution were seen (only while a listener wants a non-terminal state). */
  readonly #seen = new Map<string, number>();
  /**
   * The same for executions lately ended, oldest first (at most {@link ENDED_MEMORY}): a commit
   * that touches an ended execution after its end was reported (a late log line, a label) must
   * not fire its states again, and a restarted one fires only the states it reaches anew.
   */
  readonly #ended = new Map<string, number>();
  /** The windows of multiple conditions, by namespace, flow and condition id (stored: they outlive a restart). */
  readonly #windows = new Map<string, ConditionWindow>();

  constructor(host: TriggerHost) {
    this.#host = host;
    for (const w of host.store.listConditionWindows()) this.#windows.set(windowKey(w.namespace, w.flowId, w.conditionId), w);
  }

  /** The flow's Flow triggers replace those of its previous revision. */
  flowDeployed(record: FlowRecord, flow: Flow): void {
    const key = `${flow.namespace}\u0000${flow.id}`;
    const listeners: Listener[] = [];
    for (const trigger of flow.triggers) {
      if (this.#host.canonical(trigger.canonicalType ?? trigger.type) !== FLOW_TRIGGER_TYPE) continue;
      const states = Array.isArray(trigger.props['states']) ? (trigger.props['states'] as unknown[]).map(String) : TERMINATED_STATES;
      const conditions = Array.isArray(trigger.props['conditions']) ? (trigger.props['conditions'] as Array<Record<string, unknown>>) : [];
      let multiples: MultipleDef[];
      try {
        multiples = multipleConditionsOf(trigger.props, (t) => this.#host.canonical(t));
      } catch (e) {
        this.#host.warn(`Flow trigger ${flow.namespace}.${flow.id}.${trigger.id} never fires: ${errorMessage(e)}`);
        continue;
      }
      listeners.push({ record, flow, trigger, states, conditions, multiples, readsOutputs: /\boutputs\b/.test(JSON.stringify([trigger.props['inputs'] ?? null, conditions, trigger.props['preconditions'] ?? null])) });
    }
    if (listeners.length) this.#byFlow.set(key, listeners);
    else this.#byFlow.delete(key);
  }

  /** The windows of multiple conditions, as they stand. */
  windows(): ConditionWindow[] {
    return [...this.#windows.values()];
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
      const from = this.#seen.get(header.id) ?? this.#ended.get(header.id) ?? 0;
      for (let i = from; i < histories.length; i++) this.#fire(header, histories[i]!.state, track);
      this.#ended.delete(header.id);
      if (isTerminated(header.state.current)) {
        this.#seen.delete(header.id);
        this.#ended.set(header.id, histories.length);
        if (this.#ended.size > ENDED_MEMORY) this.#ended.delete(this.#ended.keys().next().value!);
      } else this.#seen.set(header.id, histories.length);
    }
  }

  /**
   * Evaluates every listener for an upstream execution that reached `state` (Kestra's
   * `computeExecutionsFromFlowTriggers`): plain conditions first; then the multiple conditions of
   * the listeners that passed record what this execution meets in their windows; the listeners
   * whose windows are complete fire; complete windows (unless `resetOnSuccess: false`) and expired
   * ones are forgotten. Windows are durable before the executions are created.
   */
  #fire(upstream: ExecutionHeader, state: string, track: (p: Promise<void>) => void): void {
    let full: Execution | undefined;
    const execution = (): Execution => (full ??= this.#host.store.readExecution(upstream.id) ?? upstream);
    const valid: Array<{ l: Listener; source: Execution; vars: Record<string, unknown> }> = [];
    for (const [key, listeners] of this.#byFlow) {
      if (key === `${upstream.namespace}\u0000${upstream.flowId}`) continue; // a flow never triggers itself
      for (const l of listeners) {
        if (l.flow.disabled || l.trigger.props['disabled'] === true || !l.states.includes(state)) continue;
        const source = l.readsOutputs ? execution() : upstream;
        const vars = this.#vars(l, source, l.readsOutputs);
        if (this.#conditionsHold(l, vars, source, state)) valid.push({ l, source, vars });
      }
    }
    if (!valid.length) return;
    const now = this.#host.clock.now();
    const put = new Map<string, ConditionWindow>();
    const remove = new Map<string, ConditionWindow>();
    const evaluated = new Map<string, MultipleDef>();
    for (const { l, source, vars } of valid) {
      for (const m of l.multiples) {
        const key = windowKey(l.flow.namespace, l.flow.id, m.id);
        let w = this.#windows.get(key);
        if (!w || !inWindow(w, now)) w = { namespace: l.flow.namespace, flowId: l.flow.id, conditionId: m.id, ...windowBounds(m.timeWindow, now), results: {} };
        if (!inWindow(w, now)) continue; // a daily window not open yet, or closed for today
        const ctx = this.#context(vars, source, state);
        const results = { ...w.results };
        for (const [name, test] of m.conditions) {
          try {
            if (test(ctx)) results[name] = true;
          } catch (e) {
            this.#host.warn(`[namespace: ${l.flow.namespace}] [flow: ${l.flow.id}] [condition: ${m.id}.${name}] Evaluate Condition Failed with error '${errorMessage(e)}'`);
          }
        }
        if (Object.keys(results).length === 0) continue;
        w = { ...w, results };
        this.#windows.set(key, w);
        put.set(key, w);
        evaluated.set(key, m);
      }
    }
    const creations: Array<() => Promise<void> | undefined> = [];
    for (const { l, source, vars } of valid) {
      const met = l.multiples.every((m) => {
        const w = this.#windows.get(windowKey(l.flow.namespace, l.flow.id, m.id));
        return w !== undefined && m.conditions.every(([name]) => w.results[name] === true);
      });
      if (met) creations.push(() => this.#create(l, source, state, vars));
    }
    for (const [key, m] of evaluated) {
      const w = put.get(key)!;
      if (m.resetOnSuccess && m.conditions.every(([name]) => w.results[name] === true)) {
        this.#windows.delete(key);
        put.delete(key);
        remove.set(key, w);
      }
    }
    for (const [key, w] of this.#windows) {
      if (w.end >= now) continue;
      this.#windows.delete(key);
      put.delete(key);
      remove.set(key, w);
    }
    const stored = put.size || remove.size ? this.#host.store.writeConditionWindows([...put.values()], [...remove.values()]) : Promise.resolve();
    track(
      stored.then(
        () => Promise.all(creations.map((c) => c())).then(() => undefined),
        (e: unknown) => this.#host.warn(`Flow triggers: the condition windows could not be stored, nothing fires for ${upstream.id}: ${errorMessage(e)}`),
      ),
    );
  }

  #context(vars: Record<string, unknown>, upstream: Execution, state: string): ConditionContext {
    return { vars, execution: { ...upstream, state: { current: state } }, render: (t, v) => this.#host.render(t, v), canonical: (t) => this.#host.canonical(t), publicHoliday: isPublicHoliday };
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
    const ctx = this.#context(vars, upstream, state);
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

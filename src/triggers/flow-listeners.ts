/**
 * Flow triggers (io.kestra.plugin.core.trigger.Flow, Kestra's FlowTriggerService): when another
 * execution reaches a state one lists (by default any terminated one), and its conditions hold,
 * the listening flow gets an execution with `trigger = {executionId, namespace, flowId,
 * flowRevision, state}` of the upstream execution; `inputs` are rendered against the listening
 * flow and the upstream execution (its task outputs as `outputs`, its flow outputs as
 * `trigger.outputs`) and are not typed. A flow never triggers itself; a condition that throws is
 * false (logged), a render failure of the inputs creates nothing (logged).
 *
 * The work comes through the outbox (./outbox.ts): a record per commit that moved an execution
 * to states some trigger may fire on, reported once durable and replayed when the engine opens.
 * Each record is evaluated once (the windows of multiple conditions with it), the executions it
 * decides get ids derived from the record, and it is deleted once they exist: a crash anywhere in
 * between is repaired by the replay, with nothing lost and nothing created twice.
 */
import type { Execution, ExecutionHeader, ExecutionTrigger, Label } from '../model/execution.js';
import type { Flow } from '../model/flow.js';
import { derivedId } from '../model/ids.js';
import type { FlowRecord, OutboxEntry } from '../store/index.js';
import { testCondition, type ConditionContext } from './conditions.js';
import { isPublicHoliday } from './holidays.js';
import type { TriggerHost } from './host.js';
import { triggerPatterns, type ListenerInterest, type OutboxEffect, type PlannedExecution } from './outbox.js';
import { inWindow, multipleConditionsOf, windowBounds, type ConditionWindow, type MultipleDef } from './preconditions.js';
import type { FlowTrigger } from './schedule.js';

/** Kestra's Flow trigger type. */
export const FLOW_TRIGGER_TYPE = 'io.kestra.plugin.core.trigger.Flow';
const MULTIPLE = 'io.kestra.plugin.core.condition.MultipleCondition';

/** Every terminated state: a Flow trigger's default `states`. */
const TERMINATED_STATES: readonly string[] = ['FAILED', 'WARNING', 'SUCCESS', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED'];

/** A Flow trigger's `states`. */
function statesOf(trigger: FlowTrigger): readonly string[] {
  return Array.isArray(trigger.props['states']) ? (trigger.props['states'] as unknown[]).map(String) : TERMINATED_STATES;
}

/** Whether a flow's Flow trigger can fire at all (the flow and the trigger enabled). */
function live(flow: Flow, trigger: FlowTrigger): boolean {
  return !flow.disabled && trigger.props['disabled'] !== true;
}

/**
 * What the shards must record for the Flow triggers of these flows (the latest revision of each):
 * computed by the engine before its shards start, and by {@link FlowListeners.interest} after.
 */
export function flowTriggerInterest(flows: Iterable<Flow>, canonical: (type: string) => string): ListenerInterest {
  const out: ListenerInterest = [];
  for (const flow of flows) {
    for (const trigger of flow.triggers) {
      if (canonical(trigger.canonicalType ?? trigger.type) !== FLOW_TRIGGER_TYPE || !live(flow, trigger)) continue;
      out.push(...triggerPatterns({ namespace: flow.namespace, id: flow.id }, trigger.props, statesOf(trigger), canonical));
    }
  }
  return out;
}

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

/** Errors after which a record is kept for the next open instead of deleted: the engine stopped under it. */
const STOPPED: ReadonlySet<string> = new Set(['TROUPE_ENGINE_CLOSED', 'TROUPE_SHARD_FAILED']);

/** What the evaluation of one outbox record decided. */
interface Decision {
  planned: PlannedExecution[];
  put: Map<string, ConditionWindow>;
  remove: Map<string, ConditionWindow>;
}

/** The Flow triggers of the deployed flows. */
export class FlowListeners {
  readonly #host: TriggerHost;
  readonly #byFlow = new Map<string, Listener[]>();
  /** The windows of multiple conditions, by namespace, flow and condition id (stored: they outlive a restart). */
  readonly #windows = new Map<string, ConditionWindow>();
  /** Outbox records being handled (`executionId\u0000seq`): one reported twice (by its drain and a replay) is handled once. */
  readonly #handling = new Set<string>();

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
      const states = statesOf(trigger);
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

  /** What the shards must record for the Flow triggers deployed now. */
  interest(): ListenerInterest {
    return flowTriggerInterest(
      [...this.#byFlow.values()].map((list) => list[0]!.flow),
      (t) => this.#host.canonical(t),
    );
  }

  /**
   * Outbox records the engine's shards reported (their commit is durable), by execution id and
   * seq; `track` is given each record's handling, so the service can wait for it.
   */
  reported(keys: ReadonlyArray<readonly [executionId: string, seq: number]>, track: (p: Promise<void>) => void): void {
    for (const [executionId, seq] of keys) {
      if (this.#handling.has(`${executionId}\u0000${seq}`)) continue;
      // Read from the store: a replay may have handled and deleted it already.
      const entry = this.#host.store.readOutboxEntry(executionId, seq);
      if (entry) this.#take(executionId, entry, track);
    }
  }

  /** Handles every record left in the store: when the engine opens, and after a shard restart (it may have died before reporting some). */
  replay(track: (p: Promise<void>) => void): void {
    this.#host.store.refresh();
    for (const { executionId, entry } of this.#host.store.listOutbox()) this.#take(executionId, entry, track);
  }

  #take(executionId: string, entry: OutboxEntry, track: (p: Promise<void>) => void): void {
    const key = `${executionId}\u0000${entry.seq}`;
    if (this.#handling.has(key)) return;
    this.#handling.add(key);
    track(
      this.#handle(executionId, entry)
        .catch((e: unknown) => this.#host.warn(`Flow triggers: the record ${entry.seq} of ${executionId} stays for the next open: ${errorMessage(e)}`))
        .finally(() => this.#handling.delete(key)),
    );
  }

  /**
   * One record: evaluated (unless it already holds what was decided), the decided executions
   * created (those a crash left already created are skipped), then deleted. When the evaluation
   * changed windows, they are written with the decision in place of the record, in one
   * transaction, before anything is created.
   */
  async #handle(executionId: string, entry: OutboxEntry): Promise<void> {
    const effect = entry.effect as unknown as OutboxEffect;
    const store = this.#host.store;
    const done = { headers: [], taskRuns: [], logs: [], outboxDelete: [{ executionId, seq: entry.seq }] };
    let planned: PlannedExecution[];
    if (effect.type === 'creations') planned = effect.executions;
    else {
      const upstream = this.#host.header(executionId);
      const decision: Decision = { planned: [], put: new Map(), remove: new Map() };
      if (upstream) this.#evaluate(upstream, effect.from, Math.min(effect.to, upstream.state.histories.length), decision);
      planned = decision.planned;
      if (decision.put.size || decision.remove.size) {
        const windows = { put: [...decision.put.values()], remove: [...decision.remove.values()] };
        if (!planned.length) {
          await store.writeBatch({ ...done, windows });
          return;
        }
        const creations = { type: 'creations', executions: planned } satisfies OutboxEffect;
        await store.writeBatch({ headers: [], taskRuns: [], logs: [], windows, outboxPut: [{ executionId, entry: { seq: entry.seq, effect: creations } }] });
      }
    }
    if (await this.#createAll(planned)) await store.writeBatch(done);
  }

  /** Creates what was decided, skipping what exists; false when the engine stopped meanwhile (the record then stays). */
  async #createAll(planned: PlannedExecution[]): Promise<boolean> {
    let stopped = false;
    await Promise.all(
      planned.map(async (p) => {
        if (this.#host.header(p.execution.id)) return;
        const record = this.#host.store.getFlow(p.namespace, p.flowId);
        const name = `Flow trigger ${p.namespace}.${p.flowId}.${p.execution.trigger.id}`;
        if (!record || record.deleted) {
          this.#host.warn(`${name}: the flow no longer exists, its execution is not created`);
          return;
        }
        try {
          await this.#host.create(record, p.execution);
        } catch (e) {
          if (STOPPED.has(String((e as { code?: unknown }).code))) stopped = true;
          else this.#host.warn(`${name} could not create its execution: ${errorMessage(e)}`);
        }
      }),
    );
    return !stopped;
  }

  /** Every state `histories[from…to)` of the upstream execution, in order. */
  #evaluate(upstream: ExecutionHeader, from: number, to: number, decision: Decision): void {
    let full: Execution | undefined;
    const execution = (): Execution => {
      if (!full) {
        try {
          full = this.#host.store.readExecution(upstream.id) ?? upstream;
        } catch {
          full = upstream; // TROUPE_EXECUTION_CORRUPT: its header alone
        }
      }
      return full;
    };
    for (let i = from; i < to; i++) this.#fire(upstream, execution, upstream.state.histories[i]!.state, i, decision);
  }

  /**
   * Evaluates every listener for an upstream execution that reached `state` (history entry
   * `index`; Kestra's `computeExecutionsFromFlowTriggers`): plain conditions first; then the
   * multiple conditions of the listeners that passed record what this execution meets in their
   * windows; the listeners whose windows are complete fire; complete windows (unless
   * `resetOnSuccess: false`) and expired ones are forgotten.
   */
  #fire(upstream: ExecutionHeader, execution: () => Execution, state: string, index: number, decision: Decision): void {
    const valid: Array<{ l: Listener; source: Execution; vars: Record<string, unknown> }> = [];
    for (const [key, listeners] of this.#byFlow) {
      if (key === `${upstream.namespace}\u0000${upstream.flowId}`) continue; // a flow never triggers itself
      for (const l of listeners) {
        if (!live(l.flow, l.trigger) || !l.states.includes(state)) continue;
        const source = l.readsOutputs ? execution() : upstream;
        const vars = this.#vars(l, source, l.readsOutputs);
        if (this.#conditionsHold(l, vars, source, state)) valid.push({ l, source, vars });
      }
    }
    if (!valid.length) return;
    const now = this.#host.clock.now();
    const { put, remove } = decision;
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
    for (const { l, source, vars } of valid) {
      const met = l.multiples.every((m) => {
        const w = this.#windows.get(windowKey(l.flow.namespace, l.flow.id, m.id));
        return w !== undefined && m.conditions.every(([name]) => w.results[name] === true);
      });
      if (!met) continue;
      const p = this.#plan(l, source, state, vars, `${upstream.id}\u0000${index}`);
      if (p) decision.planned.push(p);
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

  /**
   * The execution a listener fires for one upstream state: inputs rendered against the listening
   * flow and the upstream execution, its id derived from `origin` (the upstream id and history
   * index) and the trigger, so a replay of the record decides the same id. Undefined (logged) when
   * the inputs or labels cannot be rendered.
   */
  #plan(l: Listener, upstream: Execution, state: string, vars: Record<string, unknown>, origin: string): PlannedExecution | undefined {
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
    const id = derivedId(`${origin}\u0000${l.flow.namespace}\u0000${l.flow.id}\u0000${l.trigger.id}`);
    return { namespace: l.flow.namespace, flowId: l.flow.id, execution: { id, inputs, labels, trigger } };
  }

  #labels(trigger: FlowTrigger, vars: Record<string, unknown>): Label[] {
    const raw = trigger.props['labels'];
    const pairs: Array<[string, unknown]> = Array.isArray(raw) ? (raw as Label[]).map((x) => [String(x.key), x.value]) : raw && typeof raw === 'object' ? Object.entries(raw) : [];
    return pairs.map(([key, value]) => ({ key, value: value === null || value === undefined ? '' : this.#host.render(String(value), vars) }));
  }
}

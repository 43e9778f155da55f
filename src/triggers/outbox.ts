/**
 * The Flow triggers' outbox: an execution's commit that makes it reach a state some Flow trigger
 * may fire on also writes, in the same LMDB transaction, a record saying "evaluate the Flow
 * triggers for states `from`…`to` of this execution's history" (the store's `outbox` database,
 * key `[executionId, from]`). The trigger service evaluates it once that commit is durable, creates
 * the executions it decides (ids derived from the record, so a replay finds them instead of making
 * them twice) and deletes it; an engine that opens replays the records left. Nothing is lost to a
 * kill -9 between an end and its downstream executions, and nothing is done twice.
 *
 * A shard cannot render conditions, so it is told, for every Flow trigger, the upstream states and
 * flows the trigger may fire for as far as a static look at its conditions tells ({@link
 * InterestPattern}): an execution no trigger may fire for costs no record. Pure: imported by the
 * shard threads and the trigger service.
 */
import type { TriggeredExecution } from './host.js';

const CONDITION = 'io.kestra.plugin.core.condition.';

/**
 * Upstream executions a Flow trigger may fire for: every field set must hold (namespace equal
 * to, starting or ending with; flow id equal to), and one of the states reached must be listed.
 */
export interface InterestPattern {
  states: string[];
  namespace?: string;
  namespacePrefix?: string;
  namespaceSuffix?: string;
  flowId?: string;
  /** The listening flow (`namespace\u0000flowId`): a flow never triggers itself. */
  self: string;
}

/** Every Flow trigger's patterns: what the shards record. */
export type ListenerInterest = InterestPattern[];

/** A record written by the commit that moved an execution to states a Flow trigger may fire on. */
export interface ListenersEffect {
  type: 'listeners';
  /** The history indexes evaluated: `state.histories[from…to)`. */
  from: number;
  to: number;
}

/** An execution a Flow trigger decided to create, with its flow. */
export interface PlannedExecution {
  namespace: string;
  flowId: string;
  execution: TriggeredExecution;
}

/**
 * What a record becomes once evaluated, when the evaluation changed the windows of multiple
 * conditions: written in the same transaction as the windows, so a replay creates what was decided
 * instead of meeting the windows a second time.
 */
export interface CreationsEffect {
  type: 'creations';
  executions: PlannedExecution[];
}

export type OutboxEffect = ListenersEffect | CreationsEffect;

/** The record a shard writes for `histories[from…to)`. */
export function listenersEffect(from: number, to: number): ListenersEffect {
  return { type: 'listeners', from, to };
}

type Props = Record<string, unknown>;

function isMap(v: unknown): v is Props {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What one condition says of the upstream's namespace and flow, when it can be read without rendering. */
function conditionFilter(c: Props, canonical: (t: string) => string): Partial<InterestPattern> | undefined {
  const type = canonical(String(c['type'] ?? ''));
  if (type === `${CONDITION}ExecutionFlow`) {
    return typeof c['namespace'] === 'string' && typeof c['flowId'] === 'string' ? { namespace: c['namespace'], flowId: c['flowId'] } : undefined;
  }
  if (type === `${CONDITION}ExecutionNamespace`) {
    if (c['namespace'] !== undefined && typeof c['namespace'] !== 'string') return undefined;
    const ns = String(c['namespace'] ?? '');
    const comparison = c['comparison'] ?? (c['prefix'] === true ? 'PREFIX' : 'EQUALS');
    if (comparison === 'PREFIX') return { namespacePrefix: ns };
    if (comparison === 'SUFFIX') return { namespaceSuffix: ns };
    return { namespace: ns };
  }
  return undefined;
}

/** An entry of `preconditions.flows` (Kestra's UpstreamFlowCondition), when it names a namespace or a flow. */
function upstreamFilter(flow: unknown): Partial<InterestPattern> | undefined {
  if (!isMap(flow)) return undefined;
  const out: Partial<InterestPattern> = {};
  if (typeof flow['namespace'] === 'string') out.namespace = flow['namespace'];
  if (typeof flow['flowId'] === 'string') out.flowId = flow['flowId'];
  return out.namespace !== undefined || out.flowId !== undefined ? out : undefined;
}

/**
 * The sub-conditions of a trigger's multiple conditions as filters, when every window forgets
 * itself once complete (then only an upstream meeting one of them can make the trigger fire) and
 * every sub-condition can be read; undefined otherwise (any upstream may).
 */
function multipleFilters(props: Props, conditions: Props[], canonical: (t: string) => string): Array<Partial<InterestPattern>> | undefined {
  const out: Array<Partial<InterestPattern>> = [];
  for (const c of conditions) {
    if (canonical(String(c['type'] ?? '')) !== `${CONDITION}MultipleCondition`) continue;
    if (c['resetOnSuccess'] === false || !isMap(c['conditions'])) return undefined;
    for (const sub of Object.values(c['conditions'])) {
      const f = isMap(sub) ? conditionFilter(sub, canonical) : undefined;
      if (!f) return undefined;
      out.push(f);
    }
  }
  const pre = props['preconditions'];
  if (isMap(pre)) {
    if (pre['resetOnSuccess'] === false || (Array.isArray(pre['where']) && pre['where'].length)) return undefined;
    for (const flow of Array.isArray(pre['flows']) ? pre['flows'] : []) {
      const f = upstreamFilter(flow);
      if (!f) return undefined;
      out.push(f);
    }
  }
  return out.length ? out : undefined;
}

/**
 * The patterns of one Flow trigger: its `states`, narrowed by the first condition that names the
 * upstream flow or namespace, else by the sub-conditions of its multiple conditions; any upstream
 * when nothing can be read statically (conservative: more records, never fewer).
 */
export function triggerPatterns(self: { namespace: string; id: string }, props: Props, states: readonly string[], canonical: (t: string) => string): InterestPattern[] {
  const base = { states: [...states], self: `${self.namespace}\u0000${self.id}` };
  const conditions = Array.isArray(props['conditions']) ? (props['conditions'] as unknown[]).filter(isMap) : [];
  for (const c of conditions) {
    const f = conditionFilter(c, canonical);
    if (f) return [{ ...base, ...f }];
  }
  const subs = multipleFilters(props, conditions, canonical);
  return subs ? subs.map((f) => ({ ...base, ...f })) : [base];
}

function matches(p: InterestPattern, namespace: string, self: string, states: readonly string[]): boolean {
  if (p.self === self) return false;
  if (p.namespace !== undefined && p.namespace !== namespace) return false;
  if (p.namespacePrefix !== undefined && !namespace.startsWith(p.namespacePrefix)) return false;
  if (p.namespaceSuffix !== undefined && !namespace.endsWith(p.namespaceSuffix)) return false;
  return states.some((s) => p.states.includes(s));
}

/** Whether an execution of `namespace`.`flowId` reaching `states` may fire some Flow trigger. */
export type InterestTest = (namespace: string, flowId: string, states: readonly string[]) => boolean;

/** The test of an interest, indexed by flow id; undefined when no Flow trigger exists (no record ever). */
export function interestTest(interest: ListenerInterest | undefined): InterestTest | undefined {
  if (!interest?.length) return undefined;
  const byFlow = new Map<string, InterestPattern[]>();
  const rest: InterestPattern[] = [];
  for (const p of interest) {
    if (p.flowId === undefined) rest.push(p);
    else {
      const list = byFlow.get(p.flowId);
      if (list) list.push(p);
      else byFlow.set(p.flowId, [p]);
    }
  }
  return (namespace, flowId, states) => {
    const self = `${namespace}\u0000${flowId}`;
    for (const p of byFlow.get(flowId) ?? []) if (matches(p, namespace, self, states)) return true;
    for (const p of rest) if (matches(p, namespace, self, states)) return true;
    return false;
  };
}

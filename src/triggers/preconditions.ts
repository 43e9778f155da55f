/**
 * Conditions over several upstream executions, kept in time windows (Kestra's MultipleCondition
 * and a Flow trigger's `preconditions`, `FlowTriggerService.computeExecutionsFromFlowTriggers`):
 * each named sub-condition that holds for an ended execution is recorded as met in the current
 * window of its trigger's flow and condition id; the trigger fires once every sub-condition of the
 * window is met; the window is then forgotten (unless `resetOnSuccess: false`), and so is a window
 * whose end passed. Pure: windows are data the service keeps (and stores), time comes in.
 */
import { parseDuration } from '../model/duration.js';
import { isTruthy } from '../expr/index.js';
import { javaRegex } from '../expr/regex.js';
import { ConditionError, testCondition, type ConditionContext } from './conditions.js';

const CONDITION = 'io.kestra.plugin.core.condition.';
const MULTIPLE = `${CONDITION}MultipleCondition`;
const DAY = 86_400_000;

/** A window's results: the sub-conditions met in it (Kestra's `MultipleConditionWindow`). */
export interface ConditionWindow {
  namespace: string;
  flowId: string;
  conditionId: string;
  start: number;
  end: number;
  results: Record<string, boolean>;
}

/** Kestra's `TimeWindow`. */
export interface TimeWindowDef {
  type: 'DURATION_WINDOW' | 'SLIDING_WINDOW' | 'DAILY_TIME_WINDOW' | 'DAILY_TIME_DEADLINE';
  windowMs?: number;
  advanceMs?: number;
  /** Seconds of the day (UTC). */
  startTime?: number;
  endTime?: number;
  deadline?: number;
}

/** One multiple condition of a Flow trigger, its sub-conditions by key. */
export interface MultipleDef {
  id: string;
  resetOnSuccess: boolean;
  timeWindow: TimeWindowDef;
  conditions: Array<[key: string, test: (ctx: ConditionContext) => boolean]>;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `HH:mm[:ss]` as seconds of the day. */
function localTime(v: unknown, what: string): number {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(String(v ?? '').trim());
  if (!m) throw new ConditionError(`${what}: expected a time such as 09:00:00, got '${String(v)}'`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}

function timeWindowOf(raw: unknown, legacy: Record<string, unknown>): TimeWindowDef {
  const tw = isMap(raw) ? raw : {};
  const type = String(tw['type'] ?? 'DURATION_WINDOW');
  const window = tw['window'] ?? legacy['window'];
  const advance = tw['windowAdvance'] ?? legacy['windowAdvance'];
  const def: TimeWindowDef = { type: type as TimeWindowDef['type'] };
  if (window !== undefined && window !== null) def.windowMs = parseDuration(window as string);
  if (advance !== undefined && advance !== null) def.advanceMs = parseDuration(advance as string);
  switch (type) {
    case 'DURATION_WINDOW':
    case 'SLIDING_WINDOW':
      break;
    case 'DAILY_TIME_WINDOW':
      def.startTime = localTime(tw['startTime'], 'timeWindow.startTime');
      def.endTime = localTime(tw['endTime'], 'timeWindow.endTime');
      break;
    case 'DAILY_TIME_DEADLINE':
      def.deadline = localTime(tw['deadline'], 'timeWindow.deadline');
      break;
    default:
      throw new ConditionError(`timeWindow.type: expected DURATION_WINDOW, SLIDING_WINDOW, DAILY_TIME_WINDOW or DAILY_TIME_DEADLINE, got '${type}'`);
  }
  return def;
}

/** An upstream flow of `preconditions.flows` (Kestra's UpstreamFlowCondition). */
function upstreamFlow(flow: Record<string, unknown>): (ctx: ConditionContext) => boolean {
  return (ctx) => {
    const e = ctx.execution;
    if (!e) throw new ConditionError('Invalid condition with null execution');
    if (flow['namespace'] !== undefined && e.namespace !== flow['namespace']) return false;
    if (flow['flowId'] !== undefined && e.flowId !== flow['flowId']) return false;
    if (Array.isArray(flow['states']) && !flow['states'].map(String).includes(e.state.current)) return false;
    if (isMap(flow['labels'])) return Object.entries(flow['labels']).every(([k, v]) => e.labels.some((l) => l.key === k && l.value === String(v)));
    return true;
  };
}

/** A filter of `preconditions.where` (Kestra's FilterCondition). */
function whereFilter(filter: Record<string, unknown>): (ctx: ConditionContext) => boolean {
  const filters = Array.isArray(filter['filters']) ? (filter['filters'] as Array<Record<string, unknown>>) : [];
  const one = (ctx: ConditionContext, f: Record<string, unknown>): boolean => {
    const e = ctx.execution;
    if (!e) throw new ConditionError('Invalid condition with null execution');
    const value = f['value'] === undefined || f['value'] === null ? undefined : String(f['value']);
    const values = Array.isArray(f['values']) ? f['values'].map(String) : [];
    let field: string | undefined;
    switch (f['field']) {
      case 'FLOW_ID':
        field = e.flowId;
        break;
      case 'NAMESPACE':
        field = e.namespace;
        break;
      case 'STATE':
        field = e.state.current;
        break;
      case 'EXPRESSION':
        field = ctx.render(value ?? '', ctx.vars);
        break;
      default:
        throw new ConditionError(`Unknown filter field '${String(f['field'])}'`);
    }
    switch (f['type']) {
      case 'EQUAL_TO':
        return value === field;
      case 'NOT_EQUAL_TO':
        return value !== field;
      case 'IN':
        return values.includes(field);
      case 'NOT_IN':
        return !values.includes(field);
      case 'IS_TRUE':
        return isTruthy(field);
      case 'IS_FALSE':
        return !isTruthy(field);
      case 'IS_NULL':
        return field === undefined;
      case 'IS_NOT_NULL':
        return field !== undefined;
      case 'STARTS_WITH':
        return field.startsWith(value ?? '');
      case 'ENDS_WITH':
        return field.endsWith(value ?? '');
      case 'REGEX':
        return javaRegex(value ?? '').matches(field);
      case 'CONTAINS':
        return field.includes(value ?? '');
      default:
        throw new ConditionError(`Unknown filter type '${String(f['type'])}'`);
    }
  };
  return (ctx) => (filter['operand'] === 'OR' ? filters.some((f) => one(ctx, f)) : filters.every((f) => one(ctx, f)));
}

/**
 * The multiple conditions of a Flow trigger: each `MultipleCondition` of its `conditions`, then its
 * `preconditions` (keys `condition_1`… for `flows`, `condition_<n>_<id>` for `where`, as Kestra).
 * @throws ConditionError when one is malformed
 */
export function multipleConditionsOf(props: Record<string, unknown>, canonical: (t: string) => string): MultipleDef[] {
  const out: MultipleDef[] = [];
  const conditions = Array.isArray(props['conditions']) ? (props['conditions'] as Array<Record<string, unknown>>) : [];
  for (const c of conditions) {
    if (canonical(String(c['type'] ?? '')) !== MULTIPLE) continue;
    if (typeof c['id'] !== 'string' || !c['id']) throw new ConditionError("MultipleCondition: missing required property 'id'");
    if (!isMap(c['conditions']) || Object.keys(c['conditions']).length === 0) throw new ConditionError(`MultipleCondition '${c['id']}': 'conditions' must be a non-empty map`);
    const subs = Object.entries(c['conditions']).map(([key, sub]): [string, (ctx: ConditionContext) => boolean] => [key, (ctx) => testCondition(sub as Record<string, unknown>, ctx)]);
    out.push({ id: c['id'], resetOnSuccess: c['resetOnSuccess'] !== false, timeWindow: timeWindowOf(c['timeWindow'], c), conditions: subs });
  }
  const pre = props['preconditions'];
  if (isMap(pre)) {
    if (typeof pre['id'] !== 'string' || !pre['id']) throw new ConditionError("preconditions: missing required property 'id'");
    const subs: MultipleDef['conditions'] = [];
    let n = 0;
    for (const flow of Array.isArray(pre['flows']) ? pre['flows'] : []) subs.push([`condition_${++n}`, upstreamFlow(flow as Record<string, unknown>)]);
    for (const filter of Array.isArray(pre['where']) ? pre['where'] : []) {
      const f = filter as Record<string, unknown>;
      subs.push([`condition_${++n}_${String(f['id'])}`, whereFilter(f)]);
    }
    out.push({ id: pre['id'], resetOnSuccess: pre['resetOnSuccess'] !== false, timeWindow: timeWindowOf(pre['timeWindow'], {}), conditions: subs });
  }
  return out;
}

/** The bounds of a new window at `nowMs` (Kestra's `getOrCreate`, in UTC). */
export function windowBounds(tw: TimeWindowDef, nowMs: number): { start: number; end: number } {
  const now = Math.floor(nowMs / 1000) * 1000;
  const day = Math.floor(now / DAY) * DAY;
  switch (tw.type) {
    case 'SLIDING_WINDOW':
      return { start: now, end: now + (tw.windowMs ?? DAY) };
    case 'DAILY_TIME_WINDOW':
      return { start: day + tw.startTime! * 1000, end: day + tw.endTime! * 1000 };
    case 'DAILY_TIME_DEADLINE':
      return { start: day, end: day + tw.deadline! * 1000 };
    default: {
      const window = tw.windowMs ?? DAY;
      const d = new Date(now);
      // Kestra truncates to the day, the hour, then to a multiple of the window in minutes within the hour.
      if (window >= DAY) d.setUTCHours(0);
      if (window >= 3_600_000) d.setUTCMinutes(0);
      if (window >= 60_000) {
        const minutes = window / 60_000;
        d.setUTCSeconds(0);
        d.setUTCMinutes(Math.floor(minutes) * Math.floor(d.getUTCMinutes() / Math.floor(minutes)));
      }
      const start = d.getTime() + (tw.advanceMs ?? 0);
      return { start, end: start + window - 1 };
    }
  }
}

/** Whether `nowMs` falls in the window (its start included: a simulated clock may stand on it). */
export function inWindow(w: { start: number; end: number }, nowMs: number): boolean {
  return nowMs >= w.start && nowMs < w.end;
}

/**
 * Kestra's trigger conditions (io.kestra.plugin.core.condition.*), evaluated against a context:
 * the variables templates see (`trigger.date` for a Schedule, the upstream execution for a Flow
 * trigger) and, for Flow and Webhook triggers, the execution. A condition that cannot be
 * evaluated throws a {@link ConditionError} (Kestra's IllegalConditionEvaluation): the Schedule
 * then creates a FAILED execution, a Flow trigger logs and does not fire.
 * Pure: rendering comes in through the context.
 */
import type { Label } from '../model/execution.js';

const CONDITION = 'io.kestra.plugin.core.condition.';

/** What a condition may read of an execution. */
export interface ConditionExecution {
  id: string;
  namespace: string;
  flowId: string;
  state: { current: string };
  labels: Label[];
  outputs?: Record<string, unknown>;
  taskRunList?: Array<{ attempts?: Array<{ state: { current: string } }> }>;
}

/** Where a condition is evaluated. */
export interface ConditionContext {
  /** The variables templates see. */
  vars: Record<string, unknown>;
  /** The execution the condition is about (Flow and Webhook triggers). */
  execution?: ConditionExecution;
  /** Renders a template against `vars` (throws when it cannot). */
  render(template: string, vars: Record<string, unknown>): string;
  /** The canonical name of a condition type as written (aliases resolved by the task registry). */
  canonical(written: string): string;
  /** A MultipleCondition (stateful, windows kept by the trigger service); false when absent. */
  multiple?(condition: Record<string, unknown>): boolean;
  /**
   * Whether a local date is a public holiday of a country (the system locale's when undefined) and
   * subdivision (./holidays.ts); PublicHoliday cannot be evaluated without it.
   */
  publicHoliday?(date: LocalDate, country: string | undefined, subDivision: string | undefined): boolean;
}

/** A local date: year, month (1-12), day of month. */
export interface LocalDate {
  y: number;
  m: number;
  d: number;
}

/** A condition that cannot be evaluated. */
export class ConditionError extends Error {}

/** Conditions Kestra lets a Schedule evaluate against its dates (ScheduleCondition). */
const SCHEDULE_CONDITIONS = new Set(['DayWeek', 'DayWeekInMonth', 'DateTimeBetween', 'TimeBetween', 'Weekend', 'Expression', 'ExecutionOutputs', 'Not', 'Or', 'PublicHoliday'].map((n) => CONDITION + n));

/** Whether the Schedule evaluates this canonical condition type against its dates (Kestra's ScheduleCondition). */
export function isScheduleCondition(canonicalType: string): boolean {
  return SCHEDULE_CONDITIONS.has(canonicalType);
}

const DAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

function needExecution(ctx: ConditionContext): ConditionExecution {
  if (!ctx.execution) throw new ConditionError('Invalid condition with null execution');
  return ctx.execution;
}

function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function truthy(rendered: string): boolean {
  const t = rendered.trim();
  return !(t === '' || t === 'false');
}

/** The date `{{ trigger.date }}` (or the condition's `date`) renders to. */
function renderDate(condition: Record<string, unknown>, ctx: ConditionContext): string {
  return ctx.render(typeof condition['date'] === 'string' ? condition['date'] : '{{ trigger.date }}', ctx.vars).trim();
}

/** A dynamic property rendered; undefined when absent or rendered empty. */
function optionalText(value: unknown, ctx: ConditionContext): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = ctx.render(String(value), ctx.vars).trim();
  return text === '' ? undefined : text;
}

/** The local date (year, month, day) of a rendered date: its own fields, whatever its offset. */
function localDate(text: string): LocalDate {
  const match = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(text);
  if (!match) throw new ConditionError(`Unable to parse date '${text}'`);
  return { y: Number(match[1]), m: Number(match[2]), d: Number(match[3]) };
}

function dayOfWeek(date: LocalDate): string {
  return DAYS[new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay()]!;
}

function instant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ConditionError(`Unable to parse date '${text}'`);
  return ms;
}

/** An OffsetTime as seconds of the UTC day (`14:00:00+02:00` → 12:00 UTC), for comparisons. */
function offsetTimeSeconds(text: string): number {
  const match = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text.trim());
  if (!match) throw new ConditionError(`Unable to parse time '${text}'`);
  const [, h, m, s, off] = match;
  let offset = 0;
  if (off && off !== 'Z') offset = (off.startsWith('-') ? -1 : 1) * (Number(off.slice(1, 3)) * 3600 + Number(off.slice(4, 6)) * 60);
  return Number(h) * 3600 + Number(m) * 60 + Number(s ?? 0) - offset;
}

/** The time of a rendered zoned date as seconds of the UTC day. */
function zonedTimeSeconds(text: string): number {
  const match = /T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})/.exec(text);
  if (!match) throw new ConditionError(`Unable to parse date '${text}'`);
  return offsetTimeSeconds(match[1]! + match[2]!);
}

function between(value: number, after: number | undefined, before: number | undefined): boolean {
  if (after !== undefined && before !== undefined) return value > after && value < before;
  if (before !== undefined) return value < before;
  if (after !== undefined) return value > after;
  throw new ConditionError('Invalid condition with no before nor after');
}

function nthInMonth(date: LocalDate, day: string, which: string): boolean {
  const target = DAYS.indexOf(day);
  if (target < 0) throw new ConditionError(`Invalid dayOfWeek '${day}'`);
  const first = new Date(Date.UTC(date.y, date.m - 1, 1)).getUTCDay();
  const firstDay = 1 + ((target - first + 7) % 7);
  const lastOfMonth = new Date(Date.UTC(date.y, date.m, 0)).getUTCDate();
  const index = { FIRST: 0, SECOND: 1, THIRD: 2, FOURTH: 3 }[which];
  let computed: number;
  if (which === 'LAST') computed = firstDay + 7 * Math.floor((lastOfMonth - firstDay) / 7);
  else if (index !== undefined) computed = firstDay + 7 * index;
  else throw new ConditionError('Invalid dayInMonth');
  return computed === date.d;
}

/**
 * Evaluates one condition.
 * @throws ConditionError when it cannot be evaluated (no execution, bad date, unknown type…)
 */
export function testCondition(condition: Record<string, unknown>, ctx: ConditionContext): boolean {
  const type = ctx.canonical(String(condition['type'] ?? ''));
  const name = type.startsWith(CONDITION) ? type.slice(CONDITION.length) : type;
  switch (name) {
    case 'ExecutionStatus': {
      const current = needExecution(ctx).state.current;
      const inList = stringList(condition['in']);
      const notIn = stringList(condition['notIn']);
      return !(inList && !inList.includes(current)) && !(notIn && notIn.includes(current));
    }
    case 'ExecutionFlow': {
      const e = needExecution(ctx);
      return e.namespace === condition['namespace'] && e.flowId === condition['flowId'];
    }
    case 'ExecutionNamespace': {
      const ns = needExecution(ctx).namespace;
      const expected = String(condition['namespace'] ?? '');
      const comparison = condition['comparison'] ?? (condition['prefix'] === true ? 'PREFIX' : 'EQUALS');
      if (comparison === 'PREFIX') return ns.startsWith(expected);
      if (comparison === 'SUFFIX') return ns.endsWith(expected);
      return ns === expected;
    }
    case 'ExecutionLabels': {
      const labels = needExecution(ctx).labels;
      const wanted = condition['labels'];
      const list: Label[] = Array.isArray(wanted) ? (wanted as Label[]) : Object.entries((wanted ?? {}) as Record<string, unknown>).map(([key, value]) => ({ key, value: String(value) }));
      return list.every((l) => labels.some((x) => x.key === l.key && x.value === String(l.value)));
    }
    case 'ExecutionOutputs': {
      const outputs = ctx.execution?.outputs;
      if (!outputs || Object.keys(outputs).length === 0) return false;
      const trigger = { ...((ctx.vars['trigger'] as Record<string, unknown> | undefined) ?? {}), outputs };
      return truthy(ctx.render(String(condition['expression'] ?? ''), { ...ctx.vars, trigger }));
    }
    case 'Expression':
      return truthy(ctx.render(String(condition['expression'] ?? ''), ctx.vars));
    case 'HasRetryAttempt': {
      const e = needExecution(ctx);
      const inList = stringList(condition['in']);
      const notIn = stringList(condition['notIn']);
      return (e.taskRunList ?? []).some((r) => (r.attempts?.length ?? 0) > 1 && r.attempts!.some((a) => !(inList && !inList.includes(a.state.current)) && !(notIn && notIn.includes(a.state.current))));
    }
    case 'Not':
      return !((condition['conditions'] as Array<Record<string, unknown>> | undefined) ?? []).some((c) => testCondition(c, ctx));
    case 'Or':
      return ((condition['conditions'] as Array<Record<string, unknown>> | undefined) ?? []).some((c) => testCondition(c, ctx));
    case 'DayWeek':
      return dayOfWeek(localDate(renderDate(condition, ctx))) === String(condition['dayOfWeek']);
    case 'DayWeekInMonth':
      return nthInMonth(localDate(renderDate(condition, ctx)), String(condition['dayOfWeek']), String(condition['dayInMonth']));
    case 'Weekend': {
      const day = dayOfWeek(localDate(renderDate(condition, ctx)));
      return day === 'SATURDAY' || day === 'SUNDAY';
    }
    case 'DateTimeBetween': {
      const at = instant(renderDate(condition, ctx));
      const after = condition['after'] !== undefined ? instant(String(condition['after'])) : undefined;
      const before = condition['before'] !== undefined ? instant(String(condition['before'])) : undefined;
      return between(at, after, before);
    }
    case 'TimeBetween': {
      const at = zonedTimeSeconds(renderDate(condition, ctx));
      const after = condition['after'] !== undefined ? offsetTimeSeconds(String(condition['after'])) : undefined;
      const before = condition['before'] !== undefined ? offsetTimeSeconds(String(condition['before'])) : undefined;
      return between(at, after, before);
    }
    case 'PublicHoliday': {
      if (!ctx.publicHoliday) throw new ConditionError('PublicHoliday: no public-holiday calendar where this condition is evaluated');
      const date = localDate(renderDate(condition, ctx));
      return ctx.publicHoliday(date, optionalText(condition['country'], ctx), optionalText(condition['subDivision'], ctx));
    }
    case 'MultipleCondition':
      return ctx.multiple ? ctx.multiple(condition) : false;
    default:
      throw new ConditionError(`The condition type '${String(condition['type'])}' is not supported by this version of Troupe`);
  }
}

/** Whether every condition holds (Kestra's `areValid`); throws when one cannot be evaluated. */
export function allConditions(conditions: ReadonlyArray<Record<string, unknown>>, ctx: ConditionContext): boolean {
  return conditions.every((c) => testCondition(c, ctx));
}

/**
 * Loop values as Kestra parses them (EachSequential, EachParallel, ForEach): a JSON string or a
 * YAML list, rendered, de-duplicated, null rejected with Kestra's Java-formatted message, each
 * value turned into a string (strings as-is, everything else compact JSON).
 */
import { TroupeError } from '../../errors.js';
import type { Task } from '../../model/flow.js';
import type { ResolveContext, ResolvedChild } from './spec.js';
import { taskList } from './spec.js';

/** Java's `toString()` of a parsed JSON value, as Kestra's error messages print it. */
function javaToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}=${javaToString(x)}`).join(', ')}}`;
  return String(v);
}

function parseValues(raw: unknown, ctx: ResolveContext): unknown[] {
  if (typeof raw === 'string') {
    const rendered = ctx.render(raw);
    let parsed: unknown;
    try {
      parsed = JSON.parse(rendered);
    } catch (e) {
      throw new Error(`Unable to parse the values '${rendered}' as a JSON array: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`Unknown value type: the values '${rendered}' are not a JSON array`);
    return parsed;
  }
  if (Array.isArray(raw)) {
    return raw.map((el) => {
      if (typeof el === 'string') return ctx.render(el);
      if (typeof el === 'number' && Number.isInteger(el)) return ctx.render(String(el));
      if (el && typeof el === 'object' && !Array.isArray(el)) return ctx.renderObject(el);
      throw new Error(`Unknown value element type: ${javaClassOf(el)}`);
    });
  }
  throw new Error(`Unknown value type: ${javaClassOf(raw)}`);
}

function javaClassOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'class java.lang.Integer' : 'class java.lang.Double';
  if (typeof v === 'boolean') return 'class java.lang.Boolean';
  if (Array.isArray(v)) return 'class java.util.ArrayList';
  return 'class java.util.LinkedHashMap';
}

/** The distinct loop values of `raw`, each as a string. */
function resolveLoopValues(raw: unknown, ctx: ResolveContext): string[] {
  const parsed = parseValues(raw, ctx);
  const nulls = parsed.filter((v) => v === null || v === undefined).length;
  if (nulls > 0) throw new Error(`Found '${nulls}' null values on Each, with values=${javaToString(parsed)}`);
  const seen = new Set<string>();
  for (const v of parsed) seen.add(typeof v === 'string' ? v : JSON.stringify(v));
  return [...seen];
}

function limitError(task: Task, values: number, tasks: number, limit: number): TroupeError {
  const n = (x: number): string => x.toLocaleString('en-US');
  return new TroupeError('TROUPE_LIMIT_LOOP_RUNS', `The loop '${task.id}' would create ${n(values)} values × ${n(tasks)} tasks = ${n(values * tasks)} task runs, more than the limit of ${n(limit)} (engine option maxLoopRuns)`, { taskId: task.id, values, tasks, limit });
}

/**
 * One child per (value × task), values outer.
 * @throws TroupeError TROUPE_LIMIT_LOOP_RUNS when values × tasks exceeds `ctx.maxLoopRuns`, before any child is built
 */
export function loopChildren(task: Task, valuesProp: string, ctx: ResolveContext): ResolvedChild[] {
  const tasks = taskList(task, 'tasks');
  const limit = ctx.maxLoopRuns ?? Infinity;
  const raw = task.props[valuesProp];
  // A YAML list is counted before it is rendered; a JSON string, once parsed.
  if (Array.isArray(raw) && raw.length * tasks.length > limit) throw limitError(task, raw.length, tasks.length, limit);
  const values = resolveLoopValues(raw, ctx);
  if (values.length * tasks.length > limit) throw limitError(task, values.length, tasks.length, limit);
  const out: ResolvedChild[] = [];
  for (const value of values) for (const t of tasks) out.push({ task: t, value });
  return out;
}

/**
 * The function registry: Pebble core functions and Kestra's pure ones. Host functions
 * (read, secret, kv, errorLogs…) come from RenderOptions.functions and take precedence.
 */
import { ExpressionError, TroupeError } from '../../errors.js';
import { readYamlValue } from '../../yaml/read.js';
import { arg, type EvalContext, type FunctionFn } from '../context.js';
import { formatDate } from '../dates/java-format.js';
import { DEFAULT_ZONE, checkZone } from '../dates/zone.js';
import { range } from '../operators.js';
import { readOwn } from '../sandbox.js';
import { isMap, isNumber, num, typeName } from '../values.js';
import { renderFunction } from './render.js';

function fromJson(args: unknown[], named: Record<string, unknown>): unknown {
  const json = arg(args, named, 0, 'json');
  if (json === null || json === undefined) return null;
  if (typeof json !== 'string') throw new ExpressionError('TROUPE_EXPR_TYPE', `fromJson needs a string, got ${typeName(json)}`);
  try {
    return JSON.parse(json) as unknown;
  } catch (err) {
    throw new ExpressionError('TROUPE_EXPR_EVALUATION', `fromJson: invalid JSON: ${(err as Error).message}`);
  }
}

function extreme(pick: (a: number, b: number) => boolean): FunctionFn {
  return (args) => {
    const items = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
    let best: unknown = null;
    for (const v of items) {
      if (!isNumber(v)) throw new ExpressionError('TROUPE_EXPR_TYPE', `max/min need numbers, got ${typeName(v)}`);
      if (best === null || pick(num(v), num(best as number))) best = v;
    }
    return best;
  };
}

function now(args: unknown[], named: Record<string, unknown>, ctx: EvalContext): string {
  if (!ctx.options.now) throw new ExpressionError('TROUPE_EXPR_EVALUATION', 'now() is not available: no clock was given to the renderer');
  const ms = ctx.options.now();
  const format = arg(args, named, 0, 'format');
  const zone = arg(args, named, 1, 'timeZone');
  const sec = Math.floor(ms / 1000);
  return formatDate({ sec, nano: (ms - sec * 1000) * 1e6 }, typeof format === 'string' ? format : 'iso', typeof zone === 'string' ? checkZone(zone) : DEFAULT_ZONE);
}

/**
 * `currentEachOutput(outputs.x)`: descends into value-keyed outputs along the loop values of
 * `parents` (outermost first) then `taskrun.value` (Kestra §3.3).
 */
function currentEachOutput(args: unknown[], named: Record<string, unknown>, ctx: EvalContext): unknown {
  let current = arg(args, named, 0, 'outputs');
  const parents = ctx.lookup('parents');
  const path: unknown[] = [];
  if (Array.isArray(parents)) {
    for (const p of [...parents].reverse()) {
      const taskrun = isMap(p) ? readOwn(p, 'taskrun') : undefined;
      const value = isMap(taskrun) ? readOwn(taskrun, 'value') : undefined;
      if (value !== undefined && value !== null) path.push(value);
    }
  }
  const taskrun = ctx.lookup('taskrun');
  const own = isMap(taskrun) ? readOwn(taskrun, 'value') : undefined;
  if (own !== undefined && own !== null) path.push(own);
  for (const key of path) {
    if (!isMap(current)) return null;
    current = readOwn(current, String(key));
  }
  return current ?? null;
}

/**
 * `yaml(text)`: the value of a YAML text, read with the guards of flows (size, depth, aliases,
 * duplicate keys; src/yaml/read.ts), never with the yaml package's recursive parse.
 */
function readYaml(text: string): unknown {
  try {
    return readYamlValue(text);
  } catch (err) {
    if (!(err instanceof TroupeError)) throw err;
    const limit = err.code === 'TROUPE_FLOW_TOO_DEEP' || err.code === 'TROUPE_FLOW_TOO_LARGE' || err.code === 'TROUPE_FLOW_TOO_MANY_ALIASES';
    throw new ExpressionError(limit ? 'TROUPE_EXPR_LIMIT' : 'TROUPE_EXPR_EVALUATION', `yaml(): ${err.message}`);
  }
}

/** Built-in functions by name. */
export const FUNCTIONS: ReadonlyMap<string, FunctionFn> = new Map<string, FunctionFn>([
  ['fromJson', fromJson],
  ['json', fromJson],
  ['yaml', (args, named) => {
    const text = arg(args, named, 0, 'yaml');
    if (text === null || text === undefined) return null;
    if (typeof text !== 'string') throw new ExpressionError('TROUPE_EXPR_TYPE', `yaml() needs a string, got ${typeName(text)}`);
    return readYaml(text);
  }],
  ['range', (args, named, ctx) => {
    return range(arg(args, named, 0, 'start'), arg(args, named, 1, 'end'), arg(args, named, 2, 'step') ?? 1, ctx.budget);
  }],
  ['max', extreme((a, b) => a > b)],
  ['min', extreme((a, b) => a < b)],
  ['now', now],
  ['render', (args, named, ctx) => renderFunction(arg(args, named, 0, 'toRender'), arg(args, named, 1, 'recursive') !== false, ctx)],
  ['renderOnce', (args, named, ctx) => renderFunction(arg(args, named, 0, 'toRender'), false, ctx)],
  ['currentEachOutput', currentEachOutput],
]);

/** The names of all built-in functions, sorted. */
export const FUNCTION_NAMES: readonly string[] = Object.freeze([...FUNCTIONS.keys()].sort());

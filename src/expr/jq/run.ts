/**
 * The jq subset's evaluator: every expression yields a list of outputs (jq's generators), which
 * is also what Kestra's `jq` filter returns. Supported builtins are listed in {@link JQ_BUILTINS}.
 */
import { ExpressionError } from '../../errors.js';
import { MAP_ENTRY_STEPS, type Budget } from '../budget.js';
import { TextWriter, toJson } from '../format.js';
import { javaRegex } from '../regex.js';
import { isMap } from '../values.js';
import { parseJq, type JqNode } from './parse.js';

type Json = unknown;

function jqError(message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_EVALUATION', `jq: ${message}`);
}

function jqType(v: Json): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isMap(v)) return 'object';
  return typeof v;
}

/** jq's total order: null < false < true < numbers < strings < arrays < objects; a step per pair of nodes. */
function order(a: Json, b: Json, budget: Budget): number {
  budget.step(1);
  const rank = (v: Json): number => ['null', 'boolean', 'number', 'string', 'array', 'object'].indexOf(jqType(v)) * 2 + (v === true ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = order(a[i], b[i], budget);
      if (c) return c;
    }
    return a.length - b.length;
  }
  if (isMap(a) && isMap(b)) {
    const c = order(Object.keys(a).sort(), Object.keys(b).sort(), budget);
    if (c) return c;
    for (const k of Object.keys(a).sort()) {
      const d = order(a[k], b[k], budget);
      if (d) return d;
    }
  }
  return 0;
}

const truthy = (v: Json): boolean => v !== null && v !== undefined && v !== false;

function binary(op: string, a: Json, b: Json, budget: Budget): Json {
  switch (op) {
    case '==': return order(a, b, budget) === 0;
    case '!=': return order(a, b, budget) !== 0;
    case '<': return order(a, b, budget) < 0;
    case '<=': return order(a, b, budget) <= 0;
    case '>': return order(a, b, budget) > 0;
    case '>=': return order(a, b, budget) >= 0;
    case '+':
      if (a === null) return b;
      if (b === null) return a;
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      if (typeof a === 'string' && typeof b === 'string') {
        budget.reserveChars(a.length + b.length);
        return a + b;
      }
      if (Array.isArray(a) && Array.isArray(b)) {
        budget.collection(a.length + b.length);
        return [...a, ...b];
      }
      if (isMap(a) && isMap(b)) {
        budget.map(Object.keys(a).length + Object.keys(b).length);
        return { ...a, ...b };
      }
      break;
    case '-':
      if (typeof a === 'number' && typeof b === 'number') return a - b;
      if (Array.isArray(a) && Array.isArray(b)) {
        budget.step(a.length * b.length);
        return a.filter((x) => !b.some((y) => order(x, y, budget) === 0));
      }
      break;
    case '*':
      if (typeof a === 'number' && typeof b === 'number') return a * b;
      break;
    case '/':
      if (typeof a === 'number' && typeof b === 'number') {
        if (b === 0) throw jqError(`${a} and ${b} cannot be divided because the divisor is zero`);
        return a / b;
      }
      if (typeof a === 'string' && typeof b === 'string') {
        const parts = a.split(b, budget.limits.maxCollectionSize + 1);
        budget.collection(parts.length);
        return parts;
      }
      break;
    case '%':
      if (typeof a === 'number' && typeof b === 'number') {
        if (Math.trunc(b) === 0) throw jqError(`${a} and ${b} cannot be divided because the divisor is zero`);
        return Math.trunc(a) % Math.trunc(b);
      }
      break;
  }
  throw jqError(`${jqType(a)} and ${jqType(b)} cannot be combined with '${op}'`);
}

function index(target: Json, key: Json): Json {
  if (target === null || target === undefined) return null;
  if (typeof key === 'string' && isMap(target)) return Object.hasOwn(target, key) ? target[key] : null;
  if (typeof key === 'number' && Array.isArray(target)) {
    const i = Math.floor(key) < 0 ? target.length + Math.floor(key) : Math.floor(key);
    return target[i] ?? null;
  }
  throw jqError(`Cannot index ${jqType(target)} with ${typeof key === 'string' ? `"${key}"` : jqType(key)}`);
}

function values(target: Json): Json[] {
  if (Array.isArray(target)) return target;
  if (isMap(target)) return Object.values(target);
  throw jqError(`Cannot iterate over ${jqType(target)}`);
}

function length(v: Json): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') throw jqError('boolean has no length');
  if (typeof v === 'number') return Math.abs(v);
  if (typeof v === 'string') return [...v].length;
  return values(v).length;
}

/** Names of the supported jq builtins (arity in the name, as jq writes it). */
export const JQ_BUILTINS: readonly string[] = [
  'empty/0', 'not/0', 'length/0', 'keys/0', 'keys_unsorted/0', 'values/0', 'type/0', 'tostring/0', 'tonumber/0',
  'tojson/0', 'fromjson/0', 'add/0', 'first/0', 'last/0', 'first/1', 'last/1', 'sort/0', 'sort_by/1', 'unique/0',
  'reverse/0', 'min/0', 'max/0', 'floor/0', 'ascii_downcase/0', 'ascii_upcase/0', 'to_entries/0', 'from_entries/0',
  'with_entries/1', 'map/1', 'map_values/1', 'select/1', 'has/1', 'contains/1', 'join/1', 'split/1', 'startswith/1',
  'endswith/1', 'test/1', 'test/2', 'any/0', 'all/0', 'flatten/0', 'range/1', 'range/2', 'group_by/1', 'unique_by/1',
  'min_by/1', 'max_by/1', 'ltrimstr/1', 'rtrimstr/1', 'isempty/1', 'limit/2', 'recurse/0',
];

class Runner {
  constructor(private readonly budget: Budget) {}

  private spend(n: number): void {
    this.budget.step(n);
  }

  /** Checks a list of outputs (or elements) about to be built. */
  private many(n: number): void {
    this.budget.collection(n);
  }

  private order(a: Json, b: Json): number {
    return order(a, b, this.budget);
  }

  run(node: JqNode, input: Json): Json[] {
    this.spend(1);
    switch (node.t) {
      case 'identity': return [input];
      case 'recurse': return this.recurse(input, 0, []);
      case 'literal': return [node.value];
      case 'field': return this.optional(node.optional, () => this.run(node.target, input).map((t) => index(t, node.name)));
      case 'index': return this.optional(node.optional, () => this.run(node.target, input).flatMap((t) => this.run(node.index, input).map((k) => index(t, k))));
      case 'slice': return this.optional(node.optional, () => this.run(node.target, input).map((t) => this.slice(t, node, input)));
      case 'iterate': return this.optional(node.optional, () => this.flat(this.run(node.target, input).map(values)));
      case 'pipe': return this.flat(this.run(node.left, input).map((v) => this.run(node.right, v)));
      case 'comma': return this.flat([this.run(node.left, input), this.run(node.right, input)]);
      case 'neg': return this.run(node.operand, input).map((v) => binary('-', 0, v, this.budget));
      case 'array': return [node.body ? this.run(node.body, input) : []];
      case 'object': return this.object(node.entries, input);
      case 'binary': return this.binary(node, input);
      case 'call': return this.call(node.name, node.args, input);
    }
  }

  private optional(optional: boolean, fn: () => Json[]): Json[] {
    if (!optional) return fn();
    try {
      return fn();
    } catch (err) {
      if (err instanceof ExpressionError && err.code === 'TROUPE_EXPR_EVALUATION') return [];
      throw err;
    }
  }

  /** Concatenates lists of outputs, their total checked first. */
  private flat(lists: Json[][]): Json[] {
    if (lists.length === 1) return lists[0] as Json[];
    let total = 0;
    for (const l of lists) total += l.length;
    this.many(total);
    const out: Json[] = [];
    for (const l of lists) for (const v of l) out.push(v);
    return out;
  }

  private recurse(v: Json, depth: number, out: Json[]): Json[] {
    if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'jq: value nests too deep');
    this.spend(1);
    out.push(v);
    if (out.length > this.budget.limits.maxCollectionSize) this.many(out.length);
    if (Array.isArray(v) || isMap(v)) for (const c of values(v)) this.recurse(c, depth + 1, out);
    return out;
  }

  private slice(t: Json, node: Extract<JqNode, { t: 'slice' }>, input: Json): Json {
    if (t === null) return null;
    if (typeof t !== 'string' && !Array.isArray(t)) throw jqError(`Cannot slice ${jqType(t)}`);
    const from = node.from ? this.run(node.from, input)[0] : 0;
    const to = node.to ? this.run(node.to, input)[0] : t.length;
    return t.slice(typeof from === 'number' ? from : 0, typeof to === 'number' ? to : t.length);
  }

  private object(entries: Array<[JqNode, JqNode]>, input: Json): Json[] {
    let acc: Array<Record<string, Json>> = [{}];
    for (const [k, v] of entries) {
      const next: Array<Record<string, Json>> = [];
      const keys = this.run(k, input);
      const vals = this.run(v, input);
      this.many(acc.length * keys.length * vals.length);
      this.spend(acc.length * keys.length * vals.length * entries.length * MAP_ENTRY_STEPS);
      for (const key of keys) {
        if (typeof key !== 'string') throw jqError(`Object keys must be strings, got ${jqType(key)}`);
        for (const value of vals) for (const o of acc) next.push(Object.fromEntries([...Object.entries(o), [key, value]]));
      }
      acc = next;
    }
    return acc;
  }

  private binary(node: Extract<JqNode, { t: 'binary' }>, input: Json): Json[] {
    if (node.op === 'and' || node.op === 'or') {
      return this.run(node.left, input).flatMap((l) => {
        if (node.op === 'and' && !truthy(l)) return [false];
        if (node.op === 'or' && truthy(l)) return [true];
        return this.run(node.right, input).map(truthy);
      });
    }
    if (node.op === '//') {
      const left = this.optional(true, () => this.run(node.left, input)).filter(truthy);
      return left.length ? left : this.run(node.right, input);
    }
    const rights = this.run(node.right, input);
    const lefts = this.run(node.left, input);
    this.many(lefts.length * rights.length);
    const out: Json[] = [];
    for (const l of lefts) for (const r of rights) out.push(binary(node.op, l, r, this.budget));
    return out;
  }

  private arg1(args: JqNode[], input: Json): Json {
    return this.run(args[0] as JqNode, input)[0];
  }

  private by(args: JqNode[], items: Json[]): Array<[Json, Json]> {
    return items.map((x) => [this.run(args[0] as JqNode, x), x]);
  }

  /** A sorted copy by `compare`; the size and the comparisons are spent first. */
  private sorted<T>(items: T[], compare: (a: T, b: T) => number): T[] {
    this.many(items.length);
    this.spend(Math.ceil(items.length * Math.log2(items.length + 1)));
    return [...items].sort(compare);
  }

  private call(name: string, args: JqNode[], input: Json): Json[] {
    const key = `${name}/${args.length}`;
    const f = args[0] as JqNode;
    const b = this.budget;
    const cmp = (x: Json, y: Json): number => this.order(x, y);
    const byKey = (x: [Json, Json], y: [Json, Json]): number => this.order(x[0], y[0]);
    switch (key) {
      case 'empty/0': return [];
      case 'not/0': return [!truthy(input)];
      case 'length/0': return [length(input)];
      case 'keys/0':
      case 'keys_unsorted/0':
        if (Array.isArray(input)) {
          this.many(input.length);
          return [input.map((_, i) => i)];
        }
        if (isMap(input)) return [key === 'keys/0' ? this.sorted(Object.keys(input), (x, y) => (x < y ? -1 : x > y ? 1 : 0)) : Object.keys(input)];
        throw jqError(`${jqType(input)} has no keys`);
      case 'values/0': return truthy(input) ? [input] : [];
      case 'type/0': return [jqType(input)];
      case 'tostring/0': return [typeof input === 'string' ? input : toJson(input, b)];
      case 'tonumber/0': {
        const n = typeof input === 'number' ? input : Number(input);
        if (typeof input !== 'number' && (typeof input !== 'string' || input.trim() === '' || Number.isNaN(n))) throw jqError(`Cannot parse '${String(input)}' as a number`);
        return [n];
      }
      case 'tojson/0': return [toJson(input, b)];
      case 'fromjson/0': return [JSON.parse(String(input)) as Json];
      case 'add/0': return [values(input).reduce((acc: Json, v) => binary('+', acc, v, b), null)];
      case 'first/0': return [index(input, 0)];
      case 'last/0': return [index(input, -1)];
      case 'first/1': return this.run(f, input).slice(0, 1);
      case 'last/1': return this.run(f, input).slice(-1);
      case 'sort/0': return [this.sorted(values(input), cmp)];
      case 'sort_by/1': return [this.sorted(this.by(args, values(input)), byKey).map((e) => e[1])];
      case 'group_by/1': {
        const sorted = this.sorted(this.by(args, values(input)), byKey);
        const groups: Json[][] = [];
        sorted.forEach(([k, v], i) => (i > 0 && cmp(k, sorted[i - 1]![0]) === 0 ? groups[groups.length - 1]!.push(v) : groups.push([v])));
        return [groups];
      }
      case 'unique/0': return [this.sorted(values(input), cmp).filter((v, i, a) => i === 0 || cmp(v, a[i - 1]) !== 0)];
      case 'unique_by/1': {
        const sorted = this.sorted(this.by(args, values(input)), byKey);
        return [sorted.filter((e, i) => i === 0 || cmp(e[0], sorted[i - 1]![0]) !== 0).map((e) => e[1])];
      }
      case 'min/0': return [this.sorted(values(input), cmp)[0] ?? null];
      case 'max/0': return [this.sorted(values(input), cmp).at(-1) ?? null];
      case 'min_by/1': return [this.sorted(this.by(args, values(input)), byKey)[0]?.[1] ?? null];
      case 'max_by/1': return [this.sorted(this.by(args, values(input)), byKey).at(-1)?.[1] ?? null];
      case 'reverse/0': {
        if (typeof input === 'string') return [[...input].reverse().join('')];
        if (input === null) return [[]];
        const items = values(input);
        this.many(items.length);
        return [[...items].reverse()];
      }
      case 'floor/0': return [Math.floor(Number(input))];
      case 'ascii_downcase/0': return [b.string(String(input).toLowerCase())];
      case 'ascii_upcase/0': return [b.string(String(input).toUpperCase())];
      case 'to_entries/0': {
        const entries = isMap(input) ? Object.entries(input).map(([k, value]) => ({ key: k, value })) : values(input).map((value, k) => ({ key: k, value }));
        this.many(entries.length * 3);
        return [entries];
      }
      case 'from_entries/0': {
        const items = values(input);
        this.many(items.length);
        return [Object.fromEntries(items.map((e) => {
          const en = isMap(e) ? e : {};
          return [String(en['key'] ?? en['k'] ?? en['name'] ?? en['Name'] ?? en['Key'] ?? ''), en['value'] ?? en['v'] ?? en['Value'] ?? null];
        }))];
      }
      case 'with_entries/1': return this.call('from_entries', [], this.run({ t: 'call', name: 'map', args }, this.call('to_entries', [], input)[0])[0]);
      case 'map/1': return [this.flat(values(input).map((v) => this.run(f, v)))];
      case 'map_values/1':
        if (isMap(input)) return [Object.fromEntries(Object.entries(input).flatMap(([k, v]) => this.run(f, v).slice(0, 1).map((x) => [k, x])))];
        return [values(input).flatMap((v) => this.run(f, v).slice(0, 1))];
      case 'select/1': return this.run(f, input).some(truthy) ? [input] : [];
      case 'has/1': {
        const k = this.arg1(args, input);
        if (isMap(input) && typeof k === 'string') return [Object.hasOwn(input, k)];
        if (Array.isArray(input) && typeof k === 'number') return [k >= 0 && k < input.length];
        throw jqError(`Cannot check whether ${jqType(input)} has a ${jqType(k)} key`);
      }
      case 'contains/1': return [containsJq(input, this.arg1(args, input), b)];
      case 'join/1': {
        const sep = String(this.arg1(args, input));
        const w = new TextWriter(b);
        values(input).forEach((v, i) => {
          b.step(1);
          if (i > 0) w.push(sep);
          w.push(v === null ? '' : typeof v === 'string' ? v : toJson(v, b));
        });
        return [w.result()];
      }
      case 'split/1': return [binary('/', String(input), String(this.arg1(args, input)), b)];
      case 'startswith/1': return [String(input).startsWith(String(this.arg1(args, input)))];
      case 'endswith/1': return [String(input).endsWith(String(this.arg1(args, input)))];
      case 'ltrimstr/1': { const p = String(this.arg1(args, input)); return [typeof input === 'string' && input.startsWith(p) ? input.slice(p.length) : input]; }
      case 'rtrimstr/1': { const p = String(this.arg1(args, input)); return [typeof input === 'string' && input.endsWith(p) && p ? input.slice(0, -p.length) : input]; }
      case 'test/1':
      case 'test/2': {
        if (typeof input !== 'string') throw jqError(`${jqType(input)} cannot be matched, as it is not a string`);
        const re = String(this.arg1(args, input));
        const flags = args.length === 2 ? this.run(args[1] as JqNode, input)[0] : null;
        return [javaRegex(re, regexFlags(flags)).test(input)];
      }
      case 'any/0': return [values(input).some(truthy)];
      case 'all/0': return [values(input).every(truthy)];
      case 'flatten/0': return [this.flat(values(input).map((v) => (Array.isArray(v) ? v : [v])))];
      case 'isempty/1': return [this.run(f, input).length === 0];
      case 'limit/2': { const n = Number(this.arg1(args, input)); return this.run(args[1] as JqNode, input).slice(0, Math.max(0, n)); }
      case 'recurse/0': return this.recurse(input, 0, []);
      case 'range/1':
      case 'range/2': {
        const from = args.length === 2 ? Number(this.arg1(args, input)) : 0;
        const to = Number(this.run(args[args.length - 1] as JqNode, input)[0]);
        const size = Math.max(0, Math.ceil(to - from));
        this.many(size);
        const out: number[] = [];
        for (let i = from; i < to; i++) out.push(i);
        return out;
      }
      default:
        throw jqError(`${key} is not defined (supported: ${JQ_BUILTINS.join(', ')})`);
    }
  }
}

/** The flags of jq's `test(re; flags)`: `i` (ignore case), `x` (extended), `g` and `n` (no effect on a test). */
function regexFlags(flags: Json): { caseInsensitive: boolean; comments: boolean } {
  if (flags === null || flags === undefined) return { caseInsensitive: false, comments: false };
  if (typeof flags !== 'string') throw jqError(`${jqType(flags)} is not a string of regex flags`);
  for (const c of flags) if (!'gixn'.includes(c)) throw jqError(`${flags} is not a valid modifier string (supported: g, i, x, n)`);
  return { caseInsensitive: flags.includes('i'), comments: flags.includes('x') };
}

function containsJq(a: Json, b: Json, budget: Budget): boolean {
  budget.step(1);
  if (typeof a === 'string' && typeof b === 'string') return a.includes(b);
  if (Array.isArray(a) && Array.isArray(b)) return b.every((y) => a.some((x) => containsJq(x, y, budget)));
  if (isMap(a) && isMap(b)) return Object.keys(b).every((k) => Object.hasOwn(a, k) && containsJq(a[k], b[k], budget));
  return order(a, b, budget) === 0;
}

const cache = new Map<string, JqNode>();

/** Runs a jq expression on a JSON-shaped value within the render's budget; returns every output. */
export function runJq(expression: string, input: Json, budget: Budget): Json[] {
  let node = cache.get(expression);
  if (!node) {
    node = parseJq(expression);
    if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    cache.set(expression, node);
  }
  return new Runner(budget).run(node, input);
}

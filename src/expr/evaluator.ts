/**
 * The tree-walking evaluator: runs a parsed template over plain data into an {@link Output}.
 * Strict variables: a missing root variable or attribute throws TROUPE_EXPR_UNDEFINED_VARIABLE,
 * except under `is defined`, `??`, `???` and the `default` filter. Nothing from the data is ever
 * called; `{% set %}` writes only into the evaluator's own scope maps.
 */
import { ExpressionError, TroupeError } from '../errors.js';
import type { Args, Expr, Node } from './ast.js';
import type { Budget } from './budget.js';
import type { EvalContext } from './context.js';
import { exprError, lineAt, shorten, undefinedError } from './diagnostics.js';
import { FILTERS } from './filters/index.js';
import { FUNCTIONS } from './functions/index.js';
import type { ResolvedRenderOptions } from './context.js';
import { arithmetic, compare, concat, contains, negate, range, truthy, valuesEqual } from './operators.js';
import type { Output } from './output.js';
import { StringOutput } from './output.js';
import { getAttribute, readOwn } from './sandbox.js';
import { TESTS } from './tests.js';
import { printValue } from './format.js';
import { isMap, toPlain, typeName } from './values.js';

/** Compiles a nested template (injected to avoid an import cycle with the cache). */
export type Compile = (source: string) => { readonly nodes: Node[] };

/** Evaluates one template; one instance per render (nested renders get their own). */
export class Evaluator implements EvalContext {
  private readonly scopes: Array<Map<string, unknown>>;
  /** Index of this template's own top-level scope (nested renders never write to their parent's). */
  private readonly ownScope: number;
  private readonly maxDepth: number;
  private readonly maxSteps: number;
  private readonly maxOutputChars: number;
  private readonly maxBuiltChars: number;

  constructor(
    readonly template: string,
    readonly variables: Readonly<Record<string, unknown>>,
    readonly options: ResolvedRenderOptions,
    readonly budget: Budget,
    private readonly compile: Compile,
    parentScopes: Array<Map<string, unknown>> = [],
  ) {
    this.scopes = [...parentScopes, new Map()];
    this.ownScope = parentScopes.length;
    const limits = options.limits;
    this.maxDepth = limits.maxDepth;
    this.maxSteps = limits.maxSteps;
    this.maxOutputChars = limits.maxOutputChars;
    this.maxBuiltChars = limits.maxBuiltChars;
  }

  lookup(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, unknown>;
      if (scope.has(name)) return scope.get(name);
    }
    return readOwn(this.variables, name);
  }

  renderNested(source: string): string {
    if (!source.includes('{')) return source;
    const nested = new Evaluator(source, this.variables, this.options, this.budget, this.compile, this.scopes);
    const out = new StringOutput(this.budget);
    nested.run(this.compile(source).nodes, out, 0);
    return out.result();
  }

  tick(n: number): void {
    this.budget.tick(n);
  }

  checkString(s: string): string {
    return this.budget.string(s);
  }

  /** Counts a string of `length` characters as built (checked against the string limits). */
  private chars(length: number, pos: number): void {
    const budget = this.budget;
    if (length <= this.maxOutputChars && budget.chars + length <= this.maxBuiltChars) budget.chars += length;
    else this.wrap(() => budget.reserveChars(length), pos);
  }

  /** `==`: scalars directly, collections deeply within the budget. */
  private equal(a: unknown, b: unknown, pos: number): boolean {
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return valuesEqual(a, b, this.budget);
    return this.wrap(() => valuesEqual(a, b, this.budget), pos);
  }

  private limit(message: string, pos: number): ExpressionError {
    return exprError('TROUPE_EXPR_LIMIT', message, this.template, pos);
  }

  private enter(pos: number): void {
    const budget = this.budget;
    if (++budget.depth > this.maxDepth) {
      throw this.limit(`Template evaluation exceeds the depth limit of ${this.maxDepth} (maxDepth)`, pos);
    }
    if (++budget.steps > this.maxSteps) this.wrap(() => budget.step(0), pos);
  }

  /** Runs nodes into `out`. */
  run(nodes: Node[], out: Output, pos: number): void {
    this.enter(pos);
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          out.text(node.text);
          break;
        case 'print':
          out.value(this.evaluate(node.expr));
          break;
        case 'if': {
          const branch = node.branches.find((b) => truthy(this.evaluate(b.cond)));
          const body = branch ? branch.body : node.otherwise;
          if (body) this.run(body, out, node.pos);
          break;
        }
        case 'for':
          this.runFor(node, out);
          break;
        case 'set':
          this.assign(node.name, this.evaluate(node.value));
          break;
        case 'filterBlock': {
          const inner = new StringOutput(this.budget);
          this.run(node.body, inner, node.pos);
          let value: unknown = inner.result();
          for (const f of node.filters) value = this.applyFilter(f.name, value, f.args, f.pos);
          out.value(value);
          break;
        }
      }
    }
    this.budget.depth--;
  }

  private assign(name: string, value: unknown): void {
    for (let i = this.scopes.length - 1; i >= this.ownScope; i--) {
      const scope = this.scopes[i] as Map<string, unknown>;
      if (scope.has(name)) {
        scope.set(name, value);
        return;
      }
    }
    (this.scopes[this.scopes.length - 1] as Map<string, unknown>).set(name, value);
  }

  private runFor(node: Extract<Node, { kind: 'for' }>, out: Output): void {
    const iterable = this.evaluate(node.iterable);
    let items: Array<[unknown, unknown]>;
    if (iterable === null || iterable === undefined) items = [];
    else if (Array.isArray(iterable)) items = iterable.map((v, i) => [i, v]);
    else if (isMap(iterable)) items = Object.keys(iterable).map((k) => [k, readOwn(iterable, k)]);
    else throw exprError('TROUPE_EXPR_TYPE', `Cannot iterate over a ${typeName(iterable)} in a for loop`, this.template, node.iterable.pos);
    if (items.length === 0) {
      if (node.otherwise) this.run(node.otherwise, out, node.pos);
      return;
    }
    const scope = new Map<string, unknown>();
    this.scopes.push(scope);
    try {
      const length = items.length;
      const byEntry = isMap(iterable);
      items.forEach(([key, value], index) => {
        this.tick(1);
        if (node.keyVar !== undefined) {
          scope.set(node.keyVar, key);
          scope.set(node.valueVar, value);
        } else {
          scope.set(node.valueVar, byEntry ? { key, value } : value);
        }
        scope.set('loop', { index, length, first: index === 0, last: index === length - 1, revindex: length - index - 1 });
        this.run(node.body, out, node.pos);
      });
    } finally {
      this.scopes.pop();
    }
  }

  /** Evaluates an expression (strict). */
  evaluate(expr: Expr): unknown {
    this.enter(expr.pos);
    const v = this.evalInner(expr);
    this.budget.depth--;
    return v;
  }

  /** Evaluates, turning a strict-variables failure into `undefined`. */
  private evalLenient(expr: Expr): unknown {
    const depth = this.budget.depth;
    try {
      return this.evaluate(expr);
    } catch (err) {
      this.budget.depth = depth;
      if (err instanceof TroupeError && err.code === 'TROUPE_EXPR_UNDEFINED_VARIABLE') return undefined;
      throw err;
    }
  }

  private evalInner(e: Expr): unknown {
    switch (e.kind) {
      case 'literal':
        return e.value;
      case 'interp': {
        const parts = e.parts.map((p) => (typeof p === 'string' ? p : printValue(this.evaluate(p), this.budget)));
        let length = 0;
        for (const p of parts) length += p.length;
        this.chars(length, e.pos);
        return parts.join('');
      }
      case 'var': {
        const v = this.lookup(e.name);
        if (v === undefined) throw undefinedError(e.name, this.template, e.pos);
        return v;
      }
      case 'attr':
        return this.evalAttr(e);
      case 'list':
        return e.items.map((x) => this.evaluate(x));
      case 'map': {
        const entries = e.entries.map(([k, v]): [string, unknown] => [this.wrap(() => printValue(this.evaluate(k), this.budget), e.pos), this.evaluate(v)]);
        return Object.fromEntries(entries);
      }
      case 'unary': {
        const v = this.evaluate(e.operand);
        return e.op === 'not' ? !truthy(v) : e.op === '-' ? this.wrap(() => negate(v), e.pos) : v;
      }
      case 'binary':
        return this.evalBinary(e);
      case 'ternary':
        return truthy(this.evaluate(e.cond)) ? this.evaluate(e.then) : this.evaluate(e.otherwise);
      case 'test':
        return this.evalTest(e);
      case 'filter': {
        const input = e.name === 'default' ? this.evalLenient(e.input) : this.evaluate(e.input);
        return this.applyFilter(e.name, input, e.args, e.pos);
      }
      case 'call':
        return this.callFunction(e.name, e.args, e.pos);
    }
  }

  private evalAttr(e: Extract<Expr, { kind: 'attr' }>): unknown {
    const obj = this.evaluate(e.object);
    const key = this.evaluate(e.key);
    const v = this.wrap(() => getAttribute(obj, key), e.pos);
    if (v === undefined) throw undefinedError(this.wrap(() => printValue(key, this.budget), e.pos), this.template, e.pos);
    return v;
  }

  private evalBinary(e: Extract<Expr, { kind: 'binary' }>): unknown {
    switch (e.op) {
      case 'and':
        return truthy(this.evaluate(e.left)) && truthy(this.evaluate(e.right));
      case 'or':
        return truthy(this.evaluate(e.left)) || truthy(this.evaluate(e.right));
      case '??': {
        const left = this.evalLenient(e.left);
        return left === null || left === undefined ? this.evaluate(e.right) : left;
      }
      case '???': {
        const left = this.evalLenient(e.left);
        return left === undefined ? this.evaluate(e.right) : left;
      }
      default:
        break;
    }
    const a = this.evaluate(e.left);
    const b = this.evaluate(e.right);
    switch (e.op) {
      case '==':
        return this.equal(a, b, e.pos);
      case '!=':
        return !this.equal(a, b, e.pos);
      case '<':
      case '>':
      case '<=':
      case '>=':
        return this.wrap(() => compare(e.op as '<', a, b), e.pos);
      case 'contains':
        return this.wrap(() => contains(a, b, this.budget), e.pos);
      case 'in':
        return this.wrap(() => contains(b, a, this.budget), e.pos);
      case '~':
        if (typeof a !== 'object' && typeof b !== 'object') {
          const left = printValue(a, this.budget);
          const right = printValue(b, this.budget);
          this.chars(left.length + right.length, e.pos);
          return left + right;
        }
        return this.wrap(() => concat(printValue(a, this.budget), printValue(b, this.budget), this.budget), e.pos);
      case '..': {
        return this.wrap(() => range(a, b, 1, this.budget), e.pos);
      }
      default:
        return this.wrap(() => arithmetic(e.op as '+', a, b, this.budget), e.pos);
    }
  }

  private evalTest(e: Extract<Expr, { kind: 'test' }>): boolean {
    let result: boolean;
    if (e.name === 'defined') {
      result = this.evalLenient(e.operand) !== undefined;
    } else {
      const test = TESTS.get(e.name);
      if (!test) throw exprError('TROUPE_EXPR_UNKNOWN_FILTER', `Unknown test '${e.name}' (${this.where(e.pos)})`, this.template, e.pos);
      const value = this.evaluate(e.operand);
      const { positional } = this.evalArgs(e.args);
      result = this.wrap(() => test(value, positional), e.pos);
    }
    return e.negated ? !result : result;
  }

  private evalArgs(args: Args): { positional: unknown[]; named: Record<string, unknown> } {
    const named = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of args.named) named[k] = this.evaluate(v);
    return { positional: args.positional.map((a) => this.evaluate(a)), named };
  }

  private applyFilter(name: string, input: unknown, args: Args, pos: number): unknown {
    const filter = FILTERS.get(name);
    if (!filter) throw exprError('TROUPE_EXPR_UNKNOWN_FILTER', `Unknown filter '${name}' (${this.where(pos)})`, this.template, pos);
    const { positional, named } = this.evalArgs(args);
    const out = this.wrap(() => filter(input, positional, named, this), pos);
    if (typeof out === 'string' && out !== input) this.chars(out.length, pos);
    return out;
  }

  private callFunction(name: string, args: Args, pos: number): unknown {
    const { positional, named } = this.evalArgs(args);
    const host = this.options.functions[name];
    if (host) {
      return this.wrap(() => host(positional.map((a) => toPlain(a, this.budget)), toPlain(named, this.budget) as Record<string, unknown>, this), pos);
    }
    const fn = FUNCTIONS.get(name);
    if (!fn) throw exprError('TROUPE_EXPR_UNKNOWN_FUNCTION', `Unknown function '${name}' (${this.where(pos)})`, this.template, pos);
    const out = this.wrap(() => fn(positional, named, this), pos);
    if (typeof out === 'string') this.chars(out.length, pos);
    return out;
  }

  private where(pos: number): string {
    return `${shorten(this.template)}:${lineAt(this.template, pos)}`;
  }

  /**
   * Runs an operation, adding the template and line to errors raised without them, and turning
   * anything else thrown (a bug or a host function's failure) into TROUPE_EXPR_EVALUATION.
   */
  private wrap<T>(fn: () => T, pos: number): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ExpressionError && err.details?.['template'] !== undefined) throw err;
      if (err instanceof TroupeError && err.code !== 'TROUPE_EXPR_EVALUATION' && !err.code.startsWith('TROUPE_EXPR_')) throw err;
      const code = err instanceof TroupeError ? err.code : 'TROUPE_EXPR_EVALUATION';
      const message = err instanceof Error ? err.message : String(err);
      const wrapped = exprError(code, `${message} (${this.where(pos)})`, this.template, pos);
      if (err instanceof Error) Object.defineProperty(wrapped, 'cause', { value: err });
      throw wrapped;
    }
  }
}

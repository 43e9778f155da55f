/**
 * Where rendered pieces go: a string (string render) or a list of typed pieces (typed render).
 */
import { ExpressionError, TroupeError } from '../errors.js';
import type { Budget } from './budget.js';
import { printValue } from './format.js';
import { concat } from './operators.js';
import { isNumber, isFloat, makeFloat, num, toPlain, typeName } from './values.js';

/** A sink for template output. */
export interface Output {
  text(s: string): void;
  value(v: unknown): void;
}

/** Collects string output, enforcing the output-size limit. */
export class StringOutput implements Output {
  private parts: string[] = [];
  private size = 0;

  private readonly maxChars: number;

  constructor(private readonly budget: Budget) {
    this.maxChars = budget.limits.maxOutputChars;
  }

  text(s: string): void {
    this.size += s.length;
    if (this.size > this.maxChars) {
      throw new ExpressionError('TROUPE_EXPR_LIMIT', `Rendered output exceeds the limit of ${this.maxChars} characters`);
    }
    this.parts.push(s);
  }

  value(v: unknown): void {
    this.text(printValue(v, this.budget));
  }

  result(): string {
    if (this.parts.length === 1) return this.parts[0] as string;
    this.budget.reserveChars(this.size);
    return this.parts.join('');
  }
}

const NOTHING = Symbol('nothing');

/**
 * Typed render (Kestra §5.3): a single piece keeps its type; after a string piece, later pieces
 * are concatenated; two numbers are summed; other combinations fail.
 */
export class TypedOutput implements Output {
  private acc: unknown = NOTHING;

  constructor(private readonly budget: Budget) {}

  text(s: string): void {
    this.value(s);
  }

  value(v: unknown): void {
    if (this.acc === NOTHING) {
      this.acc = v;
      return;
    }
    const acc = this.acc;
    if (typeof acc === 'string') this.acc = concat(acc, printValue(v, this.budget), this.budget);
    else if (acc === null || acc === undefined) this.acc = printValue(v, this.budget);
    else if (isNumber(acc) && isNumber(v) && isFloat(acc) === isFloat(v)) {
      this.acc = isFloat(acc) ? makeFloat(num(acc) + num(v)) : num(acc) + num(v);
    } else {
      throw new TroupeError('TROUPE_EXPR_TYPE', `Tried to add ${typeName(v)} to ${typeName(acc)}`);
    }
  }

  result(): unknown {
    return this.acc === NOTHING ? '' : toPlain(this.acc, this.budget);
  }
}

/**
 * Where rendered pieces go: a string (string render) or a list of typed pieces (typed render).
 */
import { ExpressionError, TroupeError } from '../errors.js';
import { printValue } from './format.js';
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

  constructor(private readonly maxChars: number) {}

  text(s: string): void {
    this.size += s.length;
    if (this.size > this.maxChars) {
      throw new ExpressionError('TROUPE_EXPR_LIMIT', `Rendered output exceeds the limit of ${this.maxChars} characters`);
    }
    this.parts.push(s);
  }

  value(v: unknown): void {
    this.text(printValue(v));
  }

  result(): string {
    return this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
  }
}

const NOTHING = Symbol('nothing');

/**
 * Typed render (Kestra §5.3): a single piece keeps its type; after a string piece, later pieces
 * are concatenated; two numbers are summed; other combinations fail.
 */
export class TypedOutput implements Output {
  private acc: unknown = NOTHING;

  constructor(private readonly maxChars: number) {}

  text(s: string): void {
    this.value(s);
  }

  value(v: unknown): void {
    if (this.acc === NOTHING) {
      this.acc = v;
      return;
    }
    const acc = this.acc;
    if (typeof acc === 'string') this.acc = acc + printValue(v);
    else if (acc === null || acc === undefined) this.acc = printValue(v);
    else if (isNumber(acc) && isNumber(v) && isFloat(acc) === isFloat(v)) {
      this.acc = isFloat(acc) ? makeFloat(num(acc) + num(v)) : num(acc) + num(v);
    } else {
      throw new TroupeError('TROUPE_EXPR_TYPE', `Tried to add ${typeName(v)} to ${typeName(acc)}`);
    }
    if (typeof this.acc === 'string' && this.acc.length > this.maxChars) {
      throw new ExpressionError('TROUPE_EXPR_LIMIT', `Rendered output exceeds the limit of ${this.maxChars} characters`);
    }
  }

  result(): unknown {
    return this.acc === NOTHING ? '' : toPlain(this.acc);
  }
}

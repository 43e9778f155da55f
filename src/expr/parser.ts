/**
 * The parser: tokens → {@link Node} tree, with Pebble's operator precedences (higher binds
 * tighter): `or` 10, `and` 15, `is`/`is not`/`contains` 20, comparisons and `equals` 30, `+ -` 40,
 * `* / %` 60, `|` 100, `~` 110, `..` `??` `???` 120; unary `not` 5, unary `- +` 500; the ternary
 * `? :` binds loosest. Recursion is bounded by `maxDepth` so hostile nesting fails cleanly.
 */
import type { Args, BinaryOp, Expr, FilterCall, Node } from './ast.js';
import { exprError, syntaxError } from './diagnostics.js';
import { lexExpression, lexTemplate, type StringPart, type Token } from './lexer.js';
import { makeFloat } from './values.js';

/** Parser nesting cap (expressions and tags). */
export const MAX_PARSE_DEPTH = 200;

const BINARY: Record<string, { prec: number; op: BinaryOp | 'is' | '|' }> = {
  or: { prec: 10, op: 'or' },
  and: { prec: 15, op: 'and' },
  is: { prec: 20, op: 'is' },
  contains: { prec: 20, op: 'contains' },
  in: { prec: 20, op: 'in' },
  '==': { prec: 30, op: '==' },
  equals: { prec: 30, op: '==' },
  '!=': { prec: 30, op: '!=' },
  '<': { prec: 30, op: '<' },
  '>': { prec: 30, op: '>' },
  '<=': { prec: 30, op: '<=' },
  '>=': { prec: 30, op: '>=' },
  '+': { prec: 40, op: '+' },
  '-': { prec: 40, op: '-' },
  '*': { prec: 60, op: '*' },
  '/': { prec: 60, op: '/' },
  '%': { prec: 60, op: '%' },
  '|': { prec: 100, op: '|' },
  '~': { prec: 110, op: '~' },
  '..': { prec: 120, op: '..' },
  '??': { prec: 120, op: '??' },
  '???': { prec: 120, op: '???' },
};

const LITERAL_NAMES: Record<string, unknown> = { true: true, false: false, null: null, none: null };
const FORBIDDEN_TAGS = new Set(['autoescape', 'extends', 'embed', 'flush', 'import', 'include', 'parallel', 'cache', 'from']);

/** Parses a whole template into nodes. */
export function parseTemplate(source: string): Node[] {
  const parser = new Parser(source, lexTemplate(source));
  const nodes = parser.parseBody([]);
  parser.expectEnd();
  return nodes;
}

class Parser {
  private i = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private get tok(): Token {
    return this.tokens[this.i] as Token;
  }

  private peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.tok;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private isPunct(value: string): boolean {
    return this.tok.type === 'punct' && this.tok.value === value;
  }

  private isName(value: string): boolean {
    return this.tok.type === 'name' && this.tok.value === value;
  }

  private expectPunct(value: string): Token {
    if (!this.isPunct(value)) throw this.unexpected(`'${value}'`);
    return this.next();
  }

  private expectName(what = 'a name'): string {
    if (this.tok.type !== 'name') throw this.unexpected(what);
    return this.next().value;
  }

  private unexpected(expected: string): Error {
    const t = this.tok;
    const found = t.type === 'eof' ? 'end of template' : `'${t.value}'`;
    return syntaxError(`Unexpected ${found}, expected ${expected}`, this.source, t.pos);
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_PARSE_DEPTH) {
      throw exprError('TROUPE_EXPR_LIMIT', `Template nesting exceeds the depth limit of ${MAX_PARSE_DEPTH}`, this.source, pos);
    }
  }

  expectEnd(): void {
    if (this.tok.type !== 'eof') throw this.unexpected('end of template');
  }

  /** Parses nodes until a tag named in `endTags` (left unconsumed, after its `{%`) or EOF. */
  parseBody(endTags: string[]): Node[] {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.tok;
      if (t.type === 'eof') {
        if (endTags.length) throw this.unexpected(`{% ${endTags.join(' or ')} %}`);
        return nodes;
      }
      if (t.type === 'text') {
        nodes.push({ kind: 'text', text: this.next().value });
      } else if (t.type === 'printOpen') {
        this.next();
        const expr = this.parseExpression();
        if (this.tok.type !== 'printClose') throw this.unexpected("'}}'");
        this.next();
        nodes.push({ kind: 'print', expr, pos: t.pos });
      } else if (t.type === 'tagOpen') {
        const name = this.peek();
        if (name.type === 'name' && endTags.includes(name.value)) return nodes;
        this.next();
        nodes.push(this.parseTag(t.pos));
      } else {
        throw this.unexpected('text or a tag');
      }
    }
  }

  private endTag(): void {
    if (this.tok.type !== 'tagClose') throw this.unexpected("'%}'");
    this.next();
  }

  /** Consumes `{% name` … `%}` of a closing or middle tag. */
  private closingTag(name: string): void {
    this.next(); // {%
    if (!this.isName(name)) throw this.unexpected(name);
    this.next();
  }

  private parseTag(pos: number): Node {
    const name = this.expectName('a tag name');
    this.enter(pos);
    try {
      switch (name) {
        case 'if':
          return this.parseIf(pos);
        case 'for':
          return this.parseFor(pos);
        case 'set': {
          const variable = this.expectName('a variable name');
          this.expectPunct('=');
          const value = this.parseExpression();
          this.endTag();
          return { kind: 'set', name: variable, value, pos };
        }
        case 'filter':
          return this.parseFilterBlock(pos);
        default:
          if (FORBIDDEN_TAGS.has(name)) throw syntaxError(`Tag '${name}' is not available`, this.source, pos);
          throw syntaxError(`Unknown tag '${name}'`, this.source, pos);
      }
    } finally {
      this.depth--;
    }
  }

  private parseIf(pos: number): Node {
    const branches: Array<{ cond: Expr; body: Node[] }> = [];
    let cond = this.parseExpression();
    this.endTag();
    let otherwise: Node[] | undefined;
    for (;;) {
      const body = this.parseBody(['elseif', 'elif', 'else', 'endif']);
      branches.push({ cond, body });
      const tag = this.peek().value;
      this.closingTag(tag);
      if (tag === 'endif') break;
      if (tag === 'else') {
        this.endTag();
        otherwise = this.parseBody(['endif']);
        this.closingTag('endif');
        break;
      }
      cond = this.parseExpression();
      this.endTag();
    }
    this.endTag();
    return { kind: 'if', branches, otherwise, pos };
  }

  private parseFor(pos: number): Node {
    let keyVar: string | undefined;
    let valueVar = this.expectName('a loop variable');
    if (this.isPunct(',')) {
      this.next();
      keyVar = valueVar;
      valueVar = this.expectName('a loop variable');
    }
    if (!this.isName('in')) throw this.unexpected("'in'");
    this.next();
    const iterable = this.parseExpression();
    this.endTag();
    const body = this.parseBody(['else', 'endfor']);
    let otherwise: Node[] | undefined;
    if (this.peek().value === 'else') {
      this.closingTag('else');
      this.endTag();
      otherwise = this.parseBody(['endfor']);
    }
    this.closingTag('endfor');
    this.endTag();
    return { kind: 'for', keyVar, valueVar, iterable, body, otherwise, pos };
  }

  private parseFilterBlock(pos: number): Node {
    const filters: FilterCall[] = [];
    do {
      if (filters.length) this.next();
      const at = this.tok.pos;
      const name = this.expectName('a filter name');
      filters.push({ name, args: this.isPunct('(') ? this.parseArgs() : emptyArgs(), pos: at });
    } while (this.isPunct('|'));
    this.endTag();
    const body = this.parseBody(['endfilter']);
    this.closingTag('endfilter');
    this.endTag();
    return { kind: 'filterBlock', filters, body, pos };
  }

  /** expression := binary (`?` expression `:` expression)? */
  parseExpression(): Expr {
    this.enter(this.tok.pos);
    try {
      const cond = this.parseBinary(0);
      if (!this.isPunct('?')) return cond;
      this.next();
      const then = this.parseExpression();
      this.expectPunct(':');
      const otherwise = this.parseExpression();
      return { kind: 'ternary', cond, then, otherwise, pos: cond.pos };
    } finally {
      this.depth--;
    }
  }

  private binaryAt(): { prec: number; op: BinaryOp | 'is' | '|' } | undefined {
    const t = this.tok;
    if (t.type !== 'punct' && t.type !== 'name') return undefined;
    return Object.hasOwn(BINARY, t.value) ? BINARY[t.value] : undefined;
  }

  private parseBinary(minPrec: number): Expr {
    this.enter(this.tok.pos);
    try {
      let left = this.parseUnary();
      for (let op = this.binaryAt(); op && op.prec >= minPrec; op = this.binaryAt()) {
        const at = this.next().pos;
        if (op.op === '|') {
          const name = this.expectName('a filter name');
          left = { kind: 'filter', name, input: left, args: this.isPunct('(') ? this.parseArgs() : emptyArgs(), pos: at };
        } else if (op.op === 'is') {
          const negated = this.isName('not');
          if (negated) this.next();
          const name = this.expectName('a test name');
          const args = this.isPunct('(') ? this.parseArgs() : emptyArgs();
          left = { kind: 'test', name, negated, operand: left, args, pos: at };
        } else {
          const right = this.parseBinary(op.prec + 1);
          left = { kind: 'binary', op: op.op, left, right, pos: at };
        }
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Expr {
    const t = this.tok;
    if (this.isName('not')) {
      this.next();
      return { kind: 'unary', op: 'not', operand: this.parseBinary(5), pos: t.pos };
    }
    if (this.isPunct('-') || this.isPunct('+')) {
      this.next();
      return { kind: 'unary', op: t.value as '-' | '+', operand: this.parseBinary(500), pos: t.pos };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.tok;
      if (this.isPunct('.')) {
        this.next();
        const key = this.tok;
        if (key.type !== 'name' && key.type !== 'number') throw this.unexpected('an attribute name');
        this.next();
        if (this.isPunct('(')) {
          throw exprError('TROUPE_EXPR_FORBIDDEN', `Method calls are not allowed in templates: '${key.value}(…)'`, this.source, key.pos);
        }
        expr = { kind: 'attr', object: expr, key: { kind: 'literal', value: key.value, pos: key.pos }, pos: key.pos };
      } else if (this.isPunct('[')) {
        this.next();
        const key = this.parseExpression();
        this.expectPunct(']');
        expr = { kind: 'attr', object: expr, key, pos: t.pos };
      } else {
        return expr;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    switch (t.type) {
      case 'number':
        this.next();
        return { kind: 'literal', value: t.float ? makeFloat(Number(t.value)) : Number(t.value), pos: t.pos };
      case 'string':
        this.next();
        return t.parts ? this.parseInterpolation(t.parts, t.pos) : { kind: 'literal', value: t.value, pos: t.pos };
      case 'name':
        this.next();
        if (Object.hasOwn(LITERAL_NAMES, t.value)) return { kind: 'literal', value: LITERAL_NAMES[t.value], pos: t.pos };
        if (this.isPunct('(')) return { kind: 'call', name: t.value, args: this.parseArgs(), pos: t.pos };
        return { kind: 'var', name: t.value, pos: t.pos };
      case 'punct':
        if (t.value === '(') {
          this.next();
          const inner = this.parseExpression();
          this.expectPunct(')');
          return inner;
        }
        if (t.value === '[') return this.parseList();
        if (t.value === '{') return this.parseMap();
        break;
      default:
        break;
    }
    throw this.unexpected('an expression');
  }

  private parseList(): Expr {
    const pos = this.next().pos;
    const items: Expr[] = [];
    while (!this.isPunct(']')) {
      if (items.length) this.expectPunct(',');
      if (this.isPunct(']')) break;
      items.push(this.parseExpression());
    }
    this.next();
    return { kind: 'list', items, pos };
  }

  private parseMap(): Expr {
    const pos = this.next().pos;
    const entries: Array<[Expr, Expr]> = [];
    while (!this.isPunct('}')) {
      if (entries.length) this.expectPunct(',');
      if (this.isPunct('}')) break;
      const key = this.parseExpression();
      this.expectPunct(':');
      entries.push([key, this.parseExpression()]);
    }
    this.next();
    return { kind: 'map', entries, pos };
  }

  private parseArgs(): Args {
    this.expectPunct('(');
    const args = emptyArgs();
    while (!this.isPunct(')')) {
      if (args.positional.length || args.named.length) this.expectPunct(',');
      const next = this.peek();
      if (this.tok.type === 'name' && next.type === 'punct' && next.value === '=') {
        const name = this.next().value;
        this.next();
        args.named.push([name, this.parseExpression()]);
      } else {
        if (args.named.length) throw syntaxError('Positional arguments must come before named ones', this.source, this.tok.pos);
        args.positional.push(this.parseExpression());
      }
    }
    this.next();
    return args;
  }

  private parseInterpolation(parts: StringPart[], pos: number): Expr {
    const out: Array<string | Expr> = [];
    for (const part of parts) {
      if (typeof part === 'string') {
        out.push(part);
        continue;
      }
      const tokens: Token[] = [];
      lexExpression(this.source, part.pos, null, tokens, part.pos + part.source.length);
      tokens.push({ type: 'eof', value: '', pos: part.pos + part.source.length });
      const sub = new Parser(this.source, tokens);
      sub.depth = this.depth;
      out.push(sub.parseExpression());
      sub.expectEnd();
    }
    return { kind: 'interp', parts: out, pos };
  }
}

function emptyArgs(): Args {
  return { positional: [], named: [] };
}

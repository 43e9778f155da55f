/**
 * The jq subset's parser. Grammar (lowest precedence first):
 * `pipe := comma ('|' pipe)?`, `comma := alt (',' alt)*`, `alt := or ('//' or)*`,
 * `or`, `and`, comparisons, `+ -`, `* / %`, postfix (`.a`, `."a"`, `[n]`, `[]`, `[a:b]`, `?`),
 * primaries (`.`, `..`, literals, `(…)`, `[…]`, `{…}`, `name` / `name(args; …)`, `-x`).
 */
import { ExpressionError } from '../../errors.js';

/** A jq AST node. */
export type JqNode =
  | { t: 'identity' }
  | { t: 'recurse' }
  | { t: 'literal'; value: unknown }
  | { t: 'field'; target: JqNode; name: string; optional: boolean }
  | { t: 'index'; target: JqNode; index: JqNode; optional: boolean }
  | { t: 'slice'; target: JqNode; from: JqNode | null; to: JqNode | null; optional: boolean }
  | { t: 'iterate'; target: JqNode; optional: boolean }
  | { t: 'pipe'; left: JqNode; right: JqNode }
  | { t: 'comma'; left: JqNode; right: JqNode }
  | { t: 'binary'; op: string; left: JqNode; right: JqNode }
  | { t: 'neg'; operand: JqNode }
  | { t: 'array'; body: JqNode | null }
  | { t: 'object'; entries: Array<[JqNode, JqNode]> }
  | { t: 'call'; name: string; args: JqNode[] };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(\.\.|\/\/|==|!=|<=|>=|[.\[\]{}()|,:;<>+\-*/%?]))/y;
const MAX_DEPTH = 100;

interface Tok {
  kind: 'num' | 'str' | 'name' | 'op' | 'eof';
  text: string;
}

function fail(expression: string, message: string): ExpressionError {
  return new ExpressionError('TROUPE_EXPR_SYNTAX', `Invalid jq expression '${expression}': ${message}`);
}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i] as string)) i++;
    if (i >= src.length) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw fail(src, `unexpected character '${src.slice(i).trim()[0] ?? ''}'`);
    i = TOKEN.lastIndex;
    if (m[1]) out.push({ kind: 'num', text: m[1] });
    else if (m[2]) out.push({ kind: 'str', text: JSON.parse(m[2]) as string });
    else if (m[3]) out.push({ kind: 'name', text: m[3] });
    else out.push({ kind: 'op', text: m[4] as string });
  }
  out.push({ kind: 'eof', text: '' });
  return out;
}

/** Parses a jq expression of the supported subset. */
export function parseJq(src: string): JqNode {
  const toks = tokenize(src);
  let i = 0;
  let depth = 0;
  const peek = (): Tok => toks[i] as Tok;
  const isOp = (text: string): boolean => peek().kind === 'op' && peek().text === text;
  const expect = (text: string): void => {
    if (!isOp(text)) throw fail(src, `expected '${text}' but found '${peek().text || 'end'}'`);
    i++;
  };
  const enter = (): void => {
    if (++depth > MAX_DEPTH) throw new ExpressionError('TROUPE_EXPR_LIMIT', `jq expression nests deeper than ${MAX_DEPTH} levels`);
  };

  function pipe(): JqNode {
    enter();
    let left = comma();
    if (isOp('|')) {
      i++;
      left = { t: 'pipe', left, right: pipe() };
    }
    depth--;
    return left;
  }
  function comma(): JqNode {
    let left = binary(0);
    while (isOp(',')) {
      i++;
      left = { t: 'comma', left, right: binary(0) };
    }
    return left;
  }
  const LEVELS: string[][] = [['//'], ['or'], ['and'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];
  function binary(level: number): JqNode {
    if (level >= LEVELS.length) return postfix(primary());
    let left = binary(level + 1);
    const ops = LEVELS[level] as string[];
    while (ops.includes(peek().text) && (peek().kind === 'op' || peek().kind === 'name')) {
      const op = toks[i++]!.text;
      left = { t: 'binary', op, left, right: binary(level + 1) };
    }
    return left;
  }
  function postfix(target: JqNode): JqNode {
    for (;;) {
      if (isOp('.') && (toks[i + 1]?.kind === 'name' || toks[i + 1]?.kind === 'str')) {
        i++;
        target = { t: 'field', target, name: toks[i++]!.text, optional: false };
      } else if (isOp('.') && toks[i + 1]?.text === '[') {
        i++;
      } else if (isOp('[')) {
        target = bracket(target);
      } else if (isOp('?')) {
        i++;
        if ('optional' in target) target = { ...target, optional: true };
      } else {
        return target;
      }
    }
  }
  function bracket(target: JqNode): JqNode {
    expect('[');
    if (isOp(']')) {
      i++;
      return { t: 'iterate', target, optional: false };
    }
    const from = isOp(':') ? null : pipe();
    if (isOp(':')) {
      i++;
      const to = isOp(']') ? null : pipe();
      expect(']');
      return { t: 'slice', target, from, to, optional: false };
    }
    expect(']');
    return { t: 'index', target, index: from as JqNode, optional: false };
  }
  function primary(): JqNode {
    enter();
    const tok = peek();
    let node: JqNode;
    if (tok.kind === 'num') {
      i++;
      node = { t: 'literal', value: Number(tok.text) };
    } else if (tok.kind === 'str') {
      i++;
      node = { t: 'literal', value: tok.text };
    } else if (isOp('..')) {
      i++;
      node = { t: 'recurse' };
    } else if (isOp('.')) {
      i++;
      const next = peek();
      if (next.kind === 'name' || next.kind === 'str') {
        i++;
        node = { t: 'field', target: { t: 'identity' }, name: next.text, optional: false };
      } else {
        node = { t: 'identity' };
      }
    } else if (isOp('(')) {
      i++;
      node = pipe();
      expect(')');
    } else if (isOp('[')) {
      i++;
      const body = isOp(']') ? null : pipe();
      expect(']');
      node = { t: 'array', body };
    } else if (isOp('{')) {
      node = object();
    } else if (isOp('-')) {
      i++;
      node = { t: 'neg', operand: postfix(primary()) };
    } else if (tok.kind === 'name') {
      i++;
      if (tok.text === 'true' || tok.text === 'false' || tok.text === 'null') {
        node = { t: 'literal', value: tok.text === 'null' ? null : tok.text === 'true' };
      } else {
        const args: JqNode[] = [];
        if (isOp('(')) {
          i++;
          args.push(pipe());
          while (isOp(';')) {
            i++;
            args.push(pipe());
          }
          expect(')');
        }
        node = { t: 'call', name: tok.text, args };
      }
    } else {
      throw fail(src, `unexpected '${tok.text || 'end of expression'}'`);
    }
    depth--;
    return node;
  }
  function object(): JqNode {
    expect('{');
    const entries: Array<[JqNode, JqNode]> = [];
    while (!isOp('}')) {
      if (entries.length) expect(',');
      const k = peek();
      let key: JqNode;
      if (k.kind === 'name' || k.kind === 'str') {
        i++;
        key = { t: 'literal', value: k.text };
      } else if (isOp('(')) {
        i++;
        key = pipe();
        expect(')');
      } else {
        throw fail(src, 'object keys must be names, strings or (expressions)');
      }
      if (isOp(':')) {
        i++;
        entries.push([key, binary(0)]);
      } else {
        entries.push([key, { t: 'field', target: { t: 'identity' }, name: String((key as { value?: unknown }).value), optional: false }]);
      }
    }
    expect('}');
    return { t: 'object', entries };
  }

  const node = pipe();
  if (peek().kind !== 'eof') throw fail(src, `unexpected '${peek().text}'`);
  return node;
}

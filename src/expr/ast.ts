/**
 * The syntax tree of a template: expressions ({@link Expr}) and template nodes ({@link Node}).
 * Plain data only, so a compiled template can be cached and shared.
 */

/** Binary operators, by their source spelling (`equals` is stored as `==`). */
export type BinaryOp =
  | 'or' | 'and' | 'contains' | 'in'
  | '==' | '!=' | '<' | '>' | '<=' | '>='
  | '+' | '-' | '*' | '/' | '%'
  | '~' | '..' | '??' | '???';

/** Arguments of a filter, test or function call: positional then `name=value`. */
export interface Args {
  positional: Expr[];
  named: Array<[string, Expr]>;
}

/** An expression; `pos` is the offset in the template source (for error lines). */
export type Expr =
  | { kind: 'literal'; value: unknown; pos: number }
  | { kind: 'interp'; parts: Array<string | Expr>; pos: number }
  | { kind: 'var'; name: string; pos: number }
  | { kind: 'attr'; object: Expr; key: Expr; pos: number }
  | { kind: 'list'; items: Expr[]; pos: number }
  | { kind: 'map'; entries: Array<[Expr, Expr]>; pos: number }
  | { kind: 'unary'; op: 'not' | '-' | '+'; operand: Expr; pos: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: number }
  | { kind: 'test'; name: string; negated: boolean; operand: Expr; args: Args; pos: number }
  | { kind: 'filter'; name: string; input: Expr; args: Args; pos: number }
  | { kind: 'call'; name: string; args: Args; pos: number }
  | { kind: 'ternary'; cond: Expr; then: Expr; otherwise: Expr; pos: number };

/** A filter applied by the `{% filter %}` tag. */
export interface FilterCall {
  name: string;
  args: Args;
  pos: number;
}

/** A template node. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: Expr; pos: number }
  | { kind: 'if'; branches: Array<{ cond: Expr; body: Node[] }>; otherwise: Node[] | undefined; pos: number }
  | {
      kind: 'for';
      keyVar: string | undefined;
      valueVar: string;
      iterable: Expr;
      body: Node[];
      otherwise: Node[] | undefined;
      pos: number;
    }
  | { kind: 'set'; name: string; value: Expr; pos: number }
  | { kind: 'filterBlock'; filters: FilterCall[]; body: Node[]; pos: number };

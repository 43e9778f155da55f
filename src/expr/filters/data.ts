/**
 * Data filters: toJson/json, jq, yaml, base64, digests, className.
 */
import { ExpressionError } from '../../errors.js';
import { arg, type FilterFn } from '../context.js';
import { base64Decode, base64Encode, md5, sha1, sha256, sha512 } from '../digests.js';
import { toJson } from '../format.js';
import { runJq } from '../jq/run.js';
import { formatNumber, isNumber, toPlain, typeName } from '../values.js';
import { toYaml } from '../yaml-emit.js';

function stringInput(input: unknown, filter: string): string {
  if (typeof input === 'string') return input;
  if (input === null || input === undefined || typeof input === 'object') {
    throw new ExpressionError('TROUPE_EXPR_TYPE', `Filter '${filter}' needs a string, got ${typeName(input)}`);
  }
  return isNumber(input) ? formatNumber(input) : String(input);
}

function digest(name: string, fn: (s: string) => string): [string, FilterFn] {
  return [name, (input) => (input === null || input === undefined ? null : fn(stringInput(input, name)))];
}

const jq: FilterFn = (input, a, n, ctx) => {
  if (input === null || input === undefined) return null;
  const expression = arg(a, n, 0, 'expression');
  if (typeof expression !== 'string') throw new ExpressionError('TROUPE_EXPR_TYPE', 'jq needs an expression string, e.g. jq(".key")');
  let data: unknown = toPlain(input, ctx.budget);
  if (typeof data === 'string') {
    const text = data;
    try {
      data = JSON.parse(text);
    } catch {
      throw new ExpressionError('TROUPE_EXPR_EVALUATION', `jq: the input string is not valid JSON: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`);
    }
  }
  const out = runJq(expression, data, ctx.budget);
  ctx.tick(out.length);
  return out;
};

/** Data filters by name. */
export const DATA_FILTERS: Array<[string, FilterFn]> = [
  ['toJson', (input, _a, _n, ctx) => toJson(input, ctx.budget)],
  ['json', (input, _a, _n, ctx) => toJson(input, ctx.budget)],
  ['jq', jq],
  ['yaml', (input, _a, _n, ctx) => toYaml(input, ctx.budget)],
  ['base64encode', (input) => (input === null || input === undefined ? null : base64Encode(stringInput(input, 'base64encode')))],
  ['base64decode', (input) => {
    if (input === null || input === undefined) return null;
    try {
      return base64Decode(stringInput(input, 'base64decode'));
    } catch {
      throw new ExpressionError('TROUPE_EXPR_EVALUATION', 'base64decode: the input is not valid base64');
    }
  }],
  digest('md5', md5),
  digest('sha1', sha1),
  digest('sha256', sha256),
  digest('sha512', sha512),
  ['className', (input) => {
    const t = typeName(input);
    return t === 'null' ? null : t === 'Map' ? 'java.util.LinkedHashMap' : t === 'List' ? 'java.util.ArrayList' : `java.lang.${t}`;
  }],
];

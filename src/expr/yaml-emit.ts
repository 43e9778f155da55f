/**
 * A small YAML emitter for the `yaml` filter, shaped like Jackson's YAML output with minimized
 * quotes: block mappings and sequences, plain scalars where safe, double quotes otherwise.
 */
import { ExpressionError } from '../errors.js';
import { JFloat, formatDouble, isMap } from './values.js';

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
const NUMERIC = /^[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|\.inf|\.nan|0x[0-9a-fA-F]+|0o[0-7]+)$/i;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (v instanceof JFloat) return formatDouble(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatDouble(v);
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  const needsQuotes =
    s === '' || RESERVED.test(s) || NUMERIC.test(s) || /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) || /\s$/.test(s) ||
    /: |:$| #|[\n\r\t\u0000-\u001f]/.test(s);
  return needsQuotes ? JSON.stringify(s) : s;
}

function emit(v: unknown, indent: string, depth: number, out: string[]): void {
  if (depth > 1000) throw new ExpressionError('TROUPE_EXPR_LIMIT', 'yaml: value nests deeper than 1000 levels');
  if (Array.isArray(v)) {
    for (const item of v) {
      if ((Array.isArray(item) && item.length) || (isMap(item) && Object.keys(item).length)) {
        const child: string[] = [];
        emit(item, `${indent}  `, depth + 1, child);
        out.push(`${indent}- ${(child[0] ?? '').trimStart()}`, ...child.slice(1));
      } else {
        out.push(`${indent}- ${inline(item)}`);
      }
    }
    return;
  }
  if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      if ((Array.isArray(x) && x.length) || (isMap(x) && Object.keys(x).length)) {
        out.push(`${indent}${scalar(k)}:`);
        emit(x, Array.isArray(x) ? indent : `${indent}  `, depth + 1, out);
      } else {
        out.push(`${indent}${scalar(k)}: ${inline(x)}`);
      }
    }
    return;
  }
  out.push(indent + scalar(v));
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isMap(v)) return '{}';
  return scalar(v);
}

/** YAML text of a value, ending with a newline. */
export function toYaml(v: unknown): string {
  const out: string[] = [];
  if ((Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0)) return `${inline(v)}\n`;
  emit(v, '', 0, out);
  return `${out.join('\n')}\n`;
}

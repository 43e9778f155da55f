/**
 * A small YAML emitter for the `yaml` filter, shaped like Jackson's YAML output with minimized
 * quotes: block mappings and sequences, plain scalars where safe, double quotes otherwise.
 */
import { limitError, type Budget } from './budget.js';
import { TextWriter } from './format.js';
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

function nonEmptyCollection(v: unknown): boolean {
  return (Array.isArray(v) && v.length > 0) || (isMap(v) && Object.keys(v).length > 0);
}

/**
 * Writes `v` as block YAML lines at `indent`; the first line starts with `lead` instead when given
 * (a list item's `- `). Every node is a step of the budget; the text is held to the string limits.
 */
function emit(v: unknown, indent: string, lead: string | undefined, depth: number, w: YamlWriter): void {
  w.step();
  if (depth > 1000) throw limitError('yaml: value nests deeper than 1000 levels');
  let first = lead;
  const line = (content: string): void => {
    w.push(`${first ?? indent}${content}\n`);
    first = undefined;
  };
  if (Array.isArray(v)) {
    for (const item of v) {
      if (nonEmptyCollection(item)) {
        emit(item, `${indent}  `, `${first ?? indent}- `, depth + 1, w);
        first = undefined;
      } else {
        line(`- ${inline(item)}`);
      }
    }
    return;
  }
  if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      if (nonEmptyCollection(x)) {
        line(`${scalar(k)}:`);
        emit(x, Array.isArray(x) ? indent : `${indent}  `, undefined, depth + 1, w);
      } else {
        line(`${scalar(k)}: ${inline(x)}`);
      }
    }
    return;
  }
  line(scalar(v));
}

class YamlWriter extends TextWriter {
  step(): void {
    this.budget.step(1);
  }
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return '[]';
  if (isMap(v)) return '{}';
  return scalar(v);
}

/** YAML text of a value, ending with a newline. */
export function toYaml(v: unknown, budget: Budget): string {
  if (!nonEmptyCollection(v)) return budget.string(`${inline(v)}\n`);
  const w = new YamlWriter(budget);
  emit(v, '', undefined, 0, w);
  return w.result();
}

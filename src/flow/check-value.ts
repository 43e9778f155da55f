/**
 * Simple type checks of property values against a {@link PropSpec}. Where Kestra renders a
 * property, a `{{ … }}` template is accepted in place of the typed value.
 */
import type { Problems } from './problems.js';
import type { PropSpec } from './task-types.js';
import { describeNode, type YNode } from '../yaml/tree.js';

/** Whether a string holds a Pebble template. */
export function isTemplate(v: unknown): boolean {
  return typeof v === 'string' && (v.includes('{{') || v.includes('{%'));
}

/** Java `Duration.parse` syntax: `PT1H30M`, `P2D`, `PT0.250S`, `-PT5S`. */
export const ISO_DURATION = /^[-+]?P(?:[-+]?\d+D)?(?:T(?:[-+]?\d+H)?(?:[-+]?\d+M)?(?:[-+]?\d+(?:[.,]\d{1,9})?S)?)?$/i;

/** Whether `v` is a duration Kestra accepts: ISO 8601 or a decimal number of seconds. */
export function isDuration(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'string') return false;
  return (ISO_DURATION.test(v) && /\d/.test(v) && !/T$/i.test(v)) || /^\d+(?:\.\d+)?$/.test(v);
}

const scalarOf = (n: YNode): unknown => (n.kind === 'scalar' ? n.value : undefined);

/** What each property type expects, for messages. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  int: 'an integer',
  number: 'a number',
  bool: 'a boolean',
  duration: 'an ISO 8601 duration such as PT30S',
  list: 'a list',
  map: 'a map',
  strings: 'a string or a list of strings',
  tasks: 'a list of tasks',
  cases: 'a map of case values to lists of tasks',
  dag: 'a list of {task, dependsOn} entries',
};

/**
 * Checks `node` against `spec`, recording a problem at the node when it does not fit.
 * Task-holding types (`tasks`, `cases`, `dag`) are only checked for their outer shape here.
 * @returns whether the value fits
 */
export function checkValue(node: YNode, spec: PropSpec, path: string, problems: Problems): boolean {
  const ok = fits(node, spec);
  if (!ok) {
    const expected = spec.type === 'enum' ? `one of ${(spec.values ?? []).join(', ')}` : (EXPECTED[spec.type] ?? spec.type);
    const shown = node.kind === 'scalar' && node.value !== null ? ` '${String(node.value)}'` : '';
    problems.add(node, path, `expected ${expected} but got ${describeNode(node)}${shown}`);
    return false;
  }
  if (spec.nonEmpty && node.kind === 'seq' && node.items.length === 0) {
    problems.add(node, path, 'must not be empty');
    return false;
  }
  return true;
}

function fits(node: YNode, spec: PropSpec): boolean {
  const v = scalarOf(node);
  switch (spec.type) {
    case 'any':
      return true;
    case 'string':
      return node.kind === 'scalar' && v !== null;
    case 'int':
      return (typeof v === 'number' && Number.isInteger(v)) || isTemplate(v) || (typeof v === 'string' && /^-?\d+$/.test(v));
    case 'number':
      return typeof v === 'number' || isTemplate(v) || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));
    case 'bool':
      return typeof v === 'boolean' || isTemplate(v) || (typeof v === 'string' && /^(true|false)$/i.test(v));
    case 'duration':
      return isDuration(v) || isTemplate(v);
    case 'enum':
      return (typeof v === 'string' && (spec.values ?? []).includes(v)) || isTemplate(v);
    case 'list':
    case 'tasks':
    case 'dag':
      return node.kind === 'seq';
    case 'map':
    case 'cases':
      return node.kind === 'map';
    case 'strings':
      return (node.kind === 'scalar' && v !== null) || (node.kind === 'seq' && node.items.every((i) => i.kind === 'scalar' && i.value !== null));
  }
}

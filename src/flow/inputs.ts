/**
 * Flow input declarations (§6.1): ids (or the deprecated `name`) unique and well formed, types
 * known, per-type keys only, `dependsOn` naming declared inputs without cycles.
 */
import type { FlowInput } from '../model/index.js';
import { findCyclicTasks } from './dag.js';
import { listOfMaps } from './flow-sections.js';
import type { Problems } from './problems.js';
import { describeNode, setOwn, toPlain, type YMap, type YNode } from '../yaml/tree.js';

/** Input ids: `^[a-zA-Z0-9][.a-zA-Z0-9_-]*`. */
export const INPUT_ID = /^[a-zA-Z0-9][.a-zA-Z0-9_-]*$/;

const COMMON = ['id', 'name', 'type', 'description', 'displayName', 'required', 'defaults', 'dependsOn', 'prefill'];

/** The extra keys each input type accepts. */
export const INPUT_TYPES: Readonly<Record<string, readonly string[]>> = {
  STRING: ['validator'],
  ENUM: ['values'],
  SELECT: ['values', 'expression', 'allowCustomValue', 'isRadio'],
  MULTISELECT: ['values', 'options', 'expression', 'itemType', 'allowCustomValue'],
  INT: ['min', 'max'],
  FLOAT: ['min', 'max'],
  BOOLEAN: [],
  BOOL: [],
  DATETIME: ['after', 'before'],
  DATE: ['after', 'before'],
  TIME: ['after', 'before'],
  DURATION: ['min', 'max'],
  FILE: ['extension'],
  JSON: [],
  YAML: [],
  URI: [],
  SECRET: ['validator'],
  ARRAY: ['itemType'],
  EMAIL: [],
};

/** Parses the `inputs` section. */
export function parseInputs(node: YNode, problems: Problems): FlowInput[] {
  const out: FlowInput[] = [];
  const where = new Map<string, YNode>();
  const deps: Array<{ id: string; dependsOn: string[]; at: YNode; path: string }> = [];
  for (const [item, path] of listOfMaps(node, 'inputs', 'inputs', problems)) {
    const input = parseInput(item, path, problems);
    if (!input) continue;
    const idNode = item.entries.get('id')?.value ?? item.entries.get('name')?.value ?? item;
    if (where.has(input.id)) problems.add(idNode, `${path}.id`, `Duplicate input with name [${input.id}]`);
    where.set(input.id, idNode);
    const dependsOn = (input.props['dependsOn'] as { inputs?: unknown } | undefined)?.inputs;
    if (Array.isArray(dependsOn)) deps.push({ id: input.id, dependsOn: dependsOn.map(String), at: idNode, path });
    out.push(input);
  }
  for (const d of deps) {
    const missing = d.dependsOn.filter((x) => !where.has(x));
    if (missing.length > 0) problems.add(d.at, `${d.path}.dependsOn`, `depends on undeclared input(s): ${missing.join(', ')}`);
  }
  const cyclic = findCyclicTasks(deps);
  if (cyclic.length > 0) {
    const first = deps.find((d) => d.id === cyclic[0]);
    if (first) problems.add(first.at, `${first.path}.dependsOn`, `inputs depend on each other in a cycle: ${cyclic.join(', ')}`);
  }
  return out;
}

function parseInput(item: YMap, path: string, problems: Problems): FlowInput | undefined {
  const id = item.entries.get('id')?.value;
  const name = item.entries.get('name')?.value;
  const type = item.entries.get('type')?.value;
  const before = problems.size;
  if (id && name) problems.add(name, `${path}.name`, "use either 'id' or the deprecated 'name', not both");
  const idNode = id ?? name;
  if (!idNode) problems.add(item, path, "missing required property 'id'");
  else if (idNode.kind !== 'scalar' || !INPUT_ID.test(String(idNode.value ?? ''))) problems.add(idNode, `${path}.id`, `expected an id matching ${INPUT_ID.source} but got ${describeNode(idNode)}`);
  const typeName = type?.kind === 'scalar' ? String(type.value) : undefined;
  const extra = typeName === undefined ? undefined : INPUT_TYPES[typeName];
  if (!type) problems.add(item, path, "missing required property 'type'");
  else if (!extra) problems.add(type, `${path}.type`, `unknown input type '${String(toPlain(type))}'; expected one of ${Object.keys(INPUT_TYPES).join(', ')}`);
  const allowed = [...COMMON, ...(extra ?? [])];
  for (const [key, e] of item.entries) {
    if (extra && !allowed.includes(key)) problems.add(e.keyAt, `${path}.${key}`, `unknown property '${key}' for a ${typeName} input; expected one of ${allowed.join(', ')}`);
  }
  const required = item.entries.get('required')?.value;
  if (required && !(required.kind === 'scalar' && typeof required.value === 'boolean')) problems.add(required, `${path}.required`, `expected a boolean but got ${describeNode(required)}`);
  if (typeName === 'ARRAY' && !item.entries.has('itemType')) problems.add(item, path, "missing required property 'itemType' for an ARRAY input");
  if (problems.size !== before || !idNode || !typeName) return undefined;
  const input: FlowInput = { id: String(toPlain(idNode)), type: typeName, required: required?.kind === 'scalar' ? required.value !== false : true, props: {} };
  for (const [key, e] of item.entries) {
    if (key === 'id' || key === 'name' || key === 'type' || key === 'required') continue;
    if (key === 'defaults') input.defaults = toPlain(e.value);
    else if (key === 'description') input.description = String(toPlain(e.value));
    else setOwn(input.props, key, toPlain(e.value));
  }
  return input;
}

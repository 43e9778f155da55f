/**
 * The flow-level sections besides tasks and inputs: labels, outputs, concurrency, plugin defaults
 * and triggers.
 */
import type { Flow, FlowOutput, Label } from '../model/index.js';
import { buildTasks, resolveNodeType, type TaskContext } from './build-task.js';
import { checkValue } from './check-value.js';
import { applyPluginDefaults, type DefaultEntry } from './plugin-defaults.js';
import type { Position, Problems } from './problems.js';
import { COMMON_TRIGGER_PROPS, resolveTaskType } from './task-types.js';
import { RUNNABLE_CONDITIONS, RUNNABLE_TRIGGERS, UNSUPPORTED_TRIGGER_PROPS } from '../tasks/triggers.js';
import { checkTrigger } from '../triggers/check.js';
import { describeNode, setOwn, toPlain, type YMap, type YNode } from '../yaml/tree.js';

/** Labels whose key starts with `system.` are Kestra's own, except this one. */
const ALLOWED_SYSTEM_LABELS = new Set(['system.readOnly']);

/** Returns `node` as a list of maps, recording a problem for anything else. */
export function listOfMaps(node: YNode, path: string, what: string, problems: Problems): Array<[YMap, string]> {
  if (node.kind !== 'seq') {
    problems.add(node, path, `expected a list of ${what} but got ${describeNode(node)}`);
    return [];
  }
  const out: Array<[YMap, string]> = [];
  node.items.forEach((item, i) => {
    if (item.kind === 'map') out.push([item, `${path}[${i}]`]);
    else problems.add(item, `${path}[${i}]`, `expected a map but got ${describeNode(item)}`);
  });
  return out;
}

/** Records a problem for each key of `map` not in `allowed`. */
export function rejectUnknownKeys(map: YMap, path: string, allowed: readonly string[], problems: Problems): void {
  for (const [key, e] of map.entries) {
    if (!allowed.includes(key)) problems.add(e.keyAt, path ? `${path}.${key}` : key, `unknown property '${key}'; expected one of ${allowed.join(', ')}`);
  }
}

/** Records a problem for each key of `required` missing from `map`. */
export function requireKeys(map: YMap, path: string, required: readonly string[], problems: Problems): void {
  for (const key of required) if (!map.entries.has(key)) problems.add(map, path, `missing required property '${key}'`);
}

/** Flow `labels`: a map (values stringified) or a list of `{key, value}`. */
export function parseLabels(node: YNode, problems: Problems): Label[] {
  const labels: Array<{ label: Label; at: YNode; path: string }> = [];
  if (node.kind === 'map') {
    for (const [key, e] of node.entries) {
      if (e.value.kind !== 'scalar' || e.value.value === null) problems.add(e.value, `labels.${key}`, `expected a string, number or boolean but got ${describeNode(e.value)}`);
      else labels.push({ label: { key, value: String(e.value.value) }, at: e.value, path: `labels.${key}` });
    }
  } else if (node.kind === 'seq') {
    for (const [item, path] of listOfMaps(node, 'labels', '{key, value} labels', problems)) {
      rejectUnknownKeys(item, path, ['key', 'value'], problems);
      const key = item.entries.get('key')?.value;
      const value = item.entries.get('value')?.value;
      if (key?.kind !== 'scalar' || key.value === null || value?.kind !== 'scalar' || value.value === null) problems.add(item, path, 'expected a label with a string key and value');
      else labels.push({ label: { key: String(key.value), value: String(value.value) }, at: item, path });
    }
  } else {
    problems.add(node, 'labels', `expected a map or a list of {key, value} but got ${describeNode(node)}`);
  }
  for (const { label, at, path } of labels) {
    if (label.key.startsWith('system.') && !ALLOWED_SYSTEM_LABELS.has(label.key)) {
      problems.add(at, path, `System labels can only be set by Kestra itself, offending label: ${label.key}=${label.value}`);
    }
  }
  return labels.map((l) => l.label);
}

/** Flow `outputs`: `{id, type, value, description, displayName}` with unique ids. */
export function parseOutputs(node: YNode, problems: Problems): FlowOutput[] {
  const out: FlowOutput[] = [];
  const seen = new Set<string>();
  for (const [item, path] of listOfMaps(node, 'outputs', 'outputs', problems)) {
    rejectUnknownKeys(item, path, ['id', 'type', 'value', 'description', 'displayName', 'required'], problems);
    requireKeys(item, path, ['id', 'type', 'value'], problems);
    const id = item.entries.get('id')?.value;
    const type = item.entries.get('type')?.value;
    const value = item.entries.get('value')?.value;
    if (!id || !type || !value || id.kind !== 'scalar' || type.kind !== 'scalar') continue;
    const output: FlowOutput = { id: String(id.value), type: String(type.value), value: toPlain(value) };
    const description = item.entries.get('description')?.value;
    if (description?.kind === 'scalar') output.description = String(description.value);
    if (seen.has(output.id)) problems.add(id, `${path}.id`, `Duplicate output with name [${output.id}]`);
    seen.add(output.id);
    out.push(output);
  }
  return out;
}

/** Flow `concurrency`: `{limit: int > 0, behavior: QUEUE | CANCEL | FAIL}`. */
export function parseConcurrency(node: YNode, problems: Problems): Flow['concurrency'] {
  if (node.kind !== 'map') {
    problems.add(node, 'concurrency', `expected a map {limit, behavior} but got ${describeNode(node)}`);
    return undefined;
  }
  rejectUnknownKeys(node, 'concurrency', ['limit', 'behavior'], problems);
  const limit = node.entries.get('limit')?.value;
  const behavior = node.entries.get('behavior')?.value ?? { kind: 'scalar', value: 'QUEUE', line: node.line, column: node.column };
  let ok = true;
  if (!limit) {
    problems.add(node, 'concurrency', "missing required property 'limit'");
    ok = false;
  } else if (limit.kind !== 'scalar' || typeof limit.value !== 'number' || !Number.isInteger(limit.value) || limit.value < 1) {
    problems.add(limit, 'concurrency.limit', `expected an integer > 0 but got ${describeNode(limit)}`);
    ok = false;
  }
  const b = behavior.kind === 'scalar' ? behavior.value : undefined;
  if (b !== 'QUEUE' && b !== 'CANCEL' && b !== 'FAIL') {
    problems.add(behavior, 'concurrency.behavior', `expected QUEUE, CANCEL or FAIL but got ${describeNode(behavior)}`);
    ok = false;
  }
  return ok && limit?.kind === 'scalar' ? { limit: limit.value as number, behavior: b as 'QUEUE' | 'CANCEL' | 'FAIL' } : undefined;
}

/** `pluginDefaults` / `taskDefaults`: `{type, forced, values}` entries. */
export function parsePluginDefaults(node: YNode, section: string, problems: Problems): DefaultEntry[] {
  const out: DefaultEntry[] = [];
  for (const [item, path] of listOfMaps(node, section, 'plugin defaults', problems)) {
    rejectUnknownKeys(item, path, ['type', 'forced', 'values'], problems);
    requireKeys(item, path, ['type', 'values'], problems);
    const type = item.entries.get('type')?.value;
    const forced = item.entries.get('forced')?.value;
    const values = item.entries.get('values')?.value;
    if (type && type.kind !== 'scalar') problems.add(type, `${path}.type`, 'expected a type name or prefix');
    if (forced && !(forced.kind === 'scalar' && typeof forced.value === 'boolean')) problems.add(forced, `${path}.forced`, 'expected a boolean');
    if (values && values.kind !== 'map') problems.add(values, `${path}.values`, `expected a map but got ${describeNode(values)}`);
    if (type?.kind === 'scalar' && values?.kind === 'map') {
      out.push({ type: String(type.value), forced: forced?.kind === 'scalar' && forced.value === true, values });
    }
  }
  return out;
}

/** Flow `triggers`: known trigger types, their properties checked, conditions' types checked. */
export function parseTriggers(node: YNode, ctx: TaskContext): Flow['triggers'] {
  const { problems } = ctx;
  const out: Flow['triggers'] = [];
  const seen = new Set<string>();
  for (const [item, path] of listOfMaps(node, 'triggers', 'triggers', problems)) {
    const idNode = item.entries.get('id')?.value;
    if (!idNode) problems.add(item, path, "missing required property 'id'");
    const resolved = resolveNodeType(item, path, 'trigger', problems);
    if (!resolved || !idNode) continue;
    const merged = applyPluginDefaults(item, resolved.written, resolved.info.name, ctx.defaults);
    const props: Record<string, unknown> = {};
    for (const [key, e] of merged.entries) {
      const spec = COMMON_TRIGGER_PROPS[key] ?? resolved.info.props[key];
      if (!spec && !resolved.info.openProps) {
        problems.add(e.keyAt, `${path}.${key}`, `unknown property '${key}' for ${resolved.info.name}`);
        continue;
      }
      if (spec) checkValue(e.value, spec, `${path}.${key}`, problems);
      if (key === 'conditions' && e.value.kind === 'seq') checkConditions(e.value, `${path}.conditions`, ctx);
      if (UNSUPPORTED_TRIGGER_PROPS[resolved.info.name]?.includes(key)) unsupported(e.keyAt, `${path}.${key}`, `trigger property '${key}' of ${resolved.info.name}`, ctx);
      if (key !== 'id' && key !== 'type') setOwn(props, key, toPlain(e.value));
    }
    for (const [key, spec] of Object.entries(resolved.info.props)) {
      if (spec.required && !merged.entries.has(key)) problems.add(item, path, `missing required property '${key}' for ${resolved.info.name}`);
    }
    const id = String(toPlain(idNode));
    if (seen.has(id)) problems.add(idNode, `${path}.id`, `Duplicate trigger id with name [${id}]`);
    seen.add(id);
    if (!RUNNABLE_TRIGGERS.has(resolved.info.name)) unsupported(item.entries.get('type')!.value, `${path}.type`, `trigger '${id}' has type ${resolved.info.name}, which`, ctx);
    for (const issue of checkTrigger(resolved.info.name, props, (t) => resolveTaskType(t)?.name ?? t)) {
      const at = item.entries.get(issue.property)?.value ?? item;
      problems.add(at, `${path}.${issue.property}`, issue.message);
    }
    out.push({ id, type: resolved.written, canonicalType: resolved.info.name, props });
  }
  return out;
}

function checkConditions(node: YNode, path: string, ctx: TaskContext): void {
  for (const [item, at] of listOfMaps(node, path, 'conditions', ctx.problems)) {
    const resolved = resolveNodeType(item, at, 'condition', ctx.problems);
    if (resolved && !RUNNABLE_CONDITIONS.has(resolved.info.name)) unsupported(item.entries.get('type')!.value, `${at}.type`, `condition ${resolved.info.name}, which`, ctx);
    const nested = item.entries.get('conditions')?.value;
    if (nested?.kind === 'seq') checkConditions(nested, `${at}.conditions`, ctx);
  }
}

/** A trigger, condition or property this build cannot run: refused at deploy, advice with --lenient. */
function unsupported(at: Position, path: string, what: string, ctx: TaskContext): void {
  const subject = what.endsWith(', which') ? what : `${what}, which`;
  if (ctx.requireRunnable) ctx.problems.add(at, path, `${subject} this version of Troupe cannot run; the flow is refused (with --lenient it is accepted and never fires)`, 'TROUPE_FLOW_UNSUPPORTED_TYPE');
  else ctx.problems.advise(at, path, `${subject} this version of Troupe cannot run: it never fires here`);
}

/** Deprecated `listeners`: `{description, conditions, tasks}`; their tasks share the id space. */
export function parseListeners(node: YNode, ctx: TaskContext): NonNullable<Flow['listeners']> {
  const out: NonNullable<Flow['listeners']> = [];
  for (const [item, path] of listOfMaps(node, 'listeners', 'listeners', ctx.problems)) {
    rejectUnknownKeys(item, path, ['description', 'conditions', 'tasks'], ctx.problems);
    const conditions = item.entries.get('conditions')?.value;
    if (conditions) for (const [c, at] of listOfMaps(conditions, `${path}.conditions`, 'conditions', ctx.problems)) resolveNodeType(c, at, 'condition', ctx.problems);
    const tasks = item.entries.get('tasks')?.value;
    const description = item.entries.get('description')?.value;
    out.push({
      ...(description?.kind === 'scalar' ? { description: String(description.value) } : {}),
      conditions: conditions ? (toPlain(conditions) as unknown[]) : [],
      tasks: tasks ? buildTasks(tasks, `${path}.tasks`, ctx) : [],
    });
  }
  return out;
}

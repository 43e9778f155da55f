/**
 * Builds {@link Task} trees from the positioned YAML: resolves types, applies plugin defaults,
 * checks properties against the registry and parses task-holding properties recursively.
 */
import type { Task } from '../model/index.js';
import { checkValue } from './check-value.js';
import { findCyclicTasks, findMissingDependencies } from './dag.js';
import { applyPluginDefaults, type DefaultEntry } from './plugin-defaults.js';
import type { Position, Problems } from './problems.js';
import { parseRetry } from './retry.js';
import { COMMON_TASK_PROPS, IGNORED_TASK_PROPS, resolveTaskType, suggestTaskTypes, type PropSpec, type TaskTypeInfo, type TypeCategory } from './task-types.js';
import { describeNode, setOwn, toPlain, type YMap, type YNode } from '../yaml/tree.js';

/** What building tasks shares across the whole flow. */
export interface TaskContext {
  problems: Problems;
  defaults: readonly DefaultEntry[];
  /** Every task id met, in order, for the uniqueness check. */
  ids: Array<{ id: string; at: Position; path: string }>;
  /** Whether a task type this build cannot run makes the flow invalid (deploy), or is advice (lenient). */
  requireRunnable: boolean;
}

const ERRORS_SPEC: PropSpec = { type: 'tasks', required: false, nonEmpty: false };

/** Builds a list of tasks; problems are recorded and bad tasks left out. */
export function buildTasks(node: YNode, path: string, ctx: TaskContext): Task[] {
  if (node.kind !== 'seq') {
    ctx.problems.add(node, path, `expected a list of tasks but got ${describeNode(node)}`);
    return [];
  }
  const out: Task[] = [];
  node.items.forEach((item, i) => {
    const task = buildTask(item, `${path}[${i}]`, ctx);
    if (task) out.push(task);
  });
  return out;
}

/**
 * Resolves the `type` of a task or trigger map, recording a problem when it is missing or unknown.
 * @returns the written type and its registry info, or `undefined`
 */
export function resolveNodeType(node: YMap, path: string, category: TypeCategory, problems: Problems): { written: string; info: TaskTypeInfo } | undefined {
  const typeNode = node.entries.get('type')?.value;
  if (!typeNode) {
    problems.add(node, path, "missing required property 'type'");
    return undefined;
  }
  if (typeNode.kind !== 'scalar' || typeof typeNode.value !== 'string') {
    problems.add(typeNode, `${path}.type`, `expected a type name but got ${describeNode(typeNode)}`);
    return undefined;
  }
  const written = typeNode.value;
  const info = resolveTaskType(written);
  if (info && info.category === category) {
    if (written !== info.name) problems.advise(typeNode, `${path}.type`, `'${written}' is a legacy name of ${info.name}; use the current name (the type is the same)`);
    if (info.deprecated) problems.advise(typeNode, `${path}.type`, `${info.name} is deprecated in Kestra; use ${info.deprecated} (it still runs here)`);
    return { written, info };
  }
  if (info) {
    problems.add(typeNode, `${path}.type`, `'${written}' is a ${info.category} type, not a ${category} type`, 'TROUPE_FLOW_UNKNOWN_TYPE');
    return undefined;
  }
  const near = problems.suggestionBudget-- > 0 ? suggestTaskTypes(written, category) : [];
  const hint = near.length > 0 ? `; did you mean ${near.join(' or ')}?` : '';
  problems.add(typeNode, `${path}.type`, `Unknown ${category} type '${written}'${hint}`, 'TROUPE_FLOW_UNKNOWN_TYPE');
  return undefined;
}

/** Builds one task, or records why it cannot be built and returns `undefined`. */
export function buildTask(node: YNode, path: string, ctx: TaskContext): Task | undefined {
  const { problems } = ctx;
  if (node.kind !== 'map') {
    problems.add(node, path, `expected a task (a map with id and type) but got ${describeNode(node)}`);
    return undefined;
  }
  const idNode = node.entries.get('id')?.value;
  let id: string | undefined;
  if (!idNode) problems.add(node, path, "missing required property 'id'");
  else if (idNode.kind !== 'scalar' || idNode.value === null || idNode.value === '') problems.add(idNode, `${path}.id`, `expected a non-empty string but got ${describeNode(idNode)}`);
  else id = String(idNode.value);
  if (id !== undefined) ctx.ids.push({ id, at: idNode ?? node, path });
  const resolved = resolveNodeType(node, path, 'task', problems);
  if (!resolved || id === undefined) return undefined;
  const { written, info } = resolved;
  if (info.runs === undefined) refuseOrAdvise(node, path, id, info, ctx);
  const merged = applyPluginDefaults(node, written, info.name, ctx.defaults);
  const before = problems.size;
  const task: Task = { id, type: written, canonicalType: info.name, kind: info.kind, disabled: false, allowFailure: false, allowWarning: false, props: {}, source: { line: node.line, column: node.column, path } };
  for (const [key, entry] of merged.entries) {
    const at = `${path}.${key}`;
    const spec = COMMON_TASK_PROPS[key] ?? info.props[key] ?? (key === 'errors' && info.kind === 'flowable' ? ERRORS_SPEC : undefined);
    const ignored = IGNORED_TASK_PROPS[key];
    if (ignored) problems.advise(entry.keyAt, at, `task '${id}' sets ${key}, which this build ignores: ${ignored}`);
    if (!spec) {
      if (!info.openProps) problems.add(entry.keyAt, at, unknownProperty(key, info));
      else setOwn(task.props, key, toPlain(entry.value));
      continue;
    }
    // Jackson reads `key:` (null) as an absent optional property.
    if (!spec.required && entry.value.kind === 'scalar' && entry.value.value === null) continue;
    if (!checkValue(entry.value, spec, at, problems)) continue;
    setProperty(task, key, spec, entry.value, at, ctx);
  }
  for (const [key, spec] of Object.entries(info.props)) {
    if (spec.required && !merged.entries.has(key)) problems.add(node, path, `missing required property '${key}' for ${info.name}`);
  }
  if (problems.size !== before) return undefined;
  if (info.expand) {
    // Synthetic children (ForEachItem's parts): their ids are the flow's too (Kestra checks them).
    const parts = info.expand(task);
    for (const part of parts) ctx.ids.push({ id: part.id, at: idNode ?? node, path });
    setOwn(task.props, 'tasks', parts);
  }
  return task;
}

/**
 * A task whose type this build cannot run: refused (TROUPE_FLOW_UNSUPPORTED_TYPE, as Kestra refuses
 * a flow whose plugin is missing), or with --lenient accepted with a warning: its run will fail.
 */
function refuseOrAdvise(node: YMap, path: string, id: string, info: TaskTypeInfo, ctx: TaskContext): void {
  const at = node.entries.get('type')?.value ?? node;
  if (ctx.requireRunnable) {
    ctx.problems.add(at, `${path}.type`, `task '${id}' has type ${info.name}, which this version of Troupe cannot run; the flow is refused (with --lenient it is accepted and that task fails when it runs)`, 'TROUPE_FLOW_UNSUPPORTED_TYPE');
  } else {
    ctx.problems.advise(at, `${path}.type`, `task '${id}' has type ${info.name}, which this version of Troupe cannot run yet: its task run will fail`);
  }
}

function unknownProperty(key: string, info: TaskTypeInfo): string {
  const known = [...Object.keys(info.props), ...(info.kind === 'flowable' ? ['errors'] : [])];
  return `unknown property '${key}' for ${info.name}; ${known.length > 0 ? `its properties are ${known.join(', ')}` : 'it takes no properties'} (plus the common task properties)`;
}

function asString(v: YNode): string {
  return v.kind === 'scalar' ? String(v.value) : JSON.stringify(toPlain(v));
}

function asBool(v: YNode): boolean {
  return v.kind === 'scalar' && (v.value === true || (typeof v.value === 'string' && v.value.toLowerCase() === 'true'));
}

function setProperty(task: Task, key: string, spec: PropSpec, value: YNode, path: string, ctx: TaskContext): void {
  switch (key) {
    case 'id':
    case 'type':
      return;
    case 'description':
    case 'runIf':
    case 'timeout':
    case 'logLevel':
      task[key] = asString(value);
      return;
    case 'disabled':
    case 'allowFailure':
    case 'allowWarning':
      task[key] = asBool(value);
      return;
    case 'retry': {
      const retry = parseRetry(value, path, ctx.problems);
      if (retry) task.retry = retry;
      return;
    }
    case 'errors':
      task.errors = buildTasks(value, path, ctx);
      return;
  }
  if (spec.type === 'tasks') {
    const tasks = buildTasks(value, path, ctx);
    if (spec.runnableOnly) {
      for (const child of tasks) if (child.kind === 'flowable') ctx.problems.add(child.source ?? { line: value.line, column: value.column, path }, child.source?.path ?? path, `Only runnable tasks are allowed as children of a ${task.canonicalType.slice(task.canonicalType.lastIndexOf('.') + 1)} task ('${child.id}' is a flowable)`);
    }
    setOwn(task.props, key, tasks);
  }
  else if (spec.type === 'cases') setOwn(task.props, key, buildCases(value as YMap, path, ctx));
  else if (spec.type === 'dag') setOwn(task.props, key, buildDag(value, path, task, ctx));
  else setOwn(task.props, key, toPlain(value));
}

/** Switch `cases`: a map from case value (always a string key) to a list of tasks. */
function buildCases(node: YMap, path: string, ctx: TaskContext): Record<string, Task[]> {
  const out: Record<string, Task[]> = {};
  for (const [key, e] of node.entries) setOwn(out, key, buildTasks(e.value, `${path}.${key}`, ctx));
  return out;
}

/** A Dag entry in the model: the task and the ids it waits for. */
export interface DagEntry {
  task: Task;
  dependsOn?: string[];
}

function buildDag(node: YNode, path: string, dagTask: Task, ctx: TaskContext): DagEntry[] {
  const { problems } = ctx;
  const out: DagEntry[] = [];
  if (node.kind !== 'seq') return out;
  node.items.forEach((item, i) => {
    const at = `${path}[${i}]`;
    if (item.kind !== 'map') return problems.add(item, at, `expected a {task, dependsOn} entry but got ${describeNode(item)}`);
    for (const [key, e] of item.entries) {
      if (key !== 'task' && key !== 'dependsOn') problems.add(e.keyAt, `${at}.${key}`, `unknown property '${key}' in a Dag entry; expected task and dependsOn`);
    }
    const taskNode = item.entries.get('task')?.value;
    if (!taskNode) return problems.add(item, at, "missing required property 'task'");
    const task = buildTask(taskNode, `${at}.task`, ctx);
    const depsNode = item.entries.get('dependsOn')?.value;
    let dependsOn: string[] | undefined;
    if (depsNode && depsNode.kind === 'seq' && depsNode.items.every((d) => d.kind === 'scalar' && d.value !== null)) {
      dependsOn = depsNode.items.map((d) => String((d as { value: unknown }).value));
    } else if (depsNode && !(depsNode.kind === 'scalar' && depsNode.value === null)) {
      problems.add(depsNode, `${at}.dependsOn`, `expected a list of task ids but got ${describeNode(depsNode)}`);
    }
    if (task) out.push(dependsOn ? { task, dependsOn } : { task });
  });
  const nodes = out.map((e) => ({ id: e.task.id, dependsOn: e.dependsOn ?? [] }));
  const where = dagTask.source ?? { line: node.line, column: node.column, path };
  const missing = findMissingDependencies(nodes);
  if (missing.length > 0) problems.add(where, where.path, `dag: Not existing task id in dependency: ${missing.join(', ')}`);
  const cyclic = findCyclicTasks(nodes);
  if (cyclic.length > 0) problems.add(where, where.path, `dag: Cyclic dependency detected: ${cyclic.join(', ')}`);
  return out;
}

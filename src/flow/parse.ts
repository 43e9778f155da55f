/**
 * YAML text → validated {@link Flow}: reads the source defensively, then checks and builds every
 * section, collecting all problems before reporting them.
 */
import { TroupeError, type FlowError } from '../errors.js';
import type { Flow, Task } from '../model/index.js';
import { buildTasks, type DagEntry, type TaskContext } from './build-task.js';
import { resolveTaskType } from './task-types.js';
import { parseConcurrency, parseLabels, parseListeners, parseOutputs, parsePluginDefaults, parseTriggers, rejectUnknownKeys } from './flow-sections.js';
import { parseInputs } from './inputs.js';
import { toPluginDefault, type DefaultEntry } from './plugin-defaults.js';
import { describeProblem, problemsToError, Problems, type FlowAdvice, type FlowProblem } from './problems.js';
import { DEFAULT_READ_LIMITS, MAX_DEPTH_CEILING, readYaml, type ReadLimits } from '../yaml/read.js';
import { parseRetry } from './retry.js';
import { parseSla } from './sla.js';
import { describeNode, toPlain, type YMap, type YNode } from '../yaml/tree.js';

/** Options of {@link parseFlow} and {@link validateFlow}. */
export interface ParseFlowOptions {
  /** The file name shown in error messages. */
  file?: string;
  /** Largest accepted source in UTF-8 bytes. @default 10485760 (10 MiB) */
  maxBytes?: number;
  /** Deepest accepted nesting of YAML collections, aliases included; at most 500. @default 100 */
  maxDepth?: number;
  /** Largest accepted alias expansion (the yaml package's `maxAliasCount`). @default 100 */
  maxAliasCount?: number;
  /**
   * Refuse a task whose type this build cannot run (TROUPE_FLOW_UNSUPPORTED_TYPE), as a deploy
   * does; otherwise it is advice in `warnings` and the task fails when it runs. @default false
   */
  requireRunnable?: boolean;
}

/** One problem as reported by {@link validateFlow} and in `details.errors`; `message` starts with the path. */
export type FlowValidationError = FlowProblem;

/** The result of {@link validateFlow}. */
export type FlowValidation = { ok: true; flow: Flow; warnings: FlowAdvice[] } | { ok: false; errors: FlowValidationError[]; error: FlowError; warnings: FlowAdvice[] };

/** Flow ids: `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1 to 100 characters. */
export const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Namespaces: `^[a-z0-9][a-z0-9._-]*`, 1 to 150 characters. */
export const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;

const FLOW_KEYS = [
  'id', 'namespace', 'revision', 'description', 'labels', 'inputs', 'variables', 'tasks', 'errors', 'listeners', 'triggers',
  'pluginDefaults', 'taskDefaults', 'concurrency', 'outputs', 'retry', 'sla', 'disabled', 'deleted', 'tenantId',
];

/**
 * Parses and validates a flow without throwing for anything in `source`.
 * @returns the flow, or every problem found with its line, column and path
 * @throws TroupeError TROUPE_OPTION_INVALID when `options.maxDepth` is outside 1…500
 */
export function validateFlow(source: string, options: ParseFlowOptions = {}): FlowValidation {
  const read = readYaml(source, readLimits(options));
  const problems = new Problems();
  // One by one, never spread: a hostile source yields hundreds of thousands of problems.
  if (!read.ok) for (const p of read.problems) problems.add(p, '', p.message, p.code);
  const flow = read.ok ? buildFlow(read.root, source, problems, options.requireRunnable === true) : undefined;
  const warnings = [...problems.advice].sort((a, b) => a.line - b.line || a.column - b.column);
  if (flow && problems.size === 0) return { ok: true, flow, warnings };
  const sorted = [...problems.list].sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = sorted.map((p) => ({ ...p, message: describeProblem(p) }));
  return { ok: false, errors, error: problemsToError(sorted, options.file, problems.dropped), warnings };
}

/** The read limits of `options`, defaults filled in; refuses a depth cap the loader cannot honour. */
function readLimits(options: ParseFlowOptions): ReadLimits {
  const maxDepth = options.maxDepth ?? DEFAULT_READ_LIMITS.maxDepth;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_CEILING) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `maxDepth must be an integer from 1 to ${MAX_DEPTH_CEILING} (got ${String(maxDepth)})`, { option: 'maxDepth' });
  }
  return {
    maxBytes: options.maxBytes ?? DEFAULT_READ_LIMITS.maxBytes,
    maxDepth,
    maxAliasCount: options.maxAliasCount ?? DEFAULT_READ_LIMITS.maxAliasCount,
  };
}

/**
 * Parses YAML text into a validated {@link Flow}.
 * @param source - the flow's YAML
 * @param options - file name for messages and safety limits
 * @returns the flow, with `revision` 1 unless the source sets one
 * @throws FlowError TROUPE_FLOW_INVALID listing every problem on its own line (details.errors);
 *   or TROUPE_FLOW_SYNTAX, _TOO_LARGE, _TOO_DEEP, _DUPLICATE_KEY, _TOO_MANY_ALIASES, _UNKNOWN_TYPE
 *   when every problem is of that kind
 * @example
 * const flow = parseFlow('id: hello\nnamespace: demo\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n');
 */
export function parseFlow(source: string, options: ParseFlowOptions = {}): Flow {
  const result = validateFlow(source, options);
  if (!result.ok) throw result.error;
  return result.flow;
}

function scalarString(root: YMap, key: string, problems: Problems): string | undefined {
  const node = root.entries.get(key)?.value;
  if (!node) {
    problems.add(root, '', `missing required property '${key}'`);
    return undefined;
  }
  if (node.kind !== 'scalar' || node.value === null) {
    problems.add(node, key, `expected a string but got ${describeNode(node)}`);
    return undefined;
  }
  return String(node.value);
}

function checkName(node: YNode | undefined, key: string, value: string | undefined, re: RegExp, max: number, problems: Problems): void {
  if (value === undefined || !node) return;
  if (value.length < 1 || value.length > max) problems.add(node, key, `must be 1 to ${max} characters long (got ${value.length})`);
  else if (!re.test(value)) problems.add(node, key, `'${value}' must match ${re.source}`);
}

function buildFlow(root: YNode, source: string, problems: Problems, requireRunnable: boolean): Flow | undefined {
  if (root.kind !== 'map') {
    problems.add(root, '', `expected a flow (a map with id, namespace and tasks) but got ${describeNode(root)}`);
    return undefined;
  }
  rejectUnknownKeys(root, '', FLOW_KEYS, problems);
  const get = (key: string): YNode | undefined => root.entries.get(key)?.value;
  const id = scalarString(root, 'id', problems);
  const namespace = scalarString(root, 'namespace', problems);
  checkName(get('id'), 'id', id, FLOW_ID, 100, problems);
  checkName(get('namespace'), 'namespace', namespace, NAMESPACE, 150, problems);

  const defaults = readDefaults(root, problems);
  const ctx: TaskContext = { problems, defaults, ids: [], requireRunnable };
  const tasksNode = get('tasks');
  let tasks: Task[] = [];
  if (!tasksNode) problems.add(root, '', "missing required property 'tasks'");
  else if (tasksNode.kind === 'seq' && tasksNode.items.length === 0) problems.add(tasksNode, 'tasks', 'must not be empty');
  else tasks = buildTasks(tasksNode, 'tasks', ctx);

  const flow: Flow = {
    id: id ?? '',
    namespace: namespace ?? '',
    revision: readRevision(get('revision'), problems),
    labels: get('labels') ? parseLabels(get('labels') as YNode, problems) : [],
    inputs: get('inputs') ? parseInputs(get('inputs') as YNode, problems) : [],
    variables: readVariables(get('variables'), problems),
    tasks,
    outputs: get('outputs') ? parseOutputs(get('outputs') as YNode, problems) : [],
    pluginDefaults: defaults.map(toPluginDefault),
    triggers: get('triggers') ? parseTriggers(get('triggers') as YNode, ctx) : [],
    disabled: readBool(get('disabled'), 'disabled', problems),
    source,
  };
  const optional: Array<[string, (n: YNode) => void]> = [
    ['description', (n) => (flow.description = String(toPlain(n)))],
    ['errors', (n) => (flow.errors = buildTasks(n, 'errors', ctx))],
    ['listeners', (n) => (flow.listeners = parseListeners(n, ctx))],
    ['retry', (n) => (flow.retry = parseRetry(n, 'retry', problems))],
    ['concurrency', (n) => (flow.concurrency = parseConcurrency(n, problems))],
    ['sla', (n) => (flow.sla = parseSla(n, problems))],
  ];
  for (const [key, read] of optional) {
    const node = get(key);
    if (node) read(node);
  }
  if (flow.retry === undefined) delete flow.retry;
  if (flow.concurrency === undefined) delete flow.concurrency;
  checkUniqueTaskIds(ctx);
  checkRecursiveSubflows(flow, problems);
  return flow;
}

function readDefaults(root: YMap, problems: Problems): DefaultEntry[] {
  const plugin = root.entries.get('pluginDefaults')?.value;
  const task = root.entries.get('taskDefaults')?.value;
  return [...(plugin ? parsePluginDefaults(plugin, 'pluginDefaults', problems) : []), ...(task ? parsePluginDefaults(task, 'taskDefaults', problems) : [])];
}

function readRevision(node: YNode | undefined, problems: Problems): number {
  if (!node) return 1;
  if (node.kind === 'scalar' && typeof node.value === 'number' && Number.isInteger(node.value) && node.value >= 1) return node.value;
  problems.add(node, 'revision', `expected an integer ≥ 1 but got ${describeNode(node)}`);
  return 1;
}

function readBool(node: YNode | undefined, path: string, problems: Problems): boolean {
  if (!node) return false;
  if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
  problems.add(node, path, `expected a boolean but got ${describeNode(node)}`);
  return false;
}

function readVariables(node: YNode | undefined, problems: Problems): Record<string, unknown> {
  if (!node || (node.kind === 'scalar' && node.value === null)) return {};
  if (node.kind === 'map') return toPlain(node) as Record<string, unknown>;
  problems.add(node, 'variables', `expected a map but got ${describeNode(node)}`);
  return {};
}

/** Kestra: `Duplicate task id with name [a, b]`, reported where the first repeat is. */
function checkUniqueTaskIds(ctx: TaskContext): void {
  const seen = new Set<string>();
  const repeated: TaskContext['ids'] = [];
  for (const entry of ctx.ids) {
    if (seen.has(entry.id)) repeated.push(entry);
    seen.add(entry.id);
  }
  const [first] = repeated;
  if (first) ctx.problems.add(first.at, `${first.path}.id`, `Duplicate task id with name [${[...new Set(repeated.map((r) => r.id))].join(', ')}]`);
}

/** A Subflow or ForEachItem may not name its own flow literally. */
function checkRecursiveSubflows(flow: Flow, problems: Problems): void {
  const visit = (tasks: readonly Task[]): void => {
    for (const task of tasks) {
      const { namespace, flowId } = task.props;
      if ((task.canonicalType.endsWith('.flow.Subflow') || task.canonicalType.endsWith('.flow.ForEachItem')) && namespace === flow.namespace && flowId === flow.id) {
        problems.add(task.source ?? { line: 1, column: 1 }, task.source?.path ?? '', `Recursive call to flow [${flow.namespace}.${flow.id}]`);
      }
      visit(childTasks(task));
    }
  };
  visit([...flow.tasks, ...(flow.errors ?? [])]);
}

/** Every task directly held by `task`, in written order: its task-holding properties, then `errors`. */
export function childTasks(task: Task): Task[] {
  const specs = resolveTaskType(task.canonicalType)?.props ?? {};
  const out: Task[] = [];
  for (const [key, value] of Object.entries(task.props)) {
    const kind = specs[key]?.type;
    if (kind === 'tasks') out.push(...(value as Task[]));
    else if (kind === 'cases') for (const list of Object.values(value as Record<string, Task[]>)) out.push(...list);
    else if (kind === 'dag') out.push(...(value as DagEntry[]).map((e) => e.task));
  }
  return [...out, ...(task.errors ?? [])];
}

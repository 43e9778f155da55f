/**
 * The render context of a task run, as Kestra builds it (§5.2): flow, execution, task, taskrun,
 * parents/parent, outputs, inputs (with declared defaults), vars (unrendered), labels (system
 * labels nested under `labels.system`), trigger, envs, globals and the execution's variables.
 * Built by walking the run's ancestors only.
 */
import type { RenderOptions } from '../expr/index.js';
import type { Flow, Task } from '../model/flow.js';
import { typeInfoOf } from '../tasks/registry.js';
import type { FlowIndex } from './flow-index.js';
import type { ExecutionState, RunEntry } from './state.js';

/** Values that come from the host, not from the execution. */
export interface HostVars {
  envs?: Record<string, string>;
  globals?: Record<string, unknown>;
  /** Options of every render the step does (host functions such as secret()). */
  render?: RenderOptions;
}

function labelsMap(state: ExecutionState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const system: Record<string, string> = {};
  for (const { key, value } of state.header.labels) {
    if (key.startsWith('system.')) {
      const k = key.slice('system.'.length);
      if (!Object.hasOwn(system, k)) system[k] = value;
    } else if (!Object.hasOwn(out, key)) out[key] = value;
  }
  if (Object.keys(system).length) out.system = system;
  return out;
}

function inputsWithDefaults(state: ExecutionState): Record<string, unknown> | undefined {
  const inputs: Record<string, unknown> = { ...(state.header.inputs ?? {}) };
  for (const input of state.flow.inputs) {
    if (!Object.hasOwn(inputs, input.id) && input.defaults !== undefined) inputs[input.id] = input.defaults;
  }
  return Object.keys(inputs).length ? inputs : undefined;
}

function parentsOf(entry: RunEntry): Array<Record<string, unknown>> {
  const parents: Array<Record<string, unknown>> = [];
  for (let e = entry.group.parent; e; e = e.group.parent) {
    const hasOutputs = !!e.run.outputs && Object.keys(e.run.outputs).length > 0;
    if (e.run.value === undefined && !hasOutputs) continue;
    const p: Record<string, unknown> = {};
    if (e.run.value !== undefined) p.taskrun = { value: e.run.value };
    if (hasOutputs) p.outputs = e.run.outputs;
    parents.push(p);
  }
  return parents;
}

/** The flow-level context (no task): used for flow outputs and top-level rendering. */
export function flowVars(state: ExecutionState, host: HostVars): Record<string, unknown> {
  const { flow, header } = state;
  const vars: Record<string, unknown> = { ...(header.variables ?? {}) };
  vars.flow = { id: flow.id, namespace: flow.namespace, revision: flow.revision };
  vars.execution = { id: header.id, startDate: header.state.histories[0]!.date, originalId: header.originalId };
  vars.outputs = state.outputs;
  const inputs = inputsWithDefaults(state);
  if (inputs) vars.inputs = inputs;
  vars.vars = flow.variables;
  vars.labels = labelsMap(state);
  if (header.trigger?.variables) vars.trigger = header.trigger.variables;
  vars.envs = host.envs ?? {};
  vars.globals = host.globals ?? {};
  return vars;
}

/** The context for rendering `entry`'s task (`attemptsCount` = attempts before the current one). */
export function runVars(state: ExecutionState, entry: RunEntry, host: HostVars): Record<string, unknown> {
  const vars = flowVars(state, host);
  const run = entry.run;
  vars.task = { id: entry.task.id, type: entry.task.type };
  const taskrun: Record<string, unknown> = { id: run.id, startDate: run.state.histories[0]!.date, attemptsCount: run.attempts?.length ?? 0 };
  if (run.parentTaskRunId !== undefined) taskrun.parentId = run.parentTaskRunId;
  if (run.value !== undefined) taskrun.value = run.value;
  if (run.iteration !== undefined) taskrun.iteration = run.iteration;
  const worker = entry.branch === 'normal' && entry.group.work ? entry.group.parent : null;
  if (worker) {
    // A WorkingDirectory's tasks render its run as `workerTaskrun`, and its value as their own (Kestra's forWorkingDirectory).
    const w = worker.run;
    if (w.value !== undefined && run.value === undefined) taskrun.value = w.value;
    vars.workerTaskrun = { id: w.id, startDate: w.state.histories[0]!.date, attemptsCount: w.attempts?.length ?? 0, ...(w.parentTaskRunId !== undefined ? { parentId: w.parentTaskRunId } : {}), ...(w.value !== undefined ? { value: w.value } : {}) };
  }
  vars.taskrun = taskrun;
  const parents = parentsOf(entry);
  if (parents.length) {
    vars.parents = parents;
    vars.parent = parents[0];
  }
  return vars;
}

const OUTPUT_REF = /\boutputs\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*(['"])(.*?)\2\s*\])|\boutputs\b/g;

function collectStrings(value: unknown, out: string[], depth = 0): void {
  if (typeof value === 'string') out.push(value);
  else if (depth < 8 && value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out, depth + 1);
}

/** What a task's templates reach, found once per task (tasks are immutable once parsed). */
interface TaskReach {
  /** Task ids read as `outputs.<id>` / `outputs['<id>']`, or 'all' when outputs are read dynamically. */
  outputs: ReadonlySet<string> | 'all';
  /** Every identifier-like word of the templates: a root variable not among them cannot be read. */
  words: ReadonlySet<string> | 'all';
  errorLogs: boolean;
}

const WORD = /[A-Za-z_][\w]*/g;

const reachOf = new WeakMap<Task, TaskReach>();

/** Task ids that templates among `strings` read as `outputs.<id>` / `outputs['<id>']`, or 'all' when one reads outputs dynamically. */
function outputIdsIn(strings: readonly string[]): ReadonlySet<string> | 'all' {
  const ids = new Set<string>();
  for (const s of strings) {
    if (!s.includes('{')) continue;
    if (s.includes('currentEachOutput') || s.includes('render(')) return 'all';
    for (const m of s.matchAll(OUTPUT_REF)) {
      const id = m[1] ?? m[3];
      if (id === undefined) return 'all';
      ids.add(id);
    }
  }
  return ids;
}

function reach(task: Task): TaskReach {
  let r = reachOf.get(task);
  if (r) return r;
  const strings: string[] = [];
  collectStrings(task.props, strings);
  // The pool renders the timeout too.
  if (task.timeout !== undefined) strings.push(task.timeout);
  // render() and renderOnce() render text the task does not contain, and currentEachOutput()
  // reads parents and taskrun without naming them: such templates may read anything.
  const dynamic = strings.some((s) => s.includes('{') && /\b(render(Once)?|currentEachOutput)\s*\(/.test(s));
  const words = new Set<string>();
  if (!dynamic) for (const s of strings) if (s.includes('{')) for (const w of s.match(WORD) ?? []) words.add(w);
  // What the type's behaviour reads by itself (a notification's execution summary).
  const info = typeInfoOf(task.canonicalType);
  const reads = info?.reads ?? [];
  for (const w of reads) words.add(w);
  let outputs = outputIdsIn(strings);
  const siblings = info?.readsOutputsOf?.(task) ?? [];
  if (outputs !== 'all' && siblings.length) outputs = new Set([...outputs, ...siblings]);
  r = { outputs, words: dynamic ? 'all' : words, errorLogs: reads.includes('errorLogs') || strings.some((s) => s.includes('errorLogs')) };
  reachOf.set(task, r);
  return r;
}

const readByFlow = new WeakMap<Flow, ReadonlySet<string> | 'all'>();

/**
 * The task ids whose outputs any template of the flow can read — a task's properties, its
 * `runIf` and `timeout`, the flow's outputs — or 'all' when one reads outputs dynamically. The
 * outputs tree keeps only these: the outputs of a task nothing names cost no memory.
 */
export function outputsReadBy(flow: Flow, index: FlowIndex): ReadonlySet<string> | 'all' {
  let read = readByFlow.get(flow);
  if (read) return read;
  const ids = new Set<string>();
  const extra: string[] = [];
  collectStrings(flow.outputs.map((o) => o.value), extra);
  let all = false;
  for (const { task } of index.values()) {
    const r = reach(task).outputs;
    if (r === 'all') all = true;
    else for (const id of r) ids.add(id);
    if (task.runIf !== undefined) extra.push(task.runIf);
  }
  const more = outputIdsIn(extra);
  if (more === 'all') all = true;
  else for (const id of more) ids.add(id);
  read = all ? 'all' : ids;
  readByFlow.set(flow, read);
  return read;
}

/**
 * The part of the outputs tree a task's templates can reach. When every reference is
 * `outputs.<id>` or `outputs['<id>']`, only those task ids are shipped to the pool; otherwise the
 * whole tree (a template that uses outputs dynamically may read any of it).
 */
export function outputsFor(task: Task, outputs: Record<string, unknown>): Record<string, unknown> {
  const ids = reach(task).outputs;
  return ids === 'all' ? outputs : pick(outputs, ids);
}

/** The entries of `from` whose key is in `keys`. */
function pick(from: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(from, k)) out[k] = from[k];
  return out;
}

/**
 * The render context a task's templates can reach: root variables whose name never appears in
 * them are left out, so a dispatch does not carry (and clone twice) what the task cannot read.
 * A task with no template gets an empty context.
 */
export function varsFor(task: Task, vars: Record<string, unknown>): Record<string, unknown> {
  const words = reach(task).words;
  return words === 'all' ? vars : pick(vars, words);
}

/** Whether a task's templates call `errorLogs()` (the dispatch then carries the ERROR lines). */
export function usesErrorLogs(task: Task): boolean {
  return reach(task).errorLogs;
}

/**
 * A flow as Kestra's `FlowGraph` (kestra-api.md §2, `GET /flows/{ns}/{id}/graph`): the nodes a
 * topology view draws, the edges between them with their relation, and a cluster per flowable
 * (its own start and end nodes, the task itself, its children), the triggers in a cluster of
 * their own, and — on request — subflow tasks replaced by the graph of the flow they start.
 *
 * Shapes and uids are Kestra's (`core/models/hierarchies`, `GraphUtils`): a node of the top graph
 * is `root.<taskId>`, a child of a flowable `root.<flowableId>.<taskId>`, a cluster
 * `cluster_root.<flowableId>`, a trigger `root.Triggers.<triggerId>`. Kestra names a cluster's
 * start and end nodes with random ids; here they are `<cluster path>._root` / `._end`, so the same
 * flow always gives the same graph. Pure: the host passes what it knows (trigger states, how to
 * find a subflow).
 * @module
 */
import { TroupeError } from '../errors.js';
import type { Flow, Task } from '../model/flow.js';
import { ITEMS_TYPE } from '../tasks/for-each-item/index.js';
import type { DagEntry } from './build-task.js';
import { childTasks } from './parse.js';

/** How an edge (or a node, towards its predecessor) relates. */
export type RelationType = 'SEQUENTIAL' | 'CHOICE' | 'ERROR' | 'PARALLEL' | 'DYNAMIC';

/** An edge's relation: `{}` for the links into a cluster's end. */
export interface Relation {
  relationType?: RelationType;
  value?: string;
}

/** One node as Kestra serializes an `AbstractGraph`. */
export interface GraphNodeJson {
  uid: string;
  type: string;
  error: boolean;
  task?: Record<string, unknown>;
  relationType?: RelationType;
  triggerDeclaration?: Record<string, unknown>;
  trigger?: unknown;
}

/** A cluster as Kestra serializes a `GraphCluster` (its start, end and graph are not). */
export interface GraphClusterJson {
  uid: string;
  type: string;
  error: boolean;
  relationType?: RelationType;
  taskNode?: GraphNodeJson;
}

/** Kestra's `FlowGraph`. */
export interface FlowGraphJson {
  nodes: GraphNodeJson[];
  edges: Array<{ source: string; target: string; relation: Relation }>;
  clusters: Array<{ cluster: GraphClusterJson; nodes: string[]; parents: string[]; start: string; end: string }>;
}

/** What building a graph may ask the host. */
export interface FlowGraphOptions {
  /** uids of the subflow tasks to expand (`?subflows=root.launch`). */
  subflows?: readonly string[];
  /** The flow a subflow task starts (latest revision when `revision` is absent); undefined when none. */
  findFlow?: (namespace: string, id: string, revision: number | undefined) => Flow | undefined;
  /** The stored state of a trigger of a flow (Kestra's trigger context JSON), if it has one. */
  triggerState?: (namespace: string, flowId: string, triggerId: string) => unknown;
}

const PKG = 'io.kestra.core.models.hierarchies.';
const FLOW = 'io.kestra.plugin.core.flow.';
const SUBFLOW_TYPES = new Set([`${FLOW}Subflow`, ITEMS_TYPE]);
const SEQUENTIAL_TYPES = new Set(['Sequential', 'AllowFailure', 'WorkingDirectory', 'WaitFor', 'Pause', 'ForEachItem'].map((n) => FLOW + n));

interface Leaf {
  kind: 'leaf';
  type: 'GraphClusterRoot' | 'GraphClusterEnd' | 'GraphTask' | 'SubflowGraphTask' | 'GraphTrigger';
  /** The uid, or for a start/end node its cluster's path. */
  uid: string;
  error: boolean;
  task?: Task;
  relationType?: RelationType;
  trigger?: { declaration: Record<string, unknown>; state: unknown };
}

interface Edge {
  source: Leaf;
  target: Leaf;
  relation: Relation;
}

interface Cluster {
  kind: 'cluster';
  type: 'GraphCluster' | 'SubflowGraphCluster';
  path: string;
  error: boolean;
  relationType?: RelationType;
  root: Leaf;
  end: Leaf;
  taskNode?: Leaf;
  items: Item[];
  edges: Edge[];
}

type Item = Leaf | Cluster;

/** Where building stands: the options and the flow whose tasks are being laid out. */
interface Build {
  options: FlowGraphOptions;
}

function newCluster(path: string, relationType: RelationType | undefined, task?: Task, type: Cluster['type'] = 'GraphCluster'): Cluster {
  const c: Cluster = {
    kind: 'cluster',
    type,
    path,
    error: false,
    root: { kind: 'leaf', type: 'GraphClusterRoot', uid: path, error: false },
    end: { kind: 'leaf', type: 'GraphClusterEnd', uid: path, error: false },
    items: [],
    edges: [],
  };
  if (relationType) c.relationType = relationType;
  if (task) {
    c.taskNode = { kind: 'leaf', type: 'GraphTask', uid: path, error: false, task, ...(relationType ? { relationType } : {}) };
    link(c, c.root, c.taskNode, {});
  }
  return c;
}

/** One edge; a second one between the same nodes replaces the first's relation (a graph has one). */
function link(c: Cluster, from: Item, to: Item, relation: Relation): void {
  const source = from.kind === 'cluster' ? from.end : from;
  const target = to.kind === 'cluster' ? to.root : to;
  const same = c.edges.find((e) => e.source === source && e.target === target);
  if (same) same.relation = relation;
  else c.edges.push({ source, target, relation });
}

/** Marks a node of an errors branch: a cluster, its own node, start and end (not its children), as Kestra. */
function markError(item: Item): void {
  item.error = true;
  if (item.kind === 'cluster') {
    item.root.error = true;
    item.end.error = true;
    if (item.taskNode) item.taskNode.error = true;
  }
}

/**
 * Lays out `tasks` in `c` (Kestra's `fillGraph`): each after the previous (or all from the
 * cluster's own node when `mode` is PARALLEL), an errors branch from the cluster's start; the
 * last one (every one, in parallel) into the cluster's end.
 */
function fill(c: Cluster, tasks: readonly Task[], mode: 'SEQUENTIAL' | 'PARALLEL' | 'ERROR', value: string | undefined, b: Build): void {
  let previous: Item = c.taskNode ?? c.root;
  tasks.forEach((task, i) => {
    let relationType = c.relationType;
    if (mode === 'ERROR') relationType = 'ERROR';
    else if (i > 0 && mode !== 'PARALLEL' && c.relationType !== 'DYNAMIC') relationType = mode;
    const item = itemOf(task, c.path, mode, b, false);
    c.items.push(item);
    if (mode === 'ERROR') {
      markError(item);
      if (i === 0) previous = c.root;
    }
    link(c, previous, item, { ...(relationType ? { relationType } : {}), ...(value !== undefined ? { value } : {}) });
    if (mode !== 'PARALLEL') previous = item;
    if (mode === 'PARALLEL' || i === tasks.length - 1) link(c, item, c.end, {});
  });
}

/** A list of children, then the owner's `errors` branch. */
function fillWithErrors(c: Cluster, tasks: readonly Task[], mode: 'SEQUENTIAL' | 'PARALLEL', errors: readonly Task[] | undefined, b: Build): void {
  fill(c, tasks, mode, undefined, b);
  if (errors && errors.length > 0) fill(c, errors, 'ERROR', undefined, b);
}

/**
 * A Dag's children (Kestra's `fillGraphDag`): a task without dependencies from the Dag's node,
 * the others from each task they depend on; a task nothing depends on into the end.
 */
function fillDag(c: Cluster, entries: readonly DagEntry[], b: Build): void {
  const made = new Map<string, Item>();
  const depended = new Set(entries.flatMap((e) => e.dependsOn ?? []));
  let progress = true;
  while (made.size < entries.length && progress) {
    progress = false;
    for (const entry of entries) {
      const deps = entry.dependsOn ?? [];
      if (made.has(entry.task.id) || !deps.every((d) => made.has(d))) continue;
      const item = itemOf(entry.task, c.path, 'SEQUENTIAL', b, true);
      c.items.push(item);
      if (deps.length === 0) link(c, c.taskNode ?? c.root, item, { relationType: 'PARALLEL' });
      for (const d of deps) link(c, made.get(d)!, item, { relationType: 'PARALLEL' });
      if (!depended.has(entry.task.id)) link(c, item, c.end, {});
      made.set(entry.task.id, item);
      progress = true;
    }
  }
}

function tasksProp(task: Task, key: string): Task[] {
  const v = task.props[key];
  return Array.isArray(v) ? (v as Task[]) : [];
}

/**
 * The node (or cluster) of one task. `mode` is how its list is laid out (its node's
 * `relationType`); inside a Dag every task is a plain task node, as Kestra draws it.
 */
function itemOf(task: Task, parentPath: string, mode: RelationType, b: Build, inDag: boolean): Item {
  const path = `${parentPath}.${task.id}`;
  const type = task.canonicalType;
  const leaf = (kind: Leaf['type'], relationType: RelationType): Leaf => ({ kind: 'leaf', type: kind, uid: path, error: false, task, relationType });
  if (SUBFLOW_TYPES.has(type)) return leaf(inDag ? 'GraphTask' : 'SubflowGraphTask', mode);
  if (task.kind !== 'flowable') return leaf('GraphTask', mode);
  const errors = task.errors;
  if (type === `${FLOW}Pause` && tasksProp(task, 'tasks').length === 0) return leaf('GraphTask', 'SEQUENTIAL');
  if (SEQUENTIAL_TYPES.has(type)) {
    const c = newCluster(path, 'SEQUENTIAL', task);
    fillWithErrors(c, tasksProp(task, 'tasks'), 'SEQUENTIAL', errors, b);
    return c;
  }
  switch (type) {
    case `${FLOW}Parallel`: {
      const c = newCluster(path, 'PARALLEL', task);
      fillWithErrors(c, tasksProp(task, 'tasks'), 'PARALLEL', errors, b);
      return c;
    }
    case `${FLOW}EachSequential`:
    case `${FLOW}EachParallel`:
    case `${FLOW}ForEach`: {
      const c = newCluster(path, 'DYNAMIC', task);
      const limit = task.props['concurrencyLimit'];
      const parallel = type === `${FLOW}EachParallel` || (type === `${FLOW}ForEach` && limit !== undefined && Number(limit) !== 1);
      fillWithErrors(c, tasksProp(task, 'tasks'), parallel ? 'PARALLEL' : 'SEQUENTIAL', errors, b);
      return c;
    }
    case `${FLOW}If`: {
      const c = newCluster(path, 'CHOICE', task);
      fill(c, tasksProp(task, 'then'), 'SEQUENTIAL', 'then', b);
      fill(c, tasksProp(task, 'else'), 'SEQUENTIAL', 'else', b);
      if (errors && errors.length > 0) fill(c, errors, 'ERROR', undefined, b);
      return c;
    }
    case `${FLOW}Switch`: {
      const c = newCluster(path, 'CHOICE', task);
      const defaults = tasksProp(task, 'defaults');
      if (task.props['defaults'] !== undefined) fill(c, defaults, 'SEQUENTIAL', 'defaults', b);
      const cases = (task.props['cases'] ?? {}) as Record<string, Task[]>;
      for (const [key, list] of Object.entries(cases)) fill(c, list, 'SEQUENTIAL', key, b);
      if (errors && errors.length > 0) fill(c, errors, 'ERROR', undefined, b);
      return c;
    }
    case `${FLOW}Dag`: {
      const c = newCluster(path, 'DYNAMIC', task);
      fillDag(c, (task.props['tasks'] ?? []) as DagEntry[], b);
      if (errors && errors.length > 0) fill(c, errors, 'ERROR', undefined, b);
      return c;
    }
  }
  // A flowable of no shape Kestra draws (Template): its children in order, else a plain node.
  const children = childTasks(task).filter((t) => !errors?.includes(t));
  if (children.length === 0 && !errors?.length) return leaf('GraphTask', mode);
  const c = newCluster(path, 'SEQUENTIAL', task);
  fillWithErrors(c, children, 'SEQUENTIAL', errors, b);
  return c;
}

/** The triggers' cluster, linked into `c`'s start. */
function addTriggers(c: Cluster, flow: Flow, b: Build): void {
  if (flow.triggers.length === 0) return;
  const t = newCluster(`${c.path}.Triggers`, undefined);
  for (const trigger of flow.triggers) {
    const state = b.options.triggerState?.(flow.namespace, flow.id, trigger.id);
    const node: Leaf = { kind: 'leaf', type: 'GraphTrigger', uid: `${t.path}.${trigger.id}`, error: false, trigger: { declaration: { id: trigger.id, type: trigger.type, ...trigger.props }, state } };
    t.items.push(node);
    link(t, t.root, node, {});
    link(t, node, t.end, {});
  }
  c.items.push(t);
  link(c, t, c.root, {});
}

/** A flow's triggers and tasks laid out in `c` (Kestra's `GraphUtils.of`). */
function layOut(c: Cluster, flow: Flow, b: Build): void {
  addTriggers(c, flow, b);
  fillWithErrors(c, flow.tasks, 'SEQUENTIAL', flow.errors, b);
}

/** A subflow task's target, refusing one that is only known at run time. */
function subflowOf(task: Task, b: Build): Flow {
  const namespace = String(task.props['namespace'] ?? '');
  const flowId = String(task.props['flowId'] ?? '');
  if (namespace.includes('{{') || flowId.includes('{{')) {
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Can't expand subflow task '${task.id}' because namespace and/or flowId contains dynamic values. This can only be viewed on an execution.`);
  }
  const revision = typeof task.props['revision'] === 'number' ? task.props['revision'] : undefined;
  const flow = b.options.findFlow?.(namespace, flowId, revision);
  if (!flow) throw new TroupeError('TROUPE_HTTP_NOT_FOUND', `Unable to find subflow ${namespace}_${flowId}${revision !== undefined ? `_${revision}` : ''} for task ${task.id}`);
  return flow;
}

/**
 * Replaces, in `c` and below, each subflow task named in `wanted` by a cluster holding it and
 * the graph of its flow (Kestra's `GraphService`): edges into the task now reach the cluster's
 * start, edges from it leave the cluster's end. A subflow of a subflow is expanded when its own
 * uid (`root.launch.inner`) is asked for too.
 */
function expand(c: Cluster, wanted: ReadonlySet<string>, b: Build): void {
  c.items.forEach((item, i) => {
    if (item.kind === 'cluster') return expand(item, wanted, b);
    if (item.type !== 'SubflowGraphTask' || !wanted.has(item.uid)) return;
    const flow = subflowOf(item.task!, b);
    const sub = newCluster(item.uid, 'SEQUENTIAL', undefined, 'SubflowGraphCluster');
    sub.taskNode = item;
    link(sub, sub.root, item, {});
    layOut(sub, flow, b);
    expand(sub, wanted, b);
    c.items[i] = sub;
    for (const e of c.edges) {
      if (e.source === item) e.source = sub.end;
      if (e.target === item) e.target = sub.root;
    }
    if (item.error) markError(sub);
  });
}

/**
 * The graph of a flow.
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT for a subflow to expand whose namespace or id is a
 *   template; TROUPE_HTTP_NOT_FOUND when the flow it names is not found
 */
export function flowGraph(flow: Flow, options: FlowGraphOptions = {}): FlowGraphJson {
  const b: Build = { options };
  const top = newCluster('root', undefined);
  layOut(top, flow, b);
  if (options.subflows?.length) expand(top, new Set(options.subflows), b);
  return serialize(top);
}

/** The JSON of a task as a flow holds it: written properties, child tasks as JSON. */
export function taskJson(task: Task): Record<string, unknown> {
  const out: Record<string, unknown> = { id: task.id, type: task.type };
  if (task.description !== undefined) out['description'] = task.description;
  for (const [key, value] of Object.entries(task.props)) out[key] = propJson(value);
  if (task.errors) out['errors'] = task.errors.map(taskJson);
  if (task.runIf !== undefined) out['runIf'] = task.runIf;
  if (task.retry) out['retry'] = task.retry;
  if (task.timeout !== undefined) out['timeout'] = task.timeout;
  if (task.logLevel !== undefined) out['logLevel'] = task.logLevel;
  if (task.disabled) out['disabled'] = true;
  if (task.allowFailure) out['allowFailure'] = true;
  if (task.allowWarning) out['allowWarning'] = true;
  return out;
}

function isTask(v: unknown): v is Task {
  return typeof v === 'object' && v !== null && typeof (v as Task).canonicalType === 'string' && typeof (v as Task).props === 'object';
}

/** A property value with the tasks in it (lists, cases, Dag entries) as JSON. */
function propJson(value: unknown): unknown {
  if (isTask(value)) return taskJson(value);
  if (Array.isArray(value)) return value.map(propJson);
  if (value && typeof value === 'object' && Object.values(value).some((v) => isTask(v) || (Array.isArray(v) && v.some(isTask)))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, propJson(v)]));
  }
  return value;
}

/** uids, nodes, edges and clusters in Kestra's order: a cluster's own edges, then its clusters'. */
function serialize(top: Cluster): FlowGraphJson {
  // Task and trigger uids first: a start or end node takes `_root`/`_end`, or the next free name.
  const taken = new Set<string>();
  const walk = (c: Cluster): void => {
    if (c.taskNode) taken.add(c.taskNode.uid);
    for (const item of c.items) {
      if (item.kind === 'cluster') walk(item);
      else taken.add(item.uid);
    }
  };
  walk(top);
  const uids = new Map<Leaf, string>();
  const uidOf = (leaf: Leaf): string => {
    let uid = uids.get(leaf);
    if (uid !== undefined) return uid;
    if (leaf.type === 'GraphClusterRoot' || leaf.type === 'GraphClusterEnd') {
      const base = `${leaf.uid}.${leaf.type === 'GraphClusterRoot' ? '_root' : '_end'}`;
      uid = base;
      for (let n = 1; taken.has(uid); n++) uid = `${base}_${n}`;
      taken.add(uid);
    } else uid = leaf.uid;
    uids.set(leaf, uid);
    return uid;
  };
  const nodeJson = (leaf: Leaf): GraphNodeJson => {
    const out: GraphNodeJson = { uid: uidOf(leaf), type: PKG + leaf.type, error: leaf.error };
    if (leaf.task) out.task = taskJson(leaf.task);
    if (leaf.relationType) out.relationType = leaf.relationType;
    if (leaf.trigger) {
      out.triggerDeclaration = leaf.trigger.declaration;
      if (leaf.trigger.state !== undefined && leaf.trigger.state !== null) out.trigger = leaf.trigger.state;
    }
    return out;
  };
  const clusterUid = (c: Cluster): string => `cluster_${c.path.replaceAll('cluster_', '')}`;
  const members = (c: Cluster): Item[] => [c.root, c.end, ...(c.taskNode ? [c.taskNode] : []), ...c.items];
  const graph: FlowGraphJson = { nodes: [], edges: [], clusters: [] };
  const nodes = (c: Cluster): void => {
    for (const item of members(c)) {
      if (item.kind === 'cluster') nodes(item);
      else graph.nodes.push(nodeJson(item));
    }
  };
  const edges = (c: Cluster): void => {
    for (const e of c.edges) graph.edges.push({ source: uidOf(e.source), target: uidOf(e.target), relation: e.relation });
    for (const item of c.items) if (item.kind === 'cluster') edges(item);
  };
  const clusters = (c: Cluster, parents: string[]): void => {
    for (const item of c.items) {
      if (item.kind !== 'cluster') continue;
      const cluster: GraphClusterJson = { uid: clusterUid(item), type: PKG + item.type, error: item.error };
      if (item.relationType) cluster.relationType = item.relationType;
      if (item.taskNode) cluster.taskNode = nodeJson(item.taskNode);
      graph.clusters.push({ cluster, nodes: members(item).map((m) => (m.kind === 'cluster' ? clusterUid(m) : uidOf(m))), parents, start: uidOf(item.root), end: uidOf(item.end) });
      clusters(item, [...parents, cluster.uid]);
    }
  };
  nodes(top);
  edges(top);
  clusters(top, []);
  return graph;
}

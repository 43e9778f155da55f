/**
 * The flow graph (src/flow/graph.ts) against Kestra's own figures: its FlowGraphTest and
 * FlowControllerTest count the nodes, edges and clusters of flows of these shapes (0.21), and check
 * relations and uids. The flows here are written for this test with the same trees.
 */
import { describe, expect, it } from 'vitest';
import { flowGraph, parseFlow, type FlowGraphJson } from '../../src/flow/index.js';
import type { Flow } from '../../src/model/flow.js';

/** A task tree in a few characters: `id` is a Log; `id:Type[children]` a flowable. */
const LOG = 'io.kestra.plugin.core.log.Log';
function log(id: string, indent: string): string {
  return `${indent}- id: ${id}\n${indent}  type: ${LOG}\n${indent}  message: hi\n`;
}
function flowable(id: string, type: string, indent: string, body: string): string {
  return `${indent}- id: ${id}\n${indent}  type: io.kestra.plugin.core.flow.${type}\n${body}`;
}
function list(key: string, indent: string, items: string[]): string {
  return `${indent}${key}:\n${items.join('')}`;
}
function flow(id: string, body: string): Flow {
  return parseFlow(`id: ${id}\nnamespace: test.graph\n${body}`);
}

function counts(g: FlowGraphJson): [number, number, number] {
  return [g.nodes.length, g.edges.length, g.clusters.length];
}
function edge(g: FlowGraphJson, source: RegExp, target?: RegExp): FlowGraphJson['edges'][number] {
  const e = g.edges.find((x) => source.test(x.source) && (!target || target.test(x.target)));
  if (!e) throw new Error(`no edge ${String(source)} → ${String(target)}`);
  return e;
}
function cluster(g: FlowGraphJson, uid: RegExp): FlowGraphJson['clusters'][number] {
  const c = g.clusters.find((x) => uid.test(x.cluster.uid));
  if (!c) throw new Error(`no cluster ${String(uid)}`);
  return c;
}

const I2 = '  ';
const I4 = '    ';
const I6 = '      ';
const I8 = '        ';
const I10 = '          ';
const I12 = '            ';
const I14 = '              ';
const I16 = '                ';

const SEQUENTIAL = flow(
  'sequential',
  list('tasks', '', [
    flowable('1-seq', 'Sequential', '', list('tasks', I2, [
      log('1-1', I4), log('1-2', I4),
      flowable('1-3_seq', 'Sequential', I4, list('tasks', I6, [
        log('1-3-1', I8),
        flowable('1-3-2_seq', 'Sequential', I8, list('tasks', I10, [log('1-3-2-1', I12), log('1-3-2-2_end', I12)])),
        log('1-3-3_end', I8),
      ])),
      log('1-4_end', I4),
    ])),
    log('2_end', ''),
  ]),
);

describe('the flow graph (Kestra FlowGraph)', () => {
  it('a flat flow: start, end and the tasks in a line', () => {
    const g = flowGraph(flow('simple', list('tasks', '', [log('date', ''), log('task-id', ''), log('third', '')])));
    expect(counts(g)).toEqual([5, 4, 0]);
    expect(g.nodes[2]).toMatchObject({ uid: 'root.date', type: 'io.kestra.core.models.hierarchies.GraphTask', relationType: 'SEQUENTIAL', error: false, task: { id: 'date', type: LOG, message: 'hi' } });
    expect(g.nodes[2]).not.toHaveProperty('values');
    expect(g.nodes[0]).toEqual({ uid: 'root._root', type: 'io.kestra.core.models.hierarchies.GraphClusterRoot', error: false });
    expect(g.edges).toEqual([
      { source: 'root._root', target: 'root.date', relation: {} },
      { source: 'root.date', target: 'root.task-id', relation: { relationType: 'SEQUENTIAL' } },
      { source: 'root.task-id', target: 'root.third', relation: { relationType: 'SEQUENTIAL' } },
      { source: 'root.third', target: 'root._end', relation: {} },
    ]);
    // The same flow always gives the same graph.
    expect(flowGraph(flow('simple', list('tasks', '', [log('date', ''), log('task-id', ''), log('third', '')])))).toEqual(g);
  });

  it('nested Sequentials: a cluster each, entered through the flowable node', () => {
    const g = flowGraph(SEQUENTIAL);
    expect(counts(g)).toEqual([19, 18, 3]);
    expect(edge(g, /1-3-2-1$/).target).toMatch(/1-3-2-2_end$/);
    expect(edge(g, /1-3-2-1$/).relation.relationType).toBe('SEQUENTIAL');
    expect(edge(g, /1-seq$/).target).toMatch(/1-1$/);
    expect(edge(g, /1-3-2_seq$/).target).toMatch(/1-3-2-1$/);
    const inner = cluster(g, /^cluster_root\.1-seq\.1-3_seq\.1-3-2_seq$/);
    expect(inner.parents).toEqual(['cluster_root.1-seq', 'cluster_root.1-seq.1-3_seq']);
    expect(inner.cluster).toMatchObject({ type: 'io.kestra.core.models.hierarchies.GraphCluster', relationType: 'SEQUENTIAL', taskNode: { uid: 'root.1-seq.1-3_seq.1-3-2_seq', relationType: 'SEQUENTIAL' } });
    expect(inner.nodes).toEqual([inner.start, inner.end, 'root.1-seq.1-3_seq.1-3-2_seq', 'root.1-seq.1-3_seq.1-3-2_seq.1-3-2-1', 'root.1-seq.1-3_seq.1-3-2_seq.1-3-2-2_end']);
    expect(g.clusters.map((c) => c.cluster.uid).every((u) => !u.startsWith('cluster_cluster_'))).toBe(true);
    // Every edge joins two nodes of the graph; every node uid is unique.
    const uids = new Set(g.nodes.map((n) => n.uid));
    expect(uids.size).toBe(g.nodes.length);
    for (const e of g.edges) expect(uids.has(e.source) && uids.has(e.target)).toBe(true);
  });

  it('errors branches start from the cluster start with ERROR relations and error nodes', () => {
    const par = (id: string, indent: string, child: string): string => flowable(id, 'Parallel', indent, list('tasks', `${indent}  `, [child]));
    const g = flowGraph(flow('errors', `${list('tasks', '', [log('failed', '')])}${list('errors', '', [
      log('t2', I2),
      par('t3', I2, par('t3-t1', I6, par('t3-t1-t1', I10, par('t3-t1-t1-t1', I14, log('t3-t1-t1-t1-last', `${I16}  `))))),
    ])}`));
    expect(counts(g)).toEqual([17, 17, 4]);
    expect(edge(g, /^root\._root$/, /t2$/).relation.relationType).toBe('ERROR');
    expect(edge(g, /^root\._root$/, /failed$/).relation.relationType).toBeUndefined();
    expect(g.nodes.find((n) => n.uid === 'root.t2')).toMatchObject({ error: true, relationType: 'ERROR' });
    const t3 = cluster(g, /^cluster_root\.t3$/);
    expect(t3.cluster).toMatchObject({ error: true, taskNode: { error: true } });
    expect(g.nodes.find((n) => n.uid === t3.start)?.error).toBe(true);
    // Only the branch's own nodes are marked, not what its flowables hold.
    expect(g.nodes.find((n) => n.uid === 'root.t3.t3-t1')?.error).toBe(false);
  });

  it('Parallel: every child from the flowable node and into the end', () => {
    const g = flowGraph(flow('parallel', list('tasks', '', [flowable('parent', 'Parallel', '', list('tasks', I2, ['t1', 't2', 't3', 't4', 't5', 't6'].map((t) => log(t, I4)))), log('last', '')])));
    expect(counts(g)).toEqual([12, 16, 1]);
    expect(edge(g, /parent$/, /t2$/).relation.relationType).toBe('PARALLEL');
    expect(edge(g, /parent$/, /t6$/).relation.relationType).toBe('PARALLEL');
    const end = cluster(g, /^cluster_root\.parent$/).end;
    expect(edge(g, /t1$/, new RegExp(`^${end.replaceAll('.', '\\.')}$`)).source).toBe('root.parent.t1');
    expect(edge(g, /t4$/, new RegExp(`^${end.replaceAll('.', '\\.')}$`)).source).toBe('root.parent.t4');
  });

  it('nested Parallel and Sequential', () => {
    const g = flowGraph(flow('parallel-nested', list('tasks', '', [
      flowable('1_par', 'Parallel', '', list('tasks', I2, [
        log('1-1', I4), log('1-2', I4),
        flowable('1-3_par', 'Parallel', I4, list('tasks', I6, [
          log('1-3-1', I8),
          flowable('1-3-2_par', 'Sequential', I8, list('tasks', I10, [log('1-3-2-1', I12), log('1-3-2-2_end', I12)])),
          log('1-3-3_end', I8),
        ])),
        log('1-4_end', I4),
      ])),
      log('2_end', ''),
    ])));
    expect(counts(g)).toEqual([19, 23, 3]);
    expect(edge(g, /1_par$/, /1-4_end$/).relation.relationType).toBe('PARALLEL');
    expect(edge(g, /1_par$/, new RegExp(`^${cluster(g, /1-3_par$/).start.replaceAll('.', '\\.')}$`)).relation.relationType).toBe('PARALLEL');
    expect(edge(g, /1-3-2_par$/, /1-3-2-1$/).relation.relationType).toBe('SEQUENTIAL');
  });

  it('Switch: a CHOICE per case with its value, the defaults as `defaults`, triggers in their own cluster', () => {
    const g = flowGraph(flow('switch', `${list('tasks', '', [
      flowable('parent-seq', 'Switch', '', `  value: "{{ inputs.string }}"\n${list('cases', I2, [
        `${I4}FIRST:\n${log('t1', I6)}`,
        `${I4}SECOND:\n${log('t2', I6)}${log('t2_sub', I6)}`,
        `${I4}THIRD:\n${flowable('t3', 'Sequential', I6, `${list('tasks', I8, [log('failed', I10)])}${list('errors', I8, [log('error-t1', I10)])}`)}`,
      ])}${list('defaults', I2, [log('default', I4)])}`),
    ])}triggers:\n  - id: schedule\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 0 * * *"\n`));
    expect(counts(g)).toEqual([17, 20, 3]);
    expect(edge(g, /parent-seq$/, /^root\.parent-seq\.[^.]*$/).relation.relationType).toBe('CHOICE');
    expect(edge(g, /parent-seq$/, /^root\.parent-seq\.t3\.[^.]*$/).relation.value).toBe('THIRD');
    expect(edge(g, /parent-seq$/, /parent-seq\.t1$/).relation).toEqual({ relationType: 'CHOICE', value: 'FIRST' });
    expect(edge(g, /parent-seq$/, /parent-seq\.default$/).relation).toEqual({ relationType: 'CHOICE', value: 'defaults' });
    expect(edge(g, /t2$/, /t2_sub$/).relation).toEqual({ relationType: 'SEQUENTIAL', value: 'SECOND' });
    const trigger = g.nodes.find((n) => n.uid === 'root.Triggers.schedule');
    expect(trigger).toMatchObject({ type: 'io.kestra.core.models.hierarchies.GraphTrigger', triggerDeclaration: { id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', cron: '0 0 * * *' } });
    expect(edge(g, new RegExp(`^${cluster(g, /^cluster_root\.Triggers$/).end.replaceAll('.', '\\.')}$`), /^root\._root$/).relation).toEqual({});
    expect(g.nodes.find((n) => n.uid === 'root.parent-seq')).toMatchObject({ relationType: 'CHOICE' });
  });

  it('If: then and else as CHOICE branches', () => {
    const g = flowGraph(flow('if', list('tasks', '', [flowable('check', 'If', '', `  condition: "{{ true }}"\n${list('then', I2, [log('yes', I4)])}${list('else', I2, [log('no', I4)])}`)])));
    expect(edge(g, /check$/, /yes$/).relation).toEqual({ relationType: 'CHOICE', value: 'then' });
    expect(edge(g, /check$/, /no$/).relation).toEqual({ relationType: 'CHOICE', value: 'else' });
    expect(cluster(g, /check$/).cluster.relationType).toBe('CHOICE');
  });

  it('EachSequential and EachParallel: DYNAMIC relations', () => {
    const each = flowGraph(flow('each', list('tasks', '', [
      flowable('1_each', 'EachSequential', '', `  value: '["a","b"]'\n${list('tasks', I2, [
        log('1-1_return', I4),
        flowable('1-2_each', 'EachSequential', I4, `      value: '["c"]'\n${list('tasks', I6, [log('1-2-1_return', I8), log('1-2-2_return', I8)])}`),
        log('1-3_return', I4),
      ])}`),
      log('2_return', ''),
    ])));
    expect(counts(each)).toEqual([13, 12, 2]);
    expect(edge(each, /1-1_return$/, new RegExp(`^${cluster(each, /1-2_each$/).start.replaceAll('.', '\\.')}$`)).relation.relationType).toBe('DYNAMIC');
    expect(edge(each, /1-2_each$/, /1-2-1_return$/).relation.relationType).toBe('DYNAMIC');

    const par = flowGraph(flow('each-parallel', list('tasks', '', [
      flowable('1_each', 'EachParallel', '', `  value: '["a"]'\n${list('tasks', I2, [flowable('2-1_seq', 'Sequential', I4, list('tasks', I6, [log('2-1-1_t1', I8), log('2-1-2_t2', I8)]))])}`),
      log('2_end', ''),
    ])));
    expect(counts(par)).toEqual([11, 10, 2]);
    expect(edge(par, /1_each$/, new RegExp(`^${cluster(par, /2-1_seq$/).start.replaceAll('.', '\\.')}$`)).relation.relationType).toBe('DYNAMIC');
    expect(par.clusters[1]!.nodes).toHaveLength(5);
  });

  it('every flowable together (Kestra all-flowable: 38 nodes, 42 edges, 7 clusters)', () => {
    const g = flowGraph(flow('all-flowable', `${list('tasks', '', [
      flowable('1-each', 'ForEach', '', `  values: '["v1", "v2"]'\n${list('tasks', I2, [
        log('1-each-1', I4),
        flowable('1-each-2', 'ForEach', I4, `      values: '["a"]'\n${list('tasks', I6, [log('1-each-2-1', I8)])}`),
      ])}${list('errors', I2, [flowable('1-each-seq-error', 'Sequential', I4, list('tasks', I6, [log('1-each-seq-error-1', I8)]))])}`),
      log('2-simple-task', ''),
      flowable('3-sequential', 'Sequential', '', `${list('tasks', I2, [
        log('3-sequential-1', I4),
        flowable('3-sequential-2', 'Sequential', I4, list('tasks', I6, [
          log('3-sequential-2-1', I8),
          flowable('3-sequential-2-2', 'Sequential', I8, list('tasks', I10, [log('3-sequential-2-2-1', I12)])),
          log('3-sequential-2-3', I8),
        ])),
        log('3-sequential-3', I4),
      ])}${list('errors', I2, [log('3-sequential-local-errors', I4)])}`),
      flowable('4-switch', 'Switch', '', `  value: FIRST\n${list('cases', I2, [`${I4}FIRST:\n${log('4-case-1', I6)}`, `${I4}SECOND:\n${log('4-case-2', I6)}`])}${list('defaults', I2, [log('4-default', I4)])}`),
    ])}${list('errors', '', [log('error-1st', ''), log('error-2nd', '')])}`));
    expect(counts(g)).toEqual([38, 42, 7]);
  });

  it('Dag: tasks without dependencies from the Dag, the others from what they depend on', () => {
    const dag = (id: string, deps: string[]): string => `${I4}- task:\n${I8}id: ${id}\n${I8}type: ${LOG}\n${I8}message: hi\n${deps.length ? `${I6}dependsOn: [${deps.join(', ')}]\n` : ''}`;
    const g = flowGraph(flow('dag', list('tasks', '', [flowable('d', 'Dag', '', list('tasks', I2, [dag('a', []), dag('b', ['a']), dag('c', ['a']), dag('e', ['b', 'c'])]))])));
    const c = cluster(g, /^cluster_root\.d$/);
    expect(c.cluster.relationType).toBe('DYNAMIC');
    expect(edge(g, /^root\.d$/, /^root\.d\.a$/).relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, /^root\.d\.a$/, /^root\.d\.b$/).relation).toEqual({ relationType: 'PARALLEL' });
    expect(edge(g, /^root\.d\.c$/, /^root\.d\.e$/).relation).toEqual({ relationType: 'PARALLEL' });
    expect(g.edges.filter((e) => e.target === c.end).map((e) => e.source)).toEqual(['root.d.e']);
  });

  it('Pause without tasks is a plain node; a Subflow is a SubflowGraphTask; ForEachItem a cluster of its parts', () => {
    const g = flowGraph(flow('misc', list('tasks', '', [
      `- id: wait\n  type: io.kestra.plugin.core.flow.Pause\n  delay: PT1S\n`,
      `- id: launch\n  type: io.kestra.plugin.core.flow.Subflow\n  namespace: test.graph\n  flowId: child\n`,
      `- id: items\n  type: io.kestra.plugin.core.flow.ForEachItem\n  items: "{{ inputs.file }}"\n  namespace: test.graph\n  flowId: child\n  batch:\n    rows: 1\n`,
    ])));
    expect(g.nodes.find((n) => n.uid === 'root.wait')).toMatchObject({ type: 'io.kestra.core.models.hierarchies.GraphTask', relationType: 'SEQUENTIAL' });
    expect(g.nodes.find((n) => n.uid === 'root.launch')).toMatchObject({ type: 'io.kestra.core.models.hierarchies.SubflowGraphTask', task: { namespace: 'test.graph', flowId: 'child' } });
    const items = cluster(g, /^cluster_root\.items$/);
    expect(items.nodes.slice(3)).toEqual(['root.items.items_split', 'root.items.items_items', 'root.items.items_merge']);
    expect(g.nodes.find((n) => n.uid === 'root.items.items_items')?.type).toBe('io.kestra.core.models.hierarchies.SubflowGraphTask');
  });

  it('triggers: one cluster, each trigger between its start and end, with its stored state', () => {
    const g = flowGraph(
      flow('triggered', `${list('tasks', '', [log('only', '')])}triggers:\n  - id: a\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "* * * * *"\n  - id: b\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 * * * *"\n`),
      { triggerState: (ns, flowId, id) => (id === 'a' ? { namespace: ns, flowId, triggerId: id, disabled: true } : undefined) },
    );
    expect(counts(g)).toEqual([7, 7, 1]);
    expect(g.nodes.find((n) => n.uid === 'root.Triggers.a')?.trigger).toEqual({ namespace: 'test.graph', flowId: 'triggered', triggerId: 'a', disabled: true });
    expect(g.nodes.find((n) => n.uid === 'root.Triggers.b')).not.toHaveProperty('trigger');
  });

  it('expands a subflow task on request into the graph of its flow', () => {
    const child = flow('child', `${list('tasks', '', [log('c1', ''), flowable('seq', 'Sequential', '', list('tasks', I2, [log('c2', I4)]))])}triggers:\n  - id: schedule\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 0 * * *"\n`);
    const parent = flow('parent', `${list('tasks', '', [`- id: launch\n  type: io.kestra.plugin.core.flow.Subflow\n  namespace: test.graph\n  flowId: child\n`, log('after', '')])}`);
    const findFlow = (ns: string, id: string): Flow | undefined => (ns === 'test.graph' && id === 'child' ? child : undefined);
    const plain = flowGraph(parent, { findFlow });
    expect(counts(plain)).toEqual([4, 3, 0]);
    const g = flowGraph(parent, { findFlow, subflows: ['root.launch'] });
    const sub = cluster(g, /^cluster_root\.launch$/);
    expect(sub.cluster).toMatchObject({ type: 'io.kestra.core.models.hierarchies.SubflowGraphCluster', relationType: 'SEQUENTIAL', taskNode: { uid: 'root.launch', type: 'io.kestra.core.models.hierarchies.SubflowGraphTask' } });
    expect(g.nodes.map((n) => n.uid)).toEqual(expect.arrayContaining(['root.launch', 'root.launch.c1', 'root.launch.seq.c2', 'root.launch.Triggers.schedule']));
    expect(edge(g, /^root\._root$/).target).toBe(sub.start);
    expect(edge(g, new RegExp(`^${sub.end.replaceAll('.', '\\.')}$`)).target).toBe('root.after');
    expect(edge(g, /^root\.launch$/).target).toBe('root.launch.c1');
    const uids = new Set(g.nodes.map((n) => n.uid));
    for (const e of g.edges) expect(uids.has(e.source) && uids.has(e.target)).toBe(true);
    // Unknown or dynamic subflows cannot be expanded.
    expect(() => flowGraph(parent, { subflows: ['root.launch'] })).toThrow(/Unable to find subflow test\.graph_child for task launch/);
    const dynamic = flow('dyn', list('tasks', '', [`- id: launch\n  type: io.kestra.plugin.core.flow.Subflow\n  namespace: test.graph\n  flowId: "{{ inputs.f }}"\n`]));
    expect(() => flowGraph(dynamic, { findFlow, subflows: ['root.launch'] })).toThrow("Can't expand subflow task 'launch' because namespace and/or flowId contains dynamic values. This can only be viewed on an execution.");
  });

  it('never names a start or end node like a task', () => {
    const g = flowGraph(flow('clash', list('tasks', '', [log('_root', ''), log('_end', '')])));
    const uids = g.nodes.map((n) => n.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids).toContain('root._root');
    expect(g.nodes.find((n) => n.uid === 'root._root')?.type).toMatch(/GraphTask$/);
  });
});

import { describe, expect, it } from 'vitest';
import { listTaskTypes, resolveTaskType, suggestTaskTypes } from '../../src/flow/index.js';

const CORE = 'io.kestra.plugin.core';

/** [written name, canonical name, kind] — every legacy alias of §10.2 and every core type we run. */
const RESOLUTIONS: Array<[string, string, 'runnable' | 'flowable']> = [
  ['io.kestra.core.tasks.debugs.Return', `${CORE}.debug.Return`, 'runnable'],
  ['io.kestra.core.tasks.debugs.Echo', `${CORE}.debug.Echo`, 'runnable'],
  ['io.kestra.core.tasks.log.Log', `${CORE}.log.Log`, 'runnable'],
  ['io.kestra.core.tasks.log.Fetch', `${CORE}.log.Fetch`, 'runnable'],
  ['io.kestra.core.tasks.executions.Fail', `${CORE}.execution.Fail`, 'runnable'],
  ['io.kestra.core.tasks.executions.Labels', `${CORE}.execution.Labels`, 'runnable'],
  ['io.kestra.core.tasks.executions.Counts', `${CORE}.execution.Counts`, 'runnable'],
  ['io.kestra.core.tasks.flows.Sequential', `${CORE}.flow.Sequential`, 'flowable'],
  ['io.kestra.core.tasks.flows.Parallel', `${CORE}.flow.Parallel`, 'flowable'],
  ['io.kestra.core.tasks.flows.EachSequential', `${CORE}.flow.EachSequential`, 'flowable'],
  ['io.kestra.core.tasks.flows.EachParallel', `${CORE}.flow.EachParallel`, 'flowable'],
  ['io.kestra.core.tasks.flows.Switch', `${CORE}.flow.Switch`, 'flowable'],
  ['io.kestra.core.tasks.flows.If', `${CORE}.flow.If`, 'flowable'],
  ['io.kestra.core.tasks.flows.Dag', `${CORE}.flow.Dag`, 'flowable'],
  ['io.kestra.core.tasks.flows.Pause', `${CORE}.flow.Pause`, 'flowable'],
  ['io.kestra.core.tasks.flows.AllowFailure', `${CORE}.flow.AllowFailure`, 'flowable'],
  ['io.kestra.core.tasks.flows.Subflow', `${CORE}.flow.Subflow`, 'flowable'],
  ['io.kestra.core.tasks.flows.Flow', `${CORE}.flow.Subflow`, 'flowable'],
  ['io.kestra.core.tasks.flows.Template', `${CORE}.flow.Template`, 'flowable'],
  ['io.kestra.core.tasks.flows.WorkingDirectory', `${CORE}.flow.WorkingDirectory`, 'flowable'],
  ['io.kestra.core.tasks.flows.Worker', `${CORE}.flow.WorkingDirectory`, 'flowable'],
  ['io.kestra.core.tasks.flows.ForEachItem', `${CORE}.flow.ForEachItem`, 'flowable'],
  ['io.kestra.core.tasks.states.Get', `${CORE}.state.Get`, 'runnable'],
  ['io.kestra.core.tasks.states.Set', `${CORE}.state.Set`, 'runnable'],
  ['io.kestra.core.tasks.states.Delete', `${CORE}.state.Delete`, 'runnable'],
  ['io.kestra.core.tasks.storages.LocalFiles', `${CORE}.storage.LocalFiles`, 'runnable'],
  ['io.kestra.core.tasks.trigger.Toggle', `${CORE}.trigger.Toggle`, 'runnable'],
  ['io.kestra.plugin.fs.http.Request', `${CORE}.http.Request`, 'runnable'],
  ['io.kestra.plugin.fs.http.Download', `${CORE}.http.Download`, 'runnable'],
  [`${CORE}.output.OutputValues`, `${CORE}.output.OutputValues`, 'runnable'],
  [`${CORE}.flow.Sleep`, `${CORE}.flow.Sleep`, 'runnable'],
  [`${CORE}.flow.ForEach`, `${CORE}.flow.ForEach`, 'flowable'],
  [`${CORE}.flow.WaitFor`, `${CORE}.flow.WaitFor`, 'flowable'],
  [`${CORE}.execution.Resume`, `${CORE}.execution.Resume`, 'runnable'],
  [`${CORE}.kv.Set`, `${CORE}.kv.Set`, 'runnable'],
  [`${CORE}.kv.Get`, `${CORE}.kv.Get`, 'runnable'],
  [`${CORE}.kv.Delete`, `${CORE}.kv.Delete`, 'runnable'],
  [`${CORE}.kv.GetKeys`, `${CORE}.kv.GetKeys`, 'runnable'],
  ['io.kestra.plugin.scripts.shell.Commands', 'io.kestra.plugin.scripts.shell.Commands', 'runnable'],
  ['io.kestra.plugin.scripts.shell.Script', 'io.kestra.plugin.scripts.shell.Script', 'runnable'],
];

const TRIGGERS: Array<[string, string]> = [
  ['io.kestra.core.models.triggers.types.Schedule', `${CORE}.trigger.Schedule`],
  ['io.kestra.core.models.triggers.types.Flow', `${CORE}.trigger.Flow`],
  ['io.kestra.core.models.triggers.types.Webhook', `${CORE}.trigger.Webhook`],
  ['io.kestra.plugin.fs.http.Trigger', `${CORE}.http.Trigger`],
];

const CONDITIONS: Array<[string, string]> = [
  [`${CORE}.condition.ExpressionCondition`, `${CORE}.condition.Expression`],
  ['io.kestra.core.models.conditions.types.ExpressionCondition', `${CORE}.condition.Expression`],
  ['io.kestra.core.models.conditions.types.ExecutionStatusCondition', `${CORE}.condition.ExecutionStatus`],
  ['io.kestra.core.models.conditions.types.FlowCondition', `${CORE}.condition.ExecutionFlow`],
  ['io.kestra.core.models.conditions.types.MultipleCondition', `${CORE}.condition.MultipleCondition`],
];

describe('type registry', () => {
  it.each(RESOLUTIONS)('resolves task type %s to %s (%s)', (written, canonical, kind) => {
    const info = resolveTaskType(written);
    expect(info && { name: info.name, kind: info.kind, category: info.category }).toEqual({ name: canonical, kind, category: 'task' });
  });

  it.each(TRIGGERS)('resolves trigger type %s to %s', (written, canonical) => {
    expect(resolveTaskType(written)?.name).toBe(canonical);
    expect(resolveTaskType(written)?.category).toBe('trigger');
  });

  it.each(CONDITIONS)('resolves condition type %s to %s', (written, canonical) => {
    expect(resolveTaskType(written)?.name).toBe(canonical);
  });

  it('resolves every canonical name and alias it lists to that entry', () => {
    for (const info of listTaskTypes()) {
      for (const name of [info.name, ...info.aliases]) expect(resolveTaskType(name)).toBe(info);
    }
  });

  it('lists each category separately', () => {
    const names = (c: 'task' | 'trigger' | 'condition'): string[] => listTaskTypes(c).map((t) => t.name);
    expect(names('trigger')).toEqual([`${CORE}.trigger.Schedule`, `${CORE}.trigger.Flow`, `${CORE}.trigger.Webhook`, `${CORE}.http.Trigger`]);
    expect(names('task')).toContain(`${CORE}.flow.Dag`);
    expect(names('condition')).toContain(`${CORE}.condition.ExecutionStatus`);
  });

  it('describes task-holding properties of the flowables', () => {
    const props = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(resolveTaskType(`${CORE}.${name}`)?.props ?? {}).map(([k, s]) => [k, `${s.type}${s.required ? '!' : ''}`]));
    expect(props('flow.Switch')).toEqual({ value: 'string!', cases: 'cases', defaults: 'tasks' });
    expect(props('flow.If')).toEqual({ condition: 'string!', then: 'tasks!', else: 'tasks' });
    expect(props('flow.Dag')).toEqual({ tasks: 'dag!', concurrent: 'int' });
    expect(props('debug.Return')).toEqual({ format: 'string' });
  });

  it('says where each runnable task type runs', () => {
    const runs = (name: string): string | undefined => resolveTaskType(`${CORE}.${name}`)?.runs;
    expect(['execution.Labels', 'flow.Sleep', 'flow.Pause', 'flow.Subflow', 'flow.Dag'].map(runs)).toEqual(['actor', 'actor', 'actor', 'actor', 'actor']);
    expect(['debug.Return', 'log.Log', 'execution.Fail', 'http.Request'].map(runs)).toEqual(['pool', 'pool', 'pool', 'pool']);
    expect(['execution.Resume', 'log.Fetch'].map(runs)).toEqual(['main', 'main']);
    expect(['storage.FilterItems', 'storage.DeduplicateItems'].map(runs)).toEqual(['pool', 'pool']);
    expect(['kv.Set', 'kv.Get', 'kv.GetKeys', 'kv.Delete'].map(runs)).toEqual(['pool', 'pool', 'pool', 'pool']);
    expect(['execution.Exit', 'execution.Counts', 'flow.Template'].map(runs)).toEqual([undefined, undefined, undefined]);
    expect(['flow.WorkingDirectory', 'storage.LocalFiles'].map(runs)).toEqual(['actor', 'pool']);
  });

  it('returns undefined for an unknown type', () => {
    expect(resolveTaskType('io.kestra.plugin.core.debug.Retrun')).toBeUndefined();
  });

  it.each([
    ['io.kestra.plugin.core.debug.Retrun', ['io.kestra.plugin.core.debug.Return']],
    ['io.kestra.plugin.core.log.Logg', ['io.kestra.plugin.core.log.Log']],
    ['io.kestra.core.tasks.flows.Sequentail', ['io.kestra.core.tasks.flows.Sequential']],
    ['io.kestra.plugin.core.flow.Paralel', ['io.kestra.plugin.core.flow.Parallel']],
    ['com.example.Nothing', []],
  ])('suggests the closest task types for %s', (name, expected) => {
    expect(suggestTaskTypes(name, 'task')).toEqual(expected);
  });
});

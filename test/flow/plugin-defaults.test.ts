import { describe, expect, it } from 'vitest';
import { childTasks, parseFlow, validateFlow } from '../../src/flow/index.js';
import type { Task } from '../../src/model/index.js';

const LOG = 'io.kestra.plugin.core.log.Log';
const flow = (defaults: string, tasks: string): string => `id: demo\nnamespace: io.kestra.tests\n${defaults}tasks:\n${tasks}`;
const all = (tasks: readonly Task[]): Task[] => tasks.flatMap((t) => [t, ...all(childTasks(t))]);

describe('plugin defaults (§10.1)', () => {
  it('fills a property the task does not set, and lets the task win otherwise', () => {
    const f = parseFlow(flow(`pluginDefaults:\n  - type: ${LOG}\n    values:\n      message: from default\n      level: WARN\n`, `  - {id: a, type: ${LOG}}\n  - {id: b, type: ${LOG}, message: own}\n`));
    expect(f.tasks.map((t) => t.props)).toEqual([
      { message: 'from default', level: 'WARN' },
      { message: 'own', level: 'WARN' },
    ]);
    expect(f.pluginDefaults).toEqual([{ type: LOG, forced: false, values: { message: 'from default', level: 'WARN' } }]);
  });

  it('accepts taskDefaults as the deprecated alias', () => {
    const f = parseFlow(flow(`taskDefaults:\n  - type: ${LOG}\n    values:\n      message: third\n`, `  - {id: a, type: ${LOG}}\n`));
    expect(f.tasks[0]?.props).toEqual({ message: 'third' });
  });

  it('puts forced values over the task own values', () => {
    const f = parseFlow(flow(`pluginDefaults:\n  - type: ${LOG}\n    forced: true\n    values:\n      message: forced\n`, `  - {id: a, type: ${LOG}, message: own}\n`));
    expect(f.tasks[0]?.props).toEqual({ message: 'forced' });
  });

  it('matches by prefix on the canonical type, also for tasks written with a legacy alias', () => {
    const f = parseFlow(flow(`pluginDefaults:\n  - type: io.kestra.plugin.core.log\n    values:\n      level: ERROR\n`, `  - {id: a, type: io.kestra.core.tasks.log.Log, message: m}\n  - {id: b, type: io.kestra.plugin.core.debug.Return}\n`));
    expect(f.tasks.map((t) => t.props)).toEqual([{ message: 'm', level: 'ERROR' }, {}]);
  });

  it('resolves an alias written as the default type', () => {
    const f = parseFlow(flow(`pluginDefaults:\n  - type: io.kestra.core.tasks.debugs.Return\n    values:\n      format: x\n`, `  - {id: a, type: io.kestra.plugin.core.debug.Return}\n`));
    expect(f.tasks[0]?.props).toEqual({ format: 'x' });
  });

  it('merges maps deeply and concatenates lists, default first', () => {
    const f = parseFlow(
      flow(
        `pluginDefaults:\n  - type: io.kestra.plugin.core.output.OutputValues\n    values:\n      values:\n        a: 1\n        list: [d]\n`,
        `  - id: o\n    type: io.kestra.plugin.core.output.OutputValues\n    values:\n      b: 2\n      list: [own]\n`,
      ),
    );
    expect(f.tasks[0]?.props).toEqual({ values: { a: 1, list: ['d', 'own'], b: 2 } });
  });

  it('lets earlier entries win over later ones', () => {
    const f = parseFlow(flow(`pluginDefaults:\n  - type: ${LOG}\n    values: {message: first}\n  - type: io.kestra.plugin.core\n    values: {message: second, level: INFO}\n`, `  - {id: a, type: ${LOG}}\n`));
    expect(f.tasks[0]?.props).toEqual({ message: 'first', level: 'INFO' });
  });

  it('applies to tasks at any depth', () => {
    const f = parseFlow(
      flow(`pluginDefaults:\n  - type: ${LOG}\n    values: {message: deep}\n`, `  - id: s\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - {id: a, type: ${LOG}}\n    errors:\n      - {id: b, type: ${LOG}}\n`),
    );
    expect(all(f.tasks).map((t) => [t.id, t.props['message']])).toEqual([
      ['s', undefined],
      ['a', 'deep'],
      ['b', 'deep'],
    ]);
  });

  it('reports a bad default value at its own position in pluginDefaults', () => {
    const result = validateFlow(flow(`pluginDefaults:\n  - type: ${LOG}\n    values:\n      level: LOUD\n`, `  - {id: a, type: ${LOG}, message: m}\n`));
    expect(result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      "6:14 tasks[0].level: expected one of TRACE, DEBUG, INFO, WARN, ERROR but got a string 'LOUD'",
    ]);
  });

  it('checks the shape of each entry', () => {
    const result = validateFlow(flow(`pluginDefaults:\n  - type: ${LOG}\n    value: {}\n`, `  - {id: a, type: ${LOG}, message: m}\n`));
    expect(result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([
      "4:5 pluginDefaults[0]: missing required property 'values'",
      "5:5 pluginDefaults[0].value: unknown property 'value'; expected one of type, forced, values",
    ]);
  });
});

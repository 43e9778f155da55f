import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childTasks, parseFlow, validateFlow } from '../../src/flow/index.js';
import type { Task } from '../../src/model/index.js';
import { needsShared, SHARED_DIR } from '../helpers/shared.js';

const DIR = join(SHARED_DIR, 'conformance/flows');
const present = needsShared('parsing the Kestra conformance flows (../shared/conformance/flows)');
const files = !present ? [] : readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();

function allTasks(tasks: readonly Task[]): Task[] {
  return tasks.flatMap((t) => [t, ...allTasks(childTasks(t))]);
}

describe.skipIf(!present)('Kestra conformance flows', () => {
  it.each(files)('parses %s', (file) => {
    const source = readFileSync(join(DIR, file), 'utf8');
    const result = validateFlow(source, { file });
    if (!result.ok) expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('builds the Dag of dag.yaml with its dependencies', () => {
    const flow = parseFlow(readFileSync(join(DIR, 'dag.yaml'), 'utf8'));
    const dag = flow.tasks[0];
    expect(dag?.canonicalType).toBe('io.kestra.plugin.core.flow.Dag');
    const entries = dag?.props['tasks'] as Array<{ task: Task; dependsOn?: string[] }>;
    expect(entries.map((e) => [e.task.id, e.dependsOn ?? []])).toEqual([
      ['task1', []],
      ['task2', ['task1']],
      ['task3', ['task1']],
      ['task4', ['task2']],
      ['task5', ['task4', 'task3']],
      ['task6', ['task2', 'task3']],
    ]);
  });

  it('builds the Switch of switch.yaml with string case keys, defaults and nested errors', () => {
    const flow = parseFlow(readFileSync(join(DIR, 'switch.yaml'), 'utf8'));
    expect(allTasks(flow.tasks).map((t) => t.id)).toEqual(['parent-seq', 't1', 't2', 't2_sub', 't3', 'failed', 'error-t1', 'default']);
    const sw = flow.tasks[0] as Task;
    expect(Object.keys(sw.props['cases'] as object)).toEqual(['FIRST', 'SECOND', 'THIRD']);
    expect(sw.props['value']).toBe('{{inputs.string}}');
    expect(flow.labels).toEqual([{ key: 'switchFlowLabel', value: 'switchFoo' }]);
    expect(flow.triggers).toEqual([{ id: 'schedule', type: 'io.kestra.plugin.core.trigger.Schedule', canonicalType: 'io.kestra.plugin.core.trigger.Schedule', props: { cron: '0 * * * *' } }]);
    expect(flow.inputs).toEqual([
      { id: 'string', type: 'STRING', required: true, props: {} },
      { id: 'def', type: 'STRING', required: true, defaults: 'amazing', props: {} },
    ]);
  });

  it('parses a task into the model shape with its source position', () => {
    const flow = parseFlow(readFileSync(join(DIR, 'retry-failed.yaml'), 'utf8'));
    expect(flow.tasks[0]).toEqual({
      id: 'failed',
      type: 'io.kestra.plugin.core.execution.Fail',
      canonicalType: 'io.kestra.plugin.core.execution.Fail',
      kind: 'runnable',
      disabled: false,
      allowFailure: false,
      allowWarning: false,
      retry: { type: 'constant', interval: 'PT0.250S', maxAttempt: 5, maxDuration: 'PT15S', warningOnRetry: false, behavior: 'RETRY_FAILED_TASK' },
      props: {},
      source: { line: 5, column: 3, path: 'tasks[0]' },
    });
    expect(flow.errors?.map((t) => t.id)).toEqual(['t2']);
    expect(flow.revision).toBe(1);
  });
});

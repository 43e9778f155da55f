import { describe, expect, it } from 'vitest';
import { parseFlow, validateFlow, type FlowValidationError } from '../../src/flow/index.js';
import type { FlowError } from '../../src/errors.js';

const LOG = 'io.kestra.plugin.core.log.Log';

/** The problems of a flow, as `line:col path: message` strings. */
function problems(source: string): string[] {
  const result = validateFlow(source);
  if (result.ok) return [];
  return result.errors.map((e: FlowValidationError) => `${e.line}:${e.column} ${e.message}`);
}

const base = (rest: string): string => `id: demo\nnamespace: io.kestra.tests\n${rest}`;
const oneTask = base(`tasks:\n  - id: hello\n    type: ${LOG}\n    message: hi\n`);

describe('parseFlow errors', () => {
  it('throws one TROUPE_FLOW_INVALID listing every problem on its own line', () => {
    const source = base(`tasks:\n  - type: ${LOG}\n    message: hi\n  - id: b\n    type: ${LOG}\n    mesage: hi\n`);
    let error: FlowError | undefined;
    try {
      parseFlow(source, { file: 'flows/x.yaml' });
    } catch (e) {
      error = e as FlowError;
    }
    expect(error?.code).toBe('TROUPE_FLOW_INVALID');
    expect(error?.message).toBe(
      [
        "flows/x.yaml:4:5: tasks[0]: missing required property 'id'",
        `flows/x.yaml:6:5: tasks[1]: missing required property 'message' for ${LOG}`,
        `flows/x.yaml:8:5: tasks[1].mesage: unknown property 'mesage' for ${LOG}; its properties are message, level (plus the common task properties)`,
      ].join('\n'),
    );
    expect(error?.position).toEqual({ file: 'flows/x.yaml', line: 4, column: 5, path: 'tasks[0]' });
    expect(error?.details?.['errors']).toEqual([
      { code: 'TROUPE_FLOW_INVALID', message: "tasks[0]: missing required property 'id'", line: 4, column: 5, path: 'tasks[0]' },
      { code: 'TROUPE_FLOW_INVALID', message: `tasks[1]: missing required property 'message' for ${LOG}`, line: 6, column: 5, path: 'tasks[1]' },
      {
        code: 'TROUPE_FLOW_INVALID',
        message: `tasks[1].mesage: unknown property 'mesage' for ${LOG}; its properties are message, level (plus the common task properties)`,
        line: 8,
        column: 5,
        path: 'tasks[1].mesage',
      },
    ]);
  });

  it('uses TROUPE_FLOW_UNKNOWN_TYPE and suggests the closest type when the type is all that is wrong', () => {
    const source = base('tasks:\n  - id: a\n    type: io.kestra.plugin.core.debug.Retrun\n    format: x\n');
    expect(() => parseFlow(source, { file: 'f.yaml' })).toThrow(
      expect.objectContaining({
        code: 'TROUPE_FLOW_UNKNOWN_TYPE',
        message: "f.yaml:5:11: tasks[0].type: Unknown task type 'io.kestra.plugin.core.debug.Retrun'; did you mean io.kestra.plugin.core.debug.Return?",
      }),
    );
  });

  it('returns the flow from validateFlow without throwing', () => {
    const result = validateFlow(oneTask);
    expect(result.ok && result.flow.tasks.map((t) => t.id)).toEqual(['hello']);
  });
});

describe('flow rules (§1.1)', () => {
  it.each<[string, string, string[]]>([
    ['missing id', `namespace: a\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ["1:1 missing required property 'id'"]],
    ['missing namespace', `id: a\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ["1:1 missing required property 'namespace'"]],
    ['bad id', `id: -a\nnamespace: a\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ["1:5 id: '-a' must match ^[a-zA-Z0-9][a-zA-Z0-9._-]*$"]],
    ['long id', `id: ${'a'.repeat(101)}\nnamespace: a\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ['1:5 id: must be 1 to 100 characters long (got 101)']],
    ['upper-case namespace', `id: a\nnamespace: Io.x\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ["2:12 namespace: 'Io.x' must match ^[a-z0-9][a-z0-9._-]*$"]],
    ['missing tasks', 'id: a\nnamespace: a\n', ["1:1 missing required property 'tasks'"]],
    ['empty tasks', 'id: a\nnamespace: a\ntasks: []\n', ['3:8 tasks: must not be empty']],
    ['unknown flow property', `id: a\nnamespace: a\nfinally: []\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, [expect.stringMatching(/^3:1 finally: unknown property 'finally'; expected one of id, namespace/) as unknown as string]],
    ['not a map', '- a\n', ['1:1 expected a flow (a map with id, namespace and tasks) but got a list']],
    ['bad revision', `id: a\nnamespace: a\nrevision: 0\ntasks:\n  - {id: t, type: ${LOG}, message: m}\n`, ['3:11 revision: expected an integer ≥ 1 but got an integer']],
  ])('reports %s', (_name, source, expected) => {
    expect(problems(source)).toEqual(expected);
  });

  it('reports duplicate task ids across the whole tree the way Kestra words it', () => {
    const source = base(
      `tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - {id: b, type: ${LOG}, message: m}\n    errors:\n      - {id: a, type: ${LOG}, message: m}\nerrors:\n  - {id: b, type: ${LOG}, message: m}\n`,
    );
    expect(problems(source)).toEqual(['9:14 tasks[0].errors[0].id: Duplicate task id with name [a, b]']);
  });

  it('defaults revision to 1 and keeps an explicit one', () => {
    expect(parseFlow(oneTask).revision).toBe(1);
    expect(parseFlow(`revision: 7\n${oneTask}`).revision).toBe(7);
  });
});

describe('labels', () => {
  it('accepts a map with scalar values, stringified', () => {
    expect(parseFlow(`labels:\n  a: 1\n  b: true\n  system.readOnly: "true"\n${oneTask}`).labels).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'true' },
      { key: 'system.readOnly', value: 'true' },
    ]);
  });

  it('accepts a list of key/value pairs', () => {
    expect(parseFlow(`labels:\n  - key: a\n    value: x\n${oneTask}`).labels).toEqual([{ key: 'a', value: 'x' }]);
  });

  it('rejects system labels other than system.readOnly', () => {
    expect(problems(`labels:\n  system.correlationId: x\n${oneTask}`)).toEqual([
      '2:25 labels.system.correlationId: System labels can only be set by Kestra itself, offending label: system.correlationId=x',
    ]);
  });
});

describe('inputs (§6.1)', () => {
  it('builds inputs with required defaulting to true and name as an alias of id', () => {
    const flow = parseFlow(`inputs:\n  - name: a\n    type: INT\n    min: 1\n  - id: b\n    type: STRING\n    required: false\n    defaults: x\n    description: d\n${oneTask}`);
    expect(flow.inputs).toEqual([
      { id: 'a', type: 'INT', required: true, props: { min: 1 } },
      { id: 'b', type: 'STRING', required: false, defaults: 'x', description: 'd', props: {} },
    ]);
  });

  it.each<[string, string, string[]]>([
    ['a duplicate id', 'inputs:\n  - {id: a, type: STRING}\n  - {id: a, type: INT}\n', ['3:10 inputs[1].id: Duplicate input with name [a]']],
    ['an unknown type', 'inputs:\n  - {id: a, type: STRIN}\n', [expect.stringMatching(/^2:19 inputs\[0\]\.type: unknown input type 'STRIN'; expected one of STRING, ENUM/) as unknown as string]],
    ['a missing type', 'inputs:\n  - id: a\n', ["2:5 inputs[0]: missing required property 'type'"]],
    ['a bad id', 'inputs:\n  - {id: "-a", type: STRING}\n', ['2:10 inputs[0].id: expected an id matching ^[a-zA-Z0-9][.a-zA-Z0-9_-]*$ but got a string']],
    ['a key of another type', 'inputs:\n  - {id: a, type: STRING, min: 1}\n', [expect.stringMatching(/^2:27 inputs\[0\]\.min: unknown property 'min' for a STRING input/) as unknown as string]],
    ['a dependsOn on an undeclared input', 'inputs:\n  - {id: a, type: STRING, dependsOn: {inputs: [z]}}\n', ['2:10 inputs[0].dependsOn: depends on undeclared input(s): z']],
  ])('reports %s', (_name, inputs, expected) => {
    expect(problems(`${inputs}${oneTask}`)).toEqual(expected);
  });
});

describe('outputs, concurrency and triggers', () => {
  it('builds outputs and rejects duplicates', () => {
    expect(parseFlow(`outputs:\n  - {id: o, type: STRING, value: "{{ x }}"}\n${oneTask}`).outputs).toEqual([{ id: 'o', type: 'STRING', value: '{{ x }}' }]);
    expect(problems(`outputs:\n  - {id: o, type: STRING, value: 1}\n  - {id: o, type: STRING, value: 2}\n${oneTask}`)).toEqual(['3:10 outputs[1].id: Duplicate output with name [o]']);
    expect(problems(`outputs:\n  - {id: o, type: STRING}\n${oneTask}`)).toEqual(["2:5 outputs[0]: missing required property 'value'"]);
  });

  it('builds concurrency with QUEUE by default and checks its shape', () => {
    expect(parseFlow(`concurrency:\n  limit: 2\n${oneTask}`).concurrency).toEqual({ limit: 2, behavior: 'QUEUE' });
    expect(problems(`concurrency:\n  limit: 0\n  behavior: DROP\n${oneTask}`)).toEqual([
      '2:10 concurrency.limit: expected an integer > 0 but got an integer',
      '3:13 concurrency.behavior: expected QUEUE, CANCEL or FAIL but got a string',
    ]);
    expect(problems(`concurrency: {}\n${oneTask}`)).toEqual(["1:14 concurrency: missing required property 'limit'"]);
  });

  it('checks trigger types, properties, ids and condition types', () => {
    const triggers = [
      'triggers:',
      '  - id: s',
      '    type: io.kestra.core.models.triggers.types.Schedule',
      '    cron: "0 * * * *"',
      '    conditions:',
      '      - type: io.kestra.plugin.core.condition.ExpressionCondition',
      '        expression: "{{ true }}"',
      '  - id: s',
      '    type: io.kestra.plugin.core.trigger.Webhook',
      '    key: k',
      '    cron: x',
      '  - id: f',
      '    type: io.kestra.plugin.core.log.Log',
      '',
    ].join('\n');
    expect(problems(`${triggers}${oneTask}`)).toEqual([
      '8:9 triggers[1].id: Duplicate trigger id with name [s]',
      `11:5 triggers[1].cron: unknown property 'cron' for io.kestra.plugin.core.trigger.Webhook`,
      `13:11 triggers[2].type: '${LOG}' is a task type, not a trigger type`,
    ]);
    expect(parseFlow(`${triggers.split('\n').slice(0, 7).join('\n')}\n${oneTask}`).triggers).toEqual([
      {
        id: 's',
        type: 'io.kestra.core.models.triggers.types.Schedule',
        canonicalType: 'io.kestra.plugin.core.trigger.Schedule',
        props: { cron: '0 * * * *', conditions: [{ type: 'io.kestra.plugin.core.condition.ExpressionCondition', expression: '{{ true }}' }] },
      },
    ]);
  });
});

describe('tasks', () => {
  it('keeps the type as written, resolves the canonical type and stores common properties in fields', () => {
    const flow = parseFlow(
      base(
        `tasks:\n  - id: a\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n    description: d\n    disabled: true\n    allowFailure: true\n    allowWarning: "true"\n    runIf: "{{ true }}"\n    timeout: PT1S\n    logLevel: INFO\n    logToFile: true\n`,
      ),
    );
    expect(flow.tasks[0]).toEqual({
      id: 'a',
      type: 'io.kestra.core.tasks.debugs.Return',
      canonicalType: 'io.kestra.plugin.core.debug.Return',
      kind: 'runnable',
      description: 'd',
      disabled: true,
      allowFailure: true,
      allowWarning: true,
      runIf: '{{ true }}',
      timeout: 'PT1S',
      logLevel: 'INFO',
      props: { format: 'x', logToFile: true },
      source: { line: 4, column: 5, path: 'tasks[0]' },
    });
  });

  it.each<[string, string, string[]]>([
    ['a wrong property type', `  - id: a\n    type: io.kestra.plugin.core.flow.Parallel\n    concurrent: many\n    tasks:\n      - {id: b, type: ${LOG}, message: m}\n`, ["6:17 tasks[0].concurrent: expected an integer but got a string 'many'"]],
    ['a bad enum', `  - id: a\n    type: ${LOG}\n    message: m\n    level: LOUD\n`, ["7:12 tasks[0].level: expected one of TRACE, DEBUG, INFO, WARN, ERROR but got a string 'LOUD'"]],
    ['a bad duration', `  - id: a\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: 5 minutes\n`, ["6:15 tasks[0].duration: expected an ISO 8601 duration such as PT30S but got a string '5 minutes'"]],
    ['an empty required task list', `  - id: a\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks: []\n`, ['6:12 tasks[0].tasks: must not be empty']],
    ['errors on a runnable', `  - id: a\n    type: ${LOG}\n    message: m\n    errors: []\n`, [expect.stringMatching(/^7:5 tasks\[0\]\.errors: unknown property 'errors' for io\.kestra\.plugin\.core\.log\.Log/) as unknown as string]],
    ['a task that is not a map', '  - just a string\n', ['4:5 tasks[0]: expected a task (a map with id and type) but got a string']],
    ['a missing type', '  - id: a\n', ["4:5 tasks[0]: missing required property 'type'"]],
  ])('reports %s', (_name, tasks, expected) => {
    expect(problems(base(`tasks:\n${tasks}`))).toEqual(expected);
  });

  it('accepts templates where Kestra renders typed properties', () => {
    const flow = parseFlow(base(`tasks:\n  - id: a\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: "{{ inputs.d }}"\n`));
    expect(flow.tasks[0]?.props).toEqual({ duration: '{{ inputs.d }}' });
  });

  it('stringifies Switch case keys written as numbers or booleans', () => {
    const flow = parseFlow(
      base(`tasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Switch\n    value: x\n    cases:\n      1:\n        - {id: a, type: ${LOG}, message: m}\n      true:\n        - {id: b, type: ${LOG}, message: m}\n`),
    );
    const cases = flow.tasks[0]?.props['cases'] as Record<string, Array<{ id: string }>>;
    expect(Object.entries(cases).map(([k, v]) => [k, v.map((t) => t.id)])).toEqual([
      ['1', ['a']],
      ['true', ['b']],
    ]);
  });

  it('builds If branches and Dag entries into tasks', () => {
    const flow = parseFlow(
      base(`tasks:\n  - id: i\n    type: io.kestra.plugin.core.flow.If\n    condition: "{{ true }}"\n    then:\n      - {id: a, type: ${LOG}, message: m}\n    else:\n      - {id: b, type: ${LOG}, message: m}\n`),
    );
    const props = flow.tasks[0]?.props as { then: Array<{ id: string; source: unknown }>; else: Array<{ id: string }> };
    expect(props.then.map((t) => [t.id, t.source])).toEqual([['a', { line: 8, column: 9, path: 'tasks[0].then[0]' }]]);
    expect(props.else.map((t) => t.id)).toEqual(['b']);
  });
});

describe('Dag checks (§3.8)', () => {
  const dag = (entries: string): string => base(`tasks:\n  - id: d\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n${entries}`);
  const entry = (id: string, deps: string[]): string => `      - task: {id: ${id}, type: ${LOG}, message: m}\n        dependsOn: [${deps.join(', ')}]\n`;

  it('reports a cycle with the ids on it', () => {
    expect(problems(dag(entry('task1', ['task2']) + entry('task2', ['task1']) + entry('task3', ['task1'])))).toEqual([
      '4:5 tasks[0]: dag: Cyclic dependency detected: task1, task2',
    ]);
  });

  it('reports dependencies on tasks that do not exist', () => {
    expect(problems(dag(entry('task1', []) + entry('task2', ['taskX', 'task1'])))).toEqual(['4:5 tasks[0]: dag: Not existing task id in dependency: taskX']);
  });

  it('reports unknown keys in an entry', () => {
    expect(problems(dag(`      - task: {id: a, type: ${LOG}, message: m}\n        after: [b]\n`))).toEqual([
      "8:9 tasks[0].tasks[0].after: unknown property 'after' in a Dag entry; expected task and dependsOn",
    ]);
  });
});

describe('retry policies (§2.7)', () => {
  const withRetry = (retry: string): string => base(`tasks:\n  - id: a\n    type: io.kestra.plugin.core.execution.Fail\n    retry: ${retry}\n`);

  it.each<[string, string[]]>([
    ['{type: constant}', ["6:12 tasks[0].retry: missing required property 'interval' for a constant retry"]],
    ['{type: exponential, interval: PT1S}', ["6:12 tasks[0].retry: missing required property 'maxInterval' for an exponential retry"]],
    ['{type: random, maxInterval: PT1S}', ["6:12 tasks[0].retry: missing required property 'minInterval' for a random retry"]],
    ['{type: linear}', ["6:19 tasks[0].retry.type: expected constant, exponential or random but got 'linear'"]],
    ['{type: constant, interval: soon}', ['6:39 tasks[0].retry.interval: expected an ISO 8601 duration such as PT30S but got a string']],
    ['{type: constant, interval: PT1S, maxAttempt: 0}', ['6:57 tasks[0].retry.maxAttempt: expected an integer ≥ 1']],
    ['{type: constant, interval: PT1S, minInterval: PT1S}', [expect.stringMatching(/^6:45 tasks\[0\]\.retry\.minInterval: unknown property 'minInterval' for a constant retry/) as unknown as string]],
  ])('reports %s', (retry, expected) => {
    expect(problems(withRetry(retry))).toEqual(expected);
  });

  it('fills in Kestra defaults', () => {
    const flow = parseFlow(withRetry('{type: exponential, interval: PT1S, maxInterval: PT10S, delayFactor: 3, behavior: CREATE_NEW_EXECUTION}'));
    expect(flow.tasks[0]?.retry).toEqual({ type: 'exponential', interval: 'PT1S', maxInterval: 'PT10S', delayFactor: 3, warningOnRetry: false, behavior: 'CREATE_NEW_EXECUTION' });
  });

  it('parses a flow-level retry', () => {
    expect(parseFlow(`retry: {type: random, minInterval: PT1S, maxInterval: PT2S}\n${oneTask}`).retry).toEqual({
      type: 'random',
      minInterval: 'PT1S',
      maxInterval: 'PT2S',
      warningOnRetry: false,
      behavior: 'RETRY_FAILED_TASK',
    });
  });
});

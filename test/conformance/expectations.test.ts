import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { loadExpectations, parseExpectations, selectCases } from '../../src/conformance/index.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/conformance');

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof TroupeError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

describe('parseExpectations', () => {
  it('reads a case with every field, filling the defaults', () => {
    const cases = parseExpectations(`
- case: task-flow-third
  flow: task-flow.yaml
  deploy: [switch.yaml]
  inputs: { string: THIRD, flag: true }
  tier: core
  features: [Subflow, errorLogs()]
  expect:
    state: FAILED
    taskRunCount: { atLeast: 1 }
    taskRuns:
      - { taskId: launch, value: 1, state: FAILED, attempts: 1, any: true, outputs: { state: FAILED } }
    outputs: { key: v }
    logs:
      - { level: ERROR, contains: "Task failure" }
  source: kestra-io/kestra:core/src/test/java/Foo.java
  deviation: Kestra fails instead
- case: minimal
  flow: f.yaml
  tier: storage
`);
    expect(cases).toEqual([
      {
        case: 'task-flow-third',
        flow: 'task-flow.yaml',
        deploy: ['switch.yaml'],
        inputs: { string: 'THIRD', flag: true },
        tier: 'core',
        features: ['Subflow', 'errorLogs()'],
        expect: {
          state: 'FAILED',
          taskRunCount: { atLeast: 1 },
          taskRuns: [{ taskId: 'launch', value: '1', state: 'FAILED', attempts: 1, any: true, outputs: { state: 'FAILED' } }],
          outputs: { key: 'v' },
          logs: [{ level: 'ERROR', contains: 'Task failure' }],
        },
        source: 'kestra-io/kestra:core/src/test/java/Foo.java',
        deviation: 'Kestra fails instead',
      },
      { case: 'minimal', flow: 'f.yaml', deploy: [], tier: 'storage', features: [], expect: {} },
    ]);
  });

  it.each([
    ['a map instead of a list', 'case: x', 'x.yaml: must be a list of cases'],
    ['a case without a flow', '- { case: a, tier: core }', "x.yaml case #1 ('a'): 'flow' must be a non-empty string"],
    ['an unknown case key', '- { case: a, flow: f.yaml, tier: core, expected: {} }', "x.yaml case #1 ('a'): unknown key 'expected'"],
    ['an unknown expect key', '- { case: a, flow: f.yaml, tier: core, expect: { status: SUCCESS } }', "x.yaml case #1 ('a').expect: unknown key 'status'"],
    ['a task run entry without taskId', '- { case: a, flow: f.yaml, tier: core, expect: { taskRuns: [ { state: FAILED } ] } }', "x.yaml case #1 ('a').expect.taskRuns[0]: 'taskId' must be a non-empty string"],
    ['an empty log entry', '- { case: a, flow: f.yaml, tier: core, expect: { logs: [ {} ] } }', "x.yaml case #1 ('a').expect.logs[0]: needs level or contains"],
    ['inputs that are not a map', '- { case: a, flow: f.yaml, tier: core, inputs: [1] }', "x.yaml case #1 ('a'): 'inputs' must be a map"],
    ['a case twice', '- { case: a, flow: f.yaml, tier: core }\n- { case: a, flow: g.yaml, tier: core }', "x.yaml: case 'a' appears twice"],
  ])('rejects %s, naming the case and key', (_name, text, message) => {
    const err = errorOf(() => parseExpectations(text, 'x.yaml'));
    expect(err.code).toBe('TROUPE_OPTION_INVALID');
    expect(err.message.startsWith(message)).toBe(true);
  });
});

describe('loadExpectations', () => {
  it('loads the fixture corpus in file order', () => {
    expect(loadExpectations(FIXTURE).map((c) => c.case)).toEqual([
      'hello-passes',
      'wrong-state',
      'wrong-count',
      'wrong-output',
      'missing-log',
      'loop-all-runs',
      'loop-any-run',
      'failing-flow',
      'other-namespace',
      'times-out',
      'broken-flow',
      'missing-flow',
      'file-input',
      'needs-triggers',
    ]);
  });

  it('says what a conformance directory holds when expectations.yaml is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-conformance-test-'));
    try {
      const err = errorOf(() => loadExpectations(dir));
      expect(err.code).toBe('TROUPE_OPTION_INVALID');
      expect(err.message).toContain('a conformance directory holds expectations.yaml and flows/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('selectCases', () => {
  const cases = parseExpectations('- { case: a, flow: f.yaml, tier: core }\n- { case: b, flow: f.yaml, tier: core }\n- { case: c, flow: f.yaml, tier: core }');

  it('keeps corpus order whatever the order of the names', () => {
    expect(selectCases(cases, ['c', 'a']).map((c) => c.case)).toEqual(['a', 'c']);
  });

  it('rejects a name that is not in the corpus', () => {
    expect(errorOf(() => selectCases(cases, ['a', 'zz']))).toEqual({ code: 'TROUPE_OPTION_INVALID', message: "Unknown case 'zz': the corpus has a, b, c" });
  });
});

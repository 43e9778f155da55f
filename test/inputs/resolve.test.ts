import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { assertInputs, resolveInputs, resolveResumeInputs, validateInputs } from '../../src/inputs/index.js';
import { declare } from './declare.js';

/** Kestra's core/src/test/resources/flows/valids/inputs.yaml, inputs section. */
const KESTRA_INPUTS = declare(`
  - {id: string, type: STRING}
  - {id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE]}
  - {id: optional, type: STRING, required: false}
  - {id: int, type: INT}
  - {id: bool, type: BOOLEAN, required: false}
  - {id: float, type: FLOAT}
  - {id: instant, type: DATETIME}
  - {id: date, type: DATE, required: false}
  - {id: time, type: TIME, required: false}
  - {id: duration, type: DURATION, required: false}
  - {id: file, type: FILE}
  - {id: optionalFile, type: FILE, required: false}
  - {id: instantDefaults, type: DATETIME, defaults: "2013-08-09T14:19:00Z"}
  - {id: json, type: JSON, required: false}
  - {id: uri, type: URI, required: false}
  - {id: nested.string, type: STRING, required: false}
  - {id: nested.more.int, type: INT, required: false}
  - {id: nested.bool, type: BOOLEAN, required: false}
  - {id: validatedString, type: STRING, validator: "A\\\\d+", required: false}
  - {id: validatedInt, type: INT, min: 10, max: 20, required: false}
  - {id: validatedDate, type: DATE, after: 2023-01-01, before: 2023-12-31, required: false}
  - {id: validatedDateTime, type: DATETIME, after: "2023-01-01T00:00:00Z", before: "2023-12-31T23:59:59Z", required: false}
  - {id: validatedDuration, type: DURATION, min: PT10S, max: PT20S, required: false}
  - {id: validatedFloat, type: FLOAT, min: 0.1, max: 0.5, required: false}
  - {id: validatedTime, type: TIME, after: "01:00:00", before: "11:59:59", required: false}
  - {name: secret, type: SECRET}
  - {name: array, type: ARRAY, itemType: INT}
  - name: yaml
    type: YAML
    defaults:
      property: something
      list:
      - key: key1
        value: value1
  - {name: empty, type: STRING, defaults: '', required: true}`);

/** InputsTest.inputs: every value as a string, as the API and the CLI give them. */
const KESTRA_VALUES: Record<string, unknown> = {
  string: 'myString',
  enum: 'ENUM_VALUE',
  int: '42',
  float: '42.42',
  bool: 'false',
  instant: '2019-10-06T18:27:49Z',
  date: '2019-10-06',
  time: '18:27:49',
  duration: 'PT5M6S',
  file: '/tmp/application-test.yml',
  json: '{"a": "b"}',
  uri: 'https://www.google.com',
  'nested.string': 'a string',
  'nested.more.int': '123',
  'nested.bool': 'true',
  validatedString: 'A123',
  validatedInt: '12',
  validatedDate: '2023-01-02',
  validatedDateTime: '2023-01-01T00:00:10Z',
  validatedDuration: 'PT15S',
  validatedFloat: '0.42',
  validatedTime: '11:27:49',
  secret: 'secret',
  array: '[1, 2, 3]',
  yaml: 'some: property\nalist:\n- of\n- values',
};

const storeFile = (inputId: string, value: string): string => `kestra:///io/kestra/tests/inputs/executions/test/inputs/${inputId}/${value.split('/').pop()}`;
const encryptSecret = (plain: string): string => `encrypted(${plain})`;

describe('resolveInputs', () => {
  it("types every input of Kestra's inputs.yaml", () => {
    expect(resolveInputs(KESTRA_INPUTS, KESTRA_VALUES, { storeFile, encryptSecret })).toEqual({
      ok: true,
      inputs: {
        string: 'myString',
        enum: 'ENUM_VALUE',
        optional: null,
        int: 42,
        bool: false,
        float: 42.42,
        instant: '2019-10-06T18:27:49.000Z',
        date: '2019-10-06',
        time: '18:27:49',
        duration: 'PT5M6S',
        file: 'kestra:///io/kestra/tests/inputs/executions/test/inputs/file/application-test.yml',
        optionalFile: null,
        instantDefaults: '2013-08-09T14:19:00.000Z',
        json: { a: 'b' },
        uri: 'https://www.google.com',
        nested: { string: 'a string', more: { int: 123 }, bool: true },
        validatedString: 'A123',
        validatedInt: 12,
        validatedDate: '2023-01-02',
        validatedDateTime: '2023-01-01T00:00:10.000Z',
        validatedDuration: 'PT15S',
        validatedFloat: 0.42,
        validatedTime: '11:27:49',
        secret: 'encrypted(secret)',
        array: [1, 2, 3],
        yaml: { some: 'property', alist: ['of', 'values'] },
        empty: '',
      },
    });
  });

  it('keeps an optional input without value or defaults as a null entry', () => {
    const result = resolveInputs(declare('  - {id: bool, type: BOOLEAN, required: false}'), {});
    expect(result).toEqual({ ok: true, inputs: { bool: null } });
    expect(result.ok && Object.hasOwn(result.inputs, 'bool')).toBe(true);
  });

  it('uses defaults when the value is absent or null, and ignores undeclared values', () => {
    const declared = declare('  - {id: a, type: INT, defaults: 1}\n  - {id: b, type: STRING, defaults: x}');
    expect(resolveInputs(declared, { a: null, other: 'ignored' })).toEqual({ ok: true, inputs: { a: 1, b: 'x' } });
  });

  it('reports every failing input together, in declaration order', () => {
    const values = { ...KESTRA_VALUES, string: null, enum: 'INVALID', validatedInt: '9', uri: 'http:/bla', array: '["s1", "s2"]' };
    expect(resolveInputs(KESTRA_INPUTS, values, { storeFile, encryptSecret })).toEqual({
      ok: false,
      errors: [
        { inputId: 'string', message: 'Invalid input for `string`, missing required input, but received `null`' },
        { inputId: 'enum', message: 'Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`' },
        { inputId: 'uri', message: 'Invalid input for `uri`, Expected `URI` but received `http:/bla`, but received `http:/bla`' },
        { inputId: 'validatedInt', message: 'Invalid input for `validatedInt`, it must be more than `10`, but received `9`' },
        { inputId: 'array', message: 'Invalid input for `array`, Unable to parse array element as `INT` on `s1`, but received `["s1", "s2"]`' },
      ],
    });
  });

  it('nests dotted ids and reports ids that collide', () => {
    expect(resolveInputs(declare('  - {id: a.b.c, type: INT}\n  - {id: a.d, type: STRING}'), { 'a.b.c': '1', 'a.d': 'x' })).toEqual({
      ok: true,
      inputs: { a: { b: { c: 1 }, d: 'x' } },
    });
    expect(resolveInputs(declare('  - {id: a, type: JSON}\n  - {id: a.b, type: STRING}'), { a: '{}', 'a.b': 'x' })).toEqual({
      ok: false,
      errors: [{ inputId: 'a.b', message: "Conflict at key: 'a', Map keys are: [a, a.b]" }],
    });
  });
});

describe('dependsOn', () => {
  const declared = declare(`
  - {id: kind, type: SELECT, values: [cloud, local]}
  - id: region
    type: STRING
    dependsOn: {inputs: [kind], condition: "{{ inputs.kind == 'cloud' }}"}
  - id: zone
    type: STRING
    dependsOn: {inputs: [region]}
  - id: size
    type: INT
    required: false
    dependsOn: {inputs: [kind], condition: "{{ inputs.kind }}"}
  - id: peek
    type: STRING
    dependsOn: {inputs: [kind], condition: "{{ inputs.region == 'x' }}"}`);

  it('enables an input whose condition renders true; a condition naming a non-dependency fails and disables silently', () => {
    expect(resolveInputs(declared, { kind: 'cloud', region: 'eu', zone: 'eu-1', size: '3' })).toEqual({
      ok: true,
      inputs: { kind: 'cloud', region: 'eu', zone: 'eu-1' },
    });
  });

  it('omits a disabled input and every input depending on it, even when required', () => {
    expect(resolveInputs(declared, { kind: 'local' })).toEqual({ ok: true, inputs: { kind: 'local' } });
  });

  it('reports a missing required input that its condition enables', () => {
    expect(resolveInputs(declared, { kind: 'cloud' })).toEqual({
      ok: false,
      errors: [
        { inputId: 'region', message: 'Invalid input for `region`, missing required input, but received `null`' },
        { inputId: 'zone', message: 'Invalid input for `zone`, missing required input, but received `null`' },
      ],
    });
  });

  it('renders conditions with the context given in options', () => {
    const flowScoped = declare(`
  - id: debug
    type: BOOLEAN
    dependsOn: {inputs: [], condition: "{{ flow.namespace == 'dev' }}"}`);
    expect(resolveInputs(flowScoped, { debug: 'true' }, { context: { flow: { namespace: 'dev' } } })).toEqual({ ok: true, inputs: { debug: true } });
    expect(resolveInputs(flowScoped, { debug: 'true' }, { context: { flow: { namespace: 'prod' } } })).toEqual({ ok: true, inputs: {} });
  });

  it('computes SELECT values from an expression over the dependencies', () => {
    const dynamic = declare(`
  - {id: env, type: STRING}
  - id: target
    type: SELECT
    expression: "{{ inputs.env == 'prod' ? ['eu', 'us'] : ['dev'] }}"
    dependsOn: {inputs: [env]}`);
    expect(resolveInputs(dynamic, { env: 'prod', target: 'us' })).toEqual({ ok: true, inputs: { env: 'prod', target: 'us' } });
    expect(resolveInputs(dynamic, { env: 'test', target: 'us' })).toEqual({
      ok: false,
      errors: [{ inputId: 'target', message: 'Invalid input for `target`, it must match the values `[dev]`, but received `us`' }],
    });
  });
});

describe('assertInputs', () => {
  it('returns the typed inputs', () => {
    expect(assertInputs(declare('  - {id: n, type: INT}'), { n: '7' })).toEqual({ n: 7 });
  });

  it('throws one TROUPE_INPUT_INVALID listing every failing input', () => {
    const declared = declare('  - {id: a, type: INT}\n  - {id: b, type: STRING}\n  - {id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE]}');
    let thrown: unknown;
    try {
      assertInputs(declared, { a: 'x', enum: 'INVALID' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TroupeError);
    const err = thrown as TroupeError;
    expect(err.code).toBe('TROUPE_INPUT_INVALID');
    expect(err.message).toBe(
      [
        'a: Invalid input for `a`, For input string: "x", but received `x`',
        'b: Invalid input for `b`, missing required input, but received `null`',
        'enum: Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`',
      ].join('\n'),
    );
    expect(err.details).toEqual({
      inputId: 'a',
      errors: [
        { inputId: 'a', message: 'Invalid input for `a`, For input string: "x", but received `x`' },
        { inputId: 'b', message: 'Invalid input for `b`, missing required input, but received `null`' },
        { inputId: 'enum', message: 'Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`' },
      ],
    });
  });

  it("gives Kestra's exact exception message for a single failure", () => {
    const declared = declare('  - {id: enum, type: ENUM, values: [ENUM_VALUE, OTHER_ONE]}');
    expect(() => assertInputs(declared, { enum: 'INVALID' })).toThrow(
      expect.objectContaining({
        code: 'TROUPE_INPUT_INVALID',
        message: 'enum: Invalid input for `enum`, it must match the values `[ENUM_VALUE, OTHER_ONE]`, but received `INVALID`',
      }),
    );
  });
});

describe('resolveResumeInputs', () => {
  const onResume = declare('  - {id: asked, type: STRING, description: "An input asked on resume"}\n  - {id: proof, type: FILE, required: false}');

  it('types the resume inputs like flow inputs', () => {
    expect(resolveResumeInputs(onResume, { asked: 'restarted', proof: '/tmp/p.txt' }, { storeFile })).toEqual({
      ok: true,
      inputs: { asked: 'restarted', proof: 'kestra:///io/kestra/tests/inputs/executions/test/inputs/proof/p.txt' },
    });
  });

  it('reports a missing resume input as pause_on_resume.yaml does', () => {
    expect(resolveResumeInputs(onResume, {})).toEqual({
      ok: false,
      errors: [{ inputId: 'asked', message: 'Invalid input for `asked`, missing required input, but received `null`' }],
    });
  });
});

describe('validateInputs (the validate routes)', () => {
  const declared = declare(`
  - {id: int, type: INT, min: 1}
  - {id: name, type: STRING, defaults: world}
  - {id: gated, type: STRING, required: false, dependsOn: {inputs: [int], condition: "{{ inputs.int > 5 }}"}}
  - {id: missing, type: DATE}`);

  it('reports every declared input in order with its own outcome, agreeing with resolveInputs', () => {
    const provided = { int: '0', gated: 'x', undeclared: 'y' };
    const results = validateInputs(declared, provided);
    expect(results.map((r) => [r.input.id, r.value, r.enabled])).toEqual([
      ['int', '0', true],
      ['name', 'world', true],
      ['gated', 'x', false],
      ['missing', null, true],
    ]);
    expect(results[0]!.error).toMatch(/^Invalid input for `int`/);
    expect(results[1]).not.toHaveProperty('error');
    expect(results[2]).not.toHaveProperty('error');
    expect(results[3]!.error).toBe('Invalid input for `missing`, missing required input, but received `null`');
    const whole = resolveInputs(declared, provided);
    expect(whole.ok ? [] : whole.errors.map((e) => e.message)).toEqual([results[0]!.error, results[3]!.error]);
  });

  it('gives typed values when they fit, and enables what a condition allows', () => {
    const results = validateInputs(declared, { int: '9', gated: 'open', missing: '2024-02-29' });
    expect(results.map((r) => r.value)).toEqual([9, 'world', 'open', '2024-02-29']);
    expect(results.every((r) => r.enabled && r.error === undefined)).toBe(true);
  });
});

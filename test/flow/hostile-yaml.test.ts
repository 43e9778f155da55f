import { describe, expect, it } from 'vitest';
import { parseFlow, validateFlow } from '../../src/flow/index.js';
import { TroupeError, type FlowError } from '../../src/errors.js';
import { openTestEngine } from '../helpers/engine.js';
import { HOSTILE_CASES } from './hostile-cases.js';

const TASKS = 'tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n';
const flowWith = (rest: string): string => `id: demo\nnamespace: io.kestra.tests\n${rest}${TASKS}`;

/** The code and position of what parseFlow throws. */
function failure(source: string, options: Parameters<typeof parseFlow>[1] = {}): { code: string; message: string; line?: number; column?: number } {
  try {
    parseFlow(source, options);
  } catch (e) {
    const err = e as FlowError;
    return { code: err.code, message: err.message, line: err.position.line, column: err.position.column };
  }
  throw new Error('expected parseFlow to throw');
}

// Each case must end in its own error at a line and column, with the process alive. The budget of a
// case is its test timeout (generous: the CI machine is shared), a hang fails it, a stack overflow
// fails it with a RangeError.
describe('hostile sources found by the probe', () => {
  it.each(HOSTILE_CASES)('$name → $code at $line:$column', ({ source, options, code, line, column }) => {
    const got = failure(source(), { ...options, file: 'hostile.yaml' });
    expect(got).toMatchObject({ code, line, column });
    expect(got.message.startsWith(`hostile.yaml:${line}:${column}: `)).toBe(true);
    expect(got.message).not.toMatch(/Maximum call stack|RangeError|\n\s+at /);
  }, 120_000);

  it('refuses them at Engine.deploy with the same errors, refuses a JSON input nested 100,000 deep, and the engine runs the next flow', async () => {
    const { engine, dispose } = await openTestEngine({ shards: 1, poolThreads: 1 });
    try {
      for (const c of HOSTILE_CASES.filter((h) => h.options === undefined)) {
        const err = await engine.deploy(c.source(), { file: 'hostile.yaml' }).then(() => undefined, (e: unknown) => e);
        expect(err, c.name).toBeInstanceOf(TroupeError);
        expect((err as FlowError).code, c.name).toBe(c.code);
        expect((err as FlowError).position, c.name).toMatchObject({ file: 'hostile.yaml', line: c.line, column: c.column });
      }
      const rec = await engine.deploy(flowWith('inputs:\n  - id: j\n    type: JSON\n    required: false\n'));
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const refused = await engine.execute(rec.namespace, rec.id, { j: deep }).then(() => undefined, (e: unknown) => e);
      expect(refused).toBeInstanceOf(TroupeError);
      expect((refused as TroupeError).code).toBe('TROUPE_INPUT_INVALID');
      expect((refused as TroupeError).message).toContain('it nests lists and maps deeper than 1000 levels');
      const done = await engine.waitFor(await engine.execute(rec.namespace, rec.id, { j: '[[1]]' }));
      expect(done.state.current).toBe('SUCCESS');
    } finally {
      await dispose();
    }
  }, 120_000);

  it('keeps maxDepth within what the loader can walk without overflowing', () => {
    const refused = (maxDepth: number): unknown => {
      try {
        parseFlow(flowWith(''), { maxDepth });
      } catch (e) {
        return (e as TroupeError).code;
      }
      return undefined;
    };
    expect(refused(501)).toBe('TROUPE_OPTION_INVALID');
    expect(refused(0)).toBe('TROUPE_OPTION_INVALID');
    expect(refused(1.5)).toBe('TROUPE_OPTION_INVALID');
    expect(refused(500)).toBeUndefined();
    // At the ceiling, the deepest flow the reader accepts parses: Sequentials nested 248 deep.
    let inner = '{id: leaf, type: io.kestra.plugin.core.log.Log, message: hi}';
    for (let i = 0; i < 248; i++) inner = `{id: s${i}, type: io.kestra.plugin.core.flow.Sequential, tasks: [${inner}]}`;
    expect(parseFlow(`id: demo\nnamespace: io.kestra.tests\ntasks: [${inner}]\n`, { maxDepth: 500 }).tasks[0]?.id).toBe('s247');
    expect(failure(`variables:\n  x: ${'['.repeat(600)}`, { maxDepth: 500 })).toMatchObject({ code: 'TROUPE_FLOW_TOO_DEEP', line: 2, column: 504 });
  });

  it('accepts an alias whose tree stays under the cap, and counts the levels it adds', () => {
    const source = flowWith(`variables:\n  a: &a ${'['.repeat(40)}x${']'.repeat(40)}\n  b: ${'['.repeat(40)}*a${']'.repeat(40)}\n`);
    expect(parseFlow(source).variables['b']).toBeDefined();
    expect(failure(source, { maxDepth: 60 })).toMatchObject({ code: 'TROUPE_FLOW_TOO_DEEP', line: 5, column: 46 });
  });
});

describe('size cap', () => {
  it('refuses a source over 10 MiB by default', () => {
    expect(failure(flowWith(`description: "${'a'.repeat(10 * 1024 * 1024)}"\n`)).code).toBe('TROUPE_FLOW_TOO_LARGE');
  });

  it('counts UTF-8 bytes, not characters', () => {
    const source = flowWith(`description: "${'é'.repeat(60)}"\n`);
    expect(source.length).toBeLessThan(200);
    expect(failure(source, { maxBytes: 200 })).toEqual({
      code: 'TROUPE_FLOW_TOO_LARGE',
      message: '1:1: flow source is larger than 200 bytes; split the flow or raise maxBytes',
      line: 1,
      column: 1,
    });
    expect(parseFlow(source, { maxBytes: 300 }).description).toBe('é'.repeat(60));
  });
});

describe('depth cap', () => {
  it('refuses 2 KB of nested [ with a catchable error at the first level past the cap', () => {
    expect(failure('['.repeat(2048), { file: 'deep.yaml' })).toEqual({
      code: 'TROUPE_FLOW_TOO_DEEP',
      message: 'deep.yaml:1:101: collections are nested deeper than 100 levels',
      line: 1,
      column: 101,
    });
  });

  it('refuses a megabyte of nested { without overflowing the stack', () => {
    expect(failure(`variables:\n  x: ${'{a: '.repeat(250_000)}`).code).toBe('TROUPE_FLOW_TOO_DEEP');
  });

  it('counts block nesting too', () => {
    const lines = Array.from({ length: 150 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(failure(`${lines} x\n`)).toMatchObject({ code: 'TROUPE_FLOW_TOO_DEEP', line: 101, column: 101 });
    expect(failure(`${'- '.repeat(150)}x\n`)).toMatchObject({ code: 'TROUPE_FLOW_TOO_DEEP', line: 1, column: 201 });
  });

  it('accepts nesting under the cap and honours maxDepth', () => {
    const nested = `variables:\n  x: ${'['.repeat(90)}1${']'.repeat(90)}\n`;
    expect(validateFlow(flowWith(nested)).ok).toBe(true);
    expect(failure(flowWith(nested), { maxDepth: 50 }).code).toBe('TROUPE_FLOW_TOO_DEEP');
  });
});

describe('duplicate keys', () => {
  it('reports the position of each repeated key', () => {
    const source = 'id: demo\nnamespace: io.kestra.tests\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    message: again\nid: other\n';
    expect(failure(source, { file: 'dup.yaml' })).toEqual({
      code: 'TROUPE_FLOW_DUPLICATE_KEY',
      message: "dup.yaml:7:5: duplicate key 'message'; each key may appear once in a mapping\ndup.yaml:8:1: duplicate key 'id'; each key may appear once in a mapping",
      line: 7,
      column: 5,
    });
  });

  it('treats 1 and "1" as the same key, as Jackson does', () => {
    expect(failure(flowWith('variables:\n  1: a\n  "1": b\n'))).toMatchObject({ code: 'TROUPE_FLOW_DUPLICATE_KEY', line: 5, column: 3 });
  });

  it('parses 200,000 distinct keys (the yaml package alone is quadratic here)', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
    const flow = parseFlow(flowWith(`variables:\n${keys}\n`));
    expect(Object.keys(flow.variables)).toHaveLength(200_000);
    expect(flow.variables['k199999']).toBe(199_999);
  });

  it('finds a duplicate among 200,000 keys', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `  k${i}: ${i}`).join('\n');
    expect(failure(flowWith(`variables:\n${keys}\n  k7: again\n`))).toMatchObject({ code: 'TROUPE_FLOW_DUPLICATE_KEY', line: 200_004, column: 3 });
  });
});

describe('aliases', () => {
  it('refuses a billion-laughs expansion', () => {
    const levels = ['  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++) levels.push(`  a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    expect(failure(flowWith(`variables:\n${levels.join('\n')}\n`)).code).toBe('TROUPE_FLOW_TOO_MANY_ALIASES');
  });

  it('resolves a few aliases to their values', () => {
    const flow = parseFlow(flowWith('variables:\n  base: &base {a: 1}\n  copy: *base\n'));
    expect(flow.variables).toEqual({ base: { a: 1 }, copy: { a: 1 } });
  });

  it('honours maxAliasCount', () => {
    expect(failure(flowWith('variables:\n  base: &base {a: 1}\n  copy: *base\n'), { maxAliasCount: 0 }).code).toBe('TROUPE_FLOW_TOO_MANY_ALIASES');
  });

  it('refuses an alias inside the node it names', () => {
    expect(failure(flowWith('variables:\n  x: &a [1, *a]\n'))).toMatchObject({ code: 'TROUPE_FLOW_SYNTAX', line: 4, column: 13 });
  });
});

describe('other hostile input', () => {
  it('keeps __proto__ keys as data', () => {
    const flow = parseFlow(flowWith('variables:\n  __proto__: {polluted: true}\n'));
    expect(Object.getPrototypeOf(flow.variables)).toBe(Object.prototype);
    expect(Object.keys(flow.variables)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reports YAML syntax errors with their position', () => {
    expect(failure('id: demo\nnamespace: [a\ntasks: x\n', { file: 's.yaml' })).toMatchObject({ code: 'TROUPE_FLOW_SYNTAX', line: 3, column: 1 });
  });

  it('refuses several documents', () => {
    expect(failure(`${flowWith('')}---\nid: other\n`)).toMatchObject({ code: 'TROUPE_FLOW_SYNTAX', line: 7, column: 1 });
  });

  it('reports an empty source as a missing flow', () => {
    expect(failure('')).toMatchObject({ code: 'TROUPE_FLOW_INVALID', message: '1:1: expected a flow (a map with id, namespace and tasks) but got null' });
  });
});

describe('problem volume', () => {
  it('keeps the first 1000 problems and counts the rest', () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => `  - {id: t${i}, type: com.example.Unknown${i}}`).join('\n');
    const result = validateFlow(`id: demo\nnamespace: io.kestra.tests\ntasks:\n${tasks}\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1000);
    expect(result.error.code).toBe('TROUPE_FLOW_UNKNOWN_TYPE');
    expect(result.error.details?.['dropped']).toBe(2000);
    expect(result.error.message.split('\n').at(-1)).toBe('… and 2000 more problems');
  });
});

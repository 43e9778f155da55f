import { Buffer } from 'node:buffer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { renderString } from '../../src/expr/index.js';
import { Secrets, maskSecrets, secretFunction } from '../../src/secrets/index.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

describe('maskSecrets: Kestra’s RunContextLogger masking', () => {
  it('masks as RunContextLoggerTest expects', () => {
    expect(maskSecrets('john@doe.com', ['doe.com'])).toBe('john@*******');
    expect(maskSecrets('myawesomepass', ['myawesomepass'])).toBe('**masked*****');
    expect(maskSecrets('password', ['password'])).toBe('********');
    expect(maskSecrets('a password and password', ['password'])).toBe('a password and password'.replaceAll('password', '********'));
    expect(maskSecrets('nothing here', ['secret', ''])).toBe('nothing here');
  });

  it('replaces the first run of nine stars once per secret found', () => {
    expect(maskSecrets('x 123456789 y abcdefghij', ['123456789', 'abcdefghij'])).toBe('x **masked* y **masked**');
  });
});

describe('Secrets: SECRET_* variables, base64 as Kestra OSS reads them', () => {
  it('decodes, upper-cases the key and removes line breaks', () => {
    const s = new Secrets({ SECRET_MY_SECRET: b64('{"secretKey":"secretValue"}'), SECRET_NEW_LINE: 'cGFzc3\ndvcmQ=', SECRET_PASSWORD: 'cGFzc3dvcmQ', OTHER: 'x' });
    expect(s.get('my_secret')).toBe('{"secretKey":"secretValue"}');
    expect(s.get('NEW_LINE')).toBe('password');
    expect(s.get('password')).toBe('password');
    expect(() => s.get('other')).toThrow("Cannot find secret for key 'other'.");
  });

  it('refuses a value that is not base64 with TROUPE_SECRET_INVALID', () => {
    const s = new Secrets({ SECRET_BAD: 'not base64!' , SECRET_ONE: 'abcde' });
    for (const key of ['bad', 'one']) {
      try {
        s.get(key);
        expect.unreachable();
      } catch (e) {
        expect((e as TroupeError).code).toBe('TROUPE_SECRET_INVALID');
        expect((e as Error).message).toContain(`Could not decode secret 'SECRET_${key.toUpperCase()}'`);
      }
    }
  });

  it('is a host function of the pure renderer that records what it returned', () => {
    const seen = new Set<string>();
    const fn = secretFunction(new Secrets({ SECRET_A: b64('alpha') }), seen);
    expect(renderString("{{ secret('a') }}-{{ secret(key='A') }}", {}, { functions: { secret: fn } })).toBe('alpha-alpha');
    expect([...seen]).toEqual(['alpha']);
    expect(() => renderString("{{ secret('b') }}", {}, { functions: { secret: fn } })).toThrow("Cannot find secret for key 'b'.");
  });
});

describe('secret() and masking in a real engine (shard and pool threads)', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.SECRET_MY_PASS = b64('myawesomepass');
    process.env.SECRET_BROKEN = '%%%';
  });
  afterAll(() => {
    for (const k of ['SECRET_MY_PASS', 'SECRET_BROKEN']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (disposers.length) await disposers.pop()!();
  });

  it('renders secrets in pool and shard renders, masks them and SECRET inputs in logs, not in outputs', async () => {
    const t = await openTestEngine();
    disposers.push(t.dispose);
    const x = await runFlow(
      t.engine,
      `
id: secrets
namespace: io.kestra.tests
inputs:
  - id: pw
    type: SECRET
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "pass={{ secret('my_pass') }} input={{ inputs.pw }}"
  - id: gated
    type: io.kestra.plugin.core.debug.Return
    runIf: "{{ secret('MY_PASS') == 'myawesomepass' }}"
    format: "{{ secret('MY_PASS') }}"
  - id: other
    type: io.kestra.plugin.core.log.Log
    message: "not read here: myawesomepass, input {{ inputs.pw }}"
`,
      { pw: 'hunter2' },
    );
    expect(x.state.current).toBe('SUCCESS');
    const messages = t.engine.logs(x.id).map((l) => [l.taskId, l.message]);
    expect(messages).toContainEqual(['log', 'pass=**masked***** input=*******']);
    // Kestra masks per run context: a secret this task never read stays; SECRET inputs always go.
    expect(messages).toContainEqual(['other', 'not read here: myawesomepass, input *******']);
    expect(JSON.stringify(messages)).not.toContain('hunter2');
    expect(x.taskRunList!.find((r) => r.taskId === 'gated')!.outputs).toEqual({ value: 'myawesomepass' });
  });

  it('fails the task run with a clear error on a missing or malformed secret', async () => {
    const t = await openTestEngine();
    disposers.push(t.dispose);
    for (const [key, message] of [
      ['broken', "Could not decode secret 'SECRET_BROKEN', make sure it is Base64-encoded"],
      ['nope', "Cannot find secret for key 'nope'."],
    ] as const) {
      const x = await runFlow(
        t.engine,
        `
id: bad-secret-${key}
namespace: io.kestra.tests
tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ secret('${key}') }}"
`,
      );
      expect(x.state.current).toBe('FAILED');
      expect(x.taskRunList!.map((r) => r.state.current)).toEqual(['FAILED']);
      expect(t.engine.logs(x.id).map((l) => l.message).join('\n')).toContain(message);
    }
  });
});

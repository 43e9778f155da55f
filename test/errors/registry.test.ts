import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FlowError, TroupeError, fromErrorRecord, toErrorRecord, type ErrorCode } from '../../src/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(TROUPE_[A-Z_]+)` \|/gm)].map((m) => m[1]);

describe('error registry', () => {
  it('lists in docs/errors.md exactly the codes of the registry', () => {
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('%s survives the trip through a plain record', (code) => {
    const err = new TroupeError(code, `message of ${code}`, { a: 1 }, { cause: new Error('root') });
    const back = fromErrorRecord(structuredClone(toErrorRecord(err)));
    expect(back).toBeInstanceOf(TroupeError);
    expect(back.code).toBe(code);
    expect(back.message).toBe(`message of ${code}`);
    expect(back.details).toEqual({ a: 1 });
    expect((back.cause as TroupeError).message).toBe('root');
  });

  it('puts file:line:column in front of a flow error', () => {
    const err = new FlowError('TROUPE_FLOW_INVALID', "missing required property 'id'", { file: 'f.yaml', line: 4, column: 5, path: 'tasks[0]' });
    expect(err.message).toBe("f.yaml:4:5: missing required property 'id'");
    expect(toErrorRecord(err).details).toMatchObject({ line: 4, column: 5, path: 'tasks[0]' });
  });

  it('turns a foreign error into TROUPE_INTERNAL', () => {
    expect(toErrorRecord(new RangeError('x'))).toMatchObject({ code: 'TROUPE_INTERNAL', message: 'x' });
  });
});

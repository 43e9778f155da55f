/**
 * The ERROR line a task logs when a render fails is Kestra's worker's: `e.getMessage()` of the
 * IllegalVariableEvaluationException wrapping Pebble's exception, i.e. `<Pebble class>: <message>`
 * for a failing function or filter (PebbleException) and a parse error (ParserException), and the
 * bare "Unable to find …" message for a missing variable. Pool tasks and main-thread tasks alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';

let engine: Engine;
let dispose: () => Promise<void>;

beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine({ noSync: true }));
});

afterAll(async () => {
  await dispose();
});

async function errorLine(n: number, task: string): Promise<string | undefined> {
  const e = await runFlow(engine, `id: fail_${n}\nnamespace: company.render\ntasks:\n  - id: t\n    ${task}\n`);
  expect(e.state.current).toBe('FAILED');
  return (await engine.getLogs(e.id)).find((l) => l.taskId === 't' && l.level === 'ERROR')?.message;
}

describe('the log line of a failed render', () => {
  it('names PebbleException for a failing function, in a pool task', async () => {
    expect(await errorLine(1, 'type: io.kestra.plugin.core.debug.Return\n    format: "{{ kv(\'nothing\', errorOnMissing=true) }}"'))
      .toBe("io.pebbletemplates.pebble.error.PebbleException: The key 'nothing' does not exist in the namespace 'company.render'. ({{ kv('nothing', errorOnMissing=true) }}:1)");
  });

  it('names ParserException for a template that does not parse', async () => {
    expect(await errorLine(2, 'type: io.kestra.plugin.core.debug.Return\n    format: "{{ 1 + }}"')).toMatch(/^io\.pebbletemplates\.pebble\.error\.ParserException: .+ \(\{\{ 1 \+ \}\}:1\)$/);
  });

  it('keeps the bare message of a missing variable', async () => {
    expect(await errorLine(3, 'type: io.kestra.plugin.core.debug.Return\n    format: "{{ nope }}"')).toBe('Unable to find `nope` used in the expression `{{ nope }}` at line 1');
  });

  it('names PebbleException in a main-thread task too', async () => {
    expect(await errorLine(4, 'type: io.kestra.plugin.core.log.PurgeLogs\n    endDate: "{{ kv(\'nothing\', errorOnMissing=true) }}"'))
      .toMatch(/^io\.pebbletemplates\.pebble\.error\.PebbleException: The key 'nothing' does not exist/);
  });

  it('leaves task errors that are not renders alone', async () => {
    expect(await errorLine(5, 'type: io.kestra.plugin.core.execution.Fail\n    errorMessage: boom')).toBe('boom');
  });
});

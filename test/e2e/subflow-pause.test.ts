import { afterEach, describe, expect, it } from 'vitest';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import type { Engine } from '../../src/runtime/engine.js';

const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});
async function open(): Promise<Engine> {
  const t = await openTestEngine({ shards: 2 });
  disposers.push(t.dispose);
  return t.engine;
}

const child = `
id: child
namespace: t
labels: { childLabel: c }
inputs:
  - id: who
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "hello {{ inputs.who }}"
  - id: maybe-fail
    type: io.kestra.plugin.core.execution.Fail
    condition: "{{ inputs.who == 'nobody' }}"
outputs:
  - id: greeting
    type: STRING
    value: "{{ outputs.hello.value }}"
`;

const parent = (who: string, extra = ''): string => `
id: parent
namespace: t
labels: { parentLabel: p }
tasks:
  - id: launch
    type: io.kestra.plugin.core.flow.Subflow
    namespace: t
    flowId: child
    inputs:
      who: "${who}"
    labels:
      launchLabel: l
${extra}
  - id: read
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.launch.state }} {{ outputs.launch.outputs.greeting ?? '-' }}"
`;

async function waitForState(engine: Engine, id: string, state: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (engine.get(id)?.state.current === state) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`execution ${id} never reached ${state}`);
}

describe('Subflow', () => {
  it('starts the child as its own execution and exposes its outputs', async () => {
    const e = await open();
    await e.deploy(child);
    const x = await runFlow(e, parent('world', '    inheritLabels: true'));
    expect(x.state.current).toBe('SUCCESS');
    const run = x.taskRunList![0]!;
    expect(run.outputs).toMatchObject({ state: 'SUCCESS', outputs: { greeting: 'hello world' } });
    expect(run.attempts).toHaveLength(1);
    expect(x.taskRunList![1]!.outputs).toEqual({ value: 'SUCCESS hello world' });
    const childExec = e.get((run.outputs as { executionId: string }).executionId)!;
    expect(childExec.trigger).toEqual({ id: 'launch', type: 'io.kestra.plugin.core.flow.Subflow', variables: { executionId: x.id, namespace: 't', flowId: 'parent', flowRevision: 1 } });
    expect(childExec.labels).toEqual(expect.arrayContaining([
      { key: 'system.correlationId', value: x.id },
      { key: 'parentLabel', value: 'p' },
      { key: 'launchLabel', value: 'l' },
      { key: 'childLabel', value: 'c' },
    ]));
  });

  it('transmits a failed child to the parent run', async () => {
    const e = await open();
    await e.deploy(child);
    const x = await runFlow(e, parent('nobody'));
    expect(x.state.current).toBe('FAILED');
    expect(x.taskRunList![0]!.outputs).toMatchObject({ state: 'FAILED' });
  });

  it('fails the run with Kestra’s message when the flow does not exist', async () => {
    const e = await open();
    const x = await runFlow(e, parent('x').replace('flowId: child', 'flowId: ghost'));
    expect(x.state.current).toBe('FAILED');
    expect(e.logs(x.id)).toContainEqual(expect.objectContaining({ level: 'ERROR', message: "Unable to find flow 't'.'ghost' with revision '0'" }));
  });

  it('does not wait with wait: false, but ends only once the child exists', async () => {
    const e = await open();
    await e.deploy(child);
    const x = await runFlow(e, parent('w', '    wait: false'));
    expect(x.taskRunList![0]!.outputs).toMatchObject({ state: 'CREATED' });
    expect(x.taskRunList![0]!.state.current).toBe('SUCCESS');
    const childId = (x.taskRunList![0]!.outputs as { executionId: string }).executionId;
    // Its creation was durable before the run ended: already there, without waiting.
    expect(e.get(childId)).toBeDefined();
    expect((await e.waitFor(childId)).state.current).toBe('SUCCESS');
  });

  it('fails a run with wait: false whose flow does not exist (Kestra)', async () => {
    const e = await open();
    const x = await runFlow(e, parent('x', '    wait: false').replace('flowId: child', 'flowId: ghost'));
    expect(x.state.current).toBe('FAILED');
    expect(e.logs(x.id)).toContainEqual(expect.objectContaining({ level: 'ERROR', message: "Unable to find flow 't'.'ghost' with revision '0'" }));
  });
});

describe('Typed inputs', () => {
  it('types inputs on execute and reports every bad one together', async () => {
    const e = await open();
    const rec = await e.deploy(`
id: typed
namespace: t
inputs:
  - id: count
    type: INT
    min: 1
  - id: when
    type: DATE
  - id: name
    type: STRING
    defaults: world
tasks:
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ inputs.count + 1 }} {{ inputs.when }} {{ inputs.name }}"
`);
    await expect(e.execute('t', 'typed', { count: '0', when: 'yesterday' })).rejects.toMatchObject({
      code: 'TROUPE_INPUT_INVALID',
      message: expect.stringContaining('Invalid input for `count`, it must be more than `1`, but received `0`'),
    });
    await expect(e.execute('t', 'typed', { count: '0', when: 'yesterday' })).rejects.toMatchObject({ message: expect.stringContaining('Invalid input for `when`') });
    const id = await e.execute(rec.namespace, rec.id, { count: '41', when: '2024-12-20' });
    const x = await e.waitFor(id);
    expect(x.inputs).toEqual({ count: 41, when: '2024-12-20', name: 'world' });
    expect(x.taskRunList![0]!.outputs).toEqual({ value: '42 2024-12-20 world' });
  });
});

describe('Pause', () => {
  it('pauses until resumed through the API, with onResume outputs', async () => {
    const e = await open();
    const rec = await e.deploy(`
id: approve
namespace: t
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
    onResume:
      - id: ok
        type: BOOLEAN
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.wait.onResume.ok }}"
`);
    const id = await e.execute(rec.namespace, rec.id);
    await waitForState(e, id, 'PAUSED');
    await expect(e.resume(id, {})).rejects.toMatchObject({ code: 'TROUPE_INPUT_INVALID', message: expect.stringContaining('Invalid input for `ok`, missing required input, but received `null`') });
    await e.resume(id, { ok: 'true' });
    const x = await e.waitFor(id);
    expect(x.state.current).toBe('SUCCESS');
    expect(x.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(x.taskRunList![0]!.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(x.taskRunList![1]!.outputs).toEqual({ value: 'true' });
  });

  it('resumes after its delay and fails after its timeout', async () => {
    const e = await open();
    const delayed = await runFlow(e, `id: d\nnamespace: t\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Pause\n    delay: PT0.2S\n    tasks:\n      - id: sub\n        type: io.kestra.plugin.core.log.Log\n        message: after\n`);
    expect(delayed.state.current).toBe('SUCCESS');
    expect(delayed.taskRunList!.map((r) => r.taskId)).toEqual(['p', 'sub']);
    const timedOut = await runFlow(e, `id: to\nnamespace: t\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Pause\n    timeout: PT0.2S\n  - id: never\n    type: io.kestra.plugin.core.log.Log\n    message: x\n`);
    expect(timedOut.state.current).toBe('FAILED');
    expect(timedOut.taskRunList!.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['p:FAILED']);
  });
});

describe('execution.Resume', () => {
  it('resumes another paused execution, and fails when it is not paused', async () => {
    const e = await open();
    const paused = await e.deploy(`id: gate\nnamespace: t\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: through\n`);
    const gateId = await e.execute(paused.namespace, paused.id);
    await waitForState(e, gateId, 'PAUSED');
    const opener = await runFlow(e, `id: opener\nnamespace: t\ninputs:\n  - id: target\n    type: STRING\ntasks:\n  - id: open\n    type: io.kestra.plugin.core.execution.Resume\n    executionId: "{{ inputs.target }}"\n`, { target: gateId });
    expect(opener.state.current).toBe('SUCCESS');
    expect((await e.waitFor(gateId)).state.current).toBe('SUCCESS');
    const again = await runFlow(e, `id: opener\nnamespace: t\ninputs:\n  - id: target\n    type: STRING\ntasks:\n  - id: open\n    type: io.kestra.plugin.core.execution.Resume\n    executionId: "{{ inputs.target }}"\n`, { target: 'nope' });
    expect(again.state.current).toBe('FAILED');
  });
});

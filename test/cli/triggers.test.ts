/**
 * `troupe triggers …` as a user runs it: real child processes of bin/troupe.js on a real data dir,
 * first with no daemon (the engine opens in the command's process), then against a running daemon
 * (test/ipc/daemon-child.mjs) that holds the data dir and fires the backfill.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [troupe, ...args], { timeout: 90_000 }, (e, stdout, stderr) => {
      if (e && (e as { killed?: boolean }).killed) stderr += `\n[hang guard] troupe ${args.join(' ')} killed after 90 s`;
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const FLOW = `id: nightly
namespace: cli.trig
inputs:
  - id: who
    type: STRING
    defaults: schedule
tasks:
  - id: when
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.date }} {{ inputs.who }}"
triggers:
  - id: at-two
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
    timezone: UTC
    recoverMissedSchedules: NONE
`;

function dataDirWithFlow(): { data: string; flow: string } {
  const data = mkdtempSync(join(tmpdir(), 'troupe-cli-triggers-'));
  const flow = join(data, '..', `${data.split('/').pop()}-nightly.yaml`);
  writeFileSync(flow, FLOW);
  return { data, flow };
}

describe('troupe triggers on a data dir with no daemon (opened directly)', () => {
  const { data, flow } = dataDirWithFlow();
  afterAll(() => {
    rmSync(data, { recursive: true, force: true });
    rmSync(flow, { force: true });
  });

  it('lists, disables, enables, shows, refuses an unlock of a free trigger, starts, pauses and deletes a backfill; reports bad input', async () => {
    expect((await cli(['deploy', flow, '--data', data])).code).toBe(0);
    const list = await cli(['triggers', 'list', '--data', data]);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(/^cli\.trig {2}nightly {2}at-two {2}Schedule {2}next \d{4}-\d{2}-\d{2}T02:00:00Z\n$/);
    expect((await cli(['triggers', 'list', '--namespace', 'other', '--data', data])).stdout).toBe('');
    const json = await cli(['triggers', 'list', '--flow', 'nightly', '--json', '--data', data]);
    expect(JSON.parse(json.stdout)).toMatchObject({ abstractTrigger: { id: 'at-two', cron: '0 2 * * *' }, triggerContext: { namespace: 'cli.trig', flowId: 'nightly', triggerId: 'at-two', disabled: false } });

    expect(await cli(['triggers', 'disable', 'cli.trig', 'nightly', 'at-two', '--data', data])).toMatchObject({ code: 0, stdout: 'disabled cli.trig nightly at-two: disabled\n' });
    expect((await cli(['triggers', 'list', '--data', data])).stdout).toContain('  Schedule  disabled\n');
    expect((await cli(['triggers', 'enable', 'cli.trig', 'nightly', 'at-two', '--data', data])).stdout).toMatch(/^enabled cli\.trig nightly at-two: next \S+T02:00:00Z\n$/);
    expect(await cli(['triggers', 'unlock', 'cli.trig', 'nightly', 'at-two', '--data', data])).toMatchObject({ code: 1, stderr: 'TROUPE_ILLEGAL_STATE: Trigger is not locked\n' });

    const backfill = await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--start', '2020-01-01', '--end', '2020-01-03', '--input', 'who=cli', '--label', 'from=cli', '--paused', '--data', data]);
    expect(backfill).toMatchObject({ code: 0, stderr: '' });
    expect(backfill.stdout).toMatch(/^backfilling cli\.trig nightly at-two: next 2020-01-01T02:00:00Z, backfill 2020-01-01T00:00:00Z → 2020-01-03T00:00:00Z \(paused\)\n$/);
    const shown = JSON.parse((await cli(['triggers', 'show', 'cli.trig', 'nightly', 'at-two', '--data', data])).stdout) as Record<string, unknown>;
    expect(shown['backfill']).toMatchObject({ paused: true, inputs: { who: 'cli' }, labels: [{ key: 'from', value: 'cli' }] });
    expect(await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--pause', '--unpause', '--data', data])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^TROUPE_OPTION_INVALID: --pause, --unpause: give one of them/) });
    expect(await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--data', data])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^TROUPE_OPTION_INVALID: A backfill needs --start/) });
    expect((await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--pause', '--data', data])).stdout).toMatch(/^paused the backfill of cli\.trig nightly at-two: .*\(paused\)\n$/);
    expect((await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--delete', '--data', data])).stdout).toMatch(/^deleted the backfill of cli\.trig nightly at-two: next \S+T02:00:00Z\n$/);
    expect(await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--delete', '--data', data])).toMatchObject({ code: 1, stderr: 'TROUPE_ILLEGAL_STATE: No backfill found\n' });
    expect(await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--start', 'soon', '--data', data])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_ILLEGAL_ARGUMENT: backfill\.start: 'soon' is not a date/) });
    expect(await cli(['triggers', 'enable', 'cli.trig', 'nightly', 'nope', '--data', data])).toMatchObject({ code: 1, stderr: 'TROUPE_TRIGGER_NOT_FOUND: Flow nightly has no trigger nope\n' });
    expect(await cli(['triggers', 'show', 'cli.trig', 'gone', 'at-two', '--data', data])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_TRIGGER_NOT_FOUND: No trigger state for cli\.trig\.gone\.at-two/) });
  }, 240_000);
});

describe('troupe triggers against a running daemon', () => {
  const { data, flow } = dataDirWithFlow();
  let daemon: ChildProcess;
  beforeAll(async () => {
    daemon = spawn(process.execPath, [new URL('../ipc/daemon-child.mjs', import.meta.url).pathname, data], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => daemon.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  });
  afterAll(async () => {
    daemon.kill('SIGTERM');
    await once(daemon, 'exit');
    rmSync(data, { recursive: true, force: true });
    rmSync(flow, { force: true });
  });

  it('a backfill set through the daemon fires its dates there, one execution each, with its inputs and labels', async () => {
    expect((await cli(['deploy', flow, '--data', data])).code).toBe(0);
    expect((await cli(['triggers', 'list', '--data', data])).stdout).toMatch(/^cli\.trig {2}nightly {2}at-two {2}Schedule {2}next /);
    const started = await cli(['triggers', 'backfill', 'cli.trig', 'nightly', 'at-two', '--start', '2020-01-01T00:00:00Z', '--end', '2020-01-02T12:00:00Z', '--input', 'who=backfill', '--label', 'from=cli', '--json', '--data', data]);
    expect(started).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(started.stdout)).toMatchObject({ backfill: { start: '2020-01-01T00:00:00Z', end: '2020-01-02T12:00:00Z', paused: false } });
    // The daemon fires 2020-01-01T02:00 then 2020-01-02T02:00, the second once the first has ended.
    let finished: string[] = [];
    for (let i = 0; i < 60 && finished.length < 2; i++) {
      const listed = await cli(['list', '--flow', 'nightly', '--state', 'SUCCESS', '--json', '--data', data]);
      finished = (JSON.parse(listed.stdout || '[]') as Array<{ id: string }>).map((e) => e.id);
    }
    expect(finished).toHaveLength(2);
    const outputs = await Promise.all(finished.map(async (id) => JSON.parse((await cli(['show', id, '--json', '--data', data])).stdout) as { labels: Array<{ key: string; value: string }>; taskRunList: Array<{ outputs: { value: string } }> }));
    expect(outputs.map((e) => e.taskRunList[0]!.outputs.value).sort()).toEqual(['2020-01-01T02:00:00Z backfill', '2020-01-02T02:00:00Z backfill']);
    for (const e of outputs) expect(e.labels).toContainEqual({ key: 'from', value: 'cli' });
    for (let i = 0; i < 60; i++) {
      const shown = JSON.parse((await cli(['triggers', 'show', 'cli.trig', 'nightly', 'at-two', '--data', data])).stdout) as Record<string, unknown>;
      if (!shown['backfill'] && !shown['executionId']) break;
    }
    const after = JSON.parse((await cli(['triggers', 'show', 'cli.trig', 'nightly', 'at-two', '--data', data])).stdout) as Record<string, unknown>;
    expect(after).not.toHaveProperty('backfill');
    expect(after['nextExecutionDate']).toMatch(/T02:00:00Z$/);
    expect(await cli(['triggers', 'unlock', 'cli.trig', 'nightly', 'at-two', '--data', data])).toMatchObject({ code: 1, stderr: 'TROUPE_ILLEGAL_STATE: Trigger is not locked\n' });
  }, 240_000);
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { needsShared, sharedJson } from '../helpers/shared.js';

const run = promisify(execFile);
const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
const seed = sharedJson<Record<string, unknown>>('taskrun-example.json');

/** Keys (in order) and nesting of a JSON value, without the values. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

async function troupeCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [troupe, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('troupe run', () => {
  it.skipIf(!needsShared('troupe run JSON against ../shared/taskrun-example.json'))('prints examples/hello.yaml as Kestra JSON whose looped Return runs have the seed TaskRun’s keys and nesting', async () => {
    const { code, stdout } = await troupeCli(['run', 'examples/hello.yaml', '--json']);
    expect(code).toBe(0);
    const execution = JSON.parse(stdout) as { state: { current: string }; taskRunList: Array<Record<string, unknown>> };
    expect(execution.state.current).toBe('SUCCESS');
    const looped = execution.taskRunList.filter((r) => r.taskId === 'greet-friend');
    expect(looped.map((r) => r.value)).toEqual(['Ada', 'Grace', 'Linus']);
    for (const r of looped) expect(shape(r)).toEqual(shape(seed));
  });

  it('exits 2 on an invalid flow with file:line:column, and 1 on a failed execution', async () => {
    const invalid = await troupeCli(['run', 'test/fixtures/flows/invalid-type.yaml']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/invalid-type\.yaml:\d+:\d+: .*did you mean io\.kestra\.plugin\.core\.debug\.Return/);
    const failed = await troupeCli(['run', 'test/fixtures/flows/fails.yaml', '--input', 'reason=bad']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAILED/);
  });

  it('reports bad inputs with Kestra’s message', async () => {
    const r = await troupeCli(['run', 'test/fixtures/flows/fails.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid input for `reason`, missing required input');
  });
});

describe('troupe validate', () => {
  it('prints ✓ or ✘ per flow and exits 2 (the registry’s code of flow errors) when one is invalid', async () => {
    const ok = await troupeCli(['validate', 'examples']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✓ examples/hello.yaml (company.team.hello)');
    const bad = await troupeCli(['validate', 'examples/hello.yaml', 'test/fixtures/flows/invalid-type.yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('✘ test/fixtures/flows/invalid-type.yaml');
  });
});

describe('task types this build cannot run', () => {
  it('troupe validate refuses them with line:column, as a deploy does', async () => {
    const r = await troupeCli(['validate', 'test/fixtures/flows/unsupported-task.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('✘ test/fixtures/flows/unsupported-task.yaml');
    expect(r.stdout).toContain("6:11 tasks[0].type: task 'script' has type io.kestra.plugin.core.flow.Template, which this version of Troupe cannot run; the flow is refused");
  });

  it('troupe validate --lenient accepts them with a ⚠ that says the type cannot run', async () => {
    const r = await troupeCli(['validate', '--lenient', 'test/fixtures/flows/unsupported-task.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("⚠ 6:11 task 'script' has type io.kestra.plugin.core.flow.Template, which this version of Troupe cannot run yet: its task run will fail");
  });

  it('troupe run refuses the flow; with --lenient the task run fails at once, without an attempt', async () => {
    const refused = await troupeCli(['run', 'test/fixtures/flows/unsupported-task.yaml']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unsupported-task.yaml:6:11: tasks[0].type: task \'script\' has type io.kestra.plugin.core.flow.Template, which this version of Troupe cannot run');
    const lenient = await troupeCli(['run', '--lenient', '--json', 'test/fixtures/flows/unsupported-task.yaml']);
    expect(lenient.code).toBe(1);
    expect(lenient.stderr).toContain('⚠ test/fixtures/flows/unsupported-task.yaml:6:11 task \'script\' has type io.kestra.plugin.core.flow.Template, which this version of Troupe cannot run yet');
    const execution = JSON.parse(lenient.stdout) as { state: { current: string }; taskRunList: Array<{ state: { current: string }; attempts?: unknown[] }> };
    expect(execution.state.current).toBe('FAILED');
    expect(execution.taskRunList.map((r) => [r.state.current, r.attempts?.length ?? 0])).toEqual([['FAILED', 0]]);
  });

  it('gives other advice as ⚠, worded as advice, and never stops the flow', async () => {
    const v = await troupeCli(['validate', 'test/fixtures/flows/advice.yaml']);
    expect(v.code).toBe(0);
    expect(v.stdout.split('\n').filter((l) => l.includes('⚠')).map((l) => l.trim())).toEqual([
      "⚠ 10:11 'io.kestra.core.tasks.debugs.Echo' is a legacy name of io.kestra.plugin.core.debug.Echo; use the current name (the type is the same)",
      '⚠ 10:11 io.kestra.plugin.core.debug.Echo is deprecated in Kestra; use io.kestra.plugin.core.log.Log (it still runs here)',
      "⚠ 12:5 task 'hello' sets workerGroup, which this build ignores: worker groups do not exist here (every task runs in this process)",
    ]);
    const r = await troupeCli(['run', 'test/fixtures/flows/advice.yaml']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("⚠ test/fixtures/flows/advice.yaml:12:5 task 'hello' sets workerGroup, which this build ignores");
  });
});

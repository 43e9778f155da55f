/**
 * The CLI as a user runs it: real child processes of bin/troupe.js, real data dirs, a real daemon
 * (test/ipc/daemon-child.mjs) for the commands that talk over IPC.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const troupe = new URL('../../bin/troupe.js', import.meta.url).pathname;
const root = new URL('../..', import.meta.url).pathname;
const fixtures = 'test/fixtures/cli';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    // A hang guard that names the command: a command still running after 90 s is killed and reported.
    execFile(process.execPath, [troupe, ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 90_000 }, (e, stdout, stderr) => {
      if (e && (e as { killed?: boolean }).killed) stderr += `\n[hang guard] troupe ${args.join(' ')} killed after 90 s`;
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, listened for from the spawn on: a child that ends before the test awaits it is not missed. */
  exited: Promise<number | null>;
}

/** Spawns the CLI; resolves once `stdout` shows `ready`. */
async function spawnUntil(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Spawned> {
  const child = spawn(process.execPath, [troupe, ...args], { cwd: root, env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (ready.test(stdout)) resolve();
    });
    void exited.then((code) => reject(new Error(`exited ${code} before ${ready}: ${stdout} ${stderr}`)));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

const temp = (): string => mkdtempSync(join(tmpdir(), 'troupe-cli-'));

describe('troupe CLI basics', () => {
  it('prints its version', async () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await cli(['--version'])).stdout.trim()).toBe(version);
  });

  it('reports a missing file, a directory and a bad option as TROUPE_CODE: message, without a stack', async () => {
    const missing = await cli(['run', 'no/such/flow.yaml']);
    expect(missing).toMatchObject({ code: 1, stderr: 'TROUPE_IO: no/such/flow.yaml: no such file or directory\n' });
    const dir = await cli(['run', 'examples']);
    expect(dir).toMatchObject({ code: 1, stderr: 'TROUPE_IO: examples: is a directory, not a file\n' });
    const deployMissing = await cli(['deploy', 'no/such/dir', '--data', temp()]);
    expect(deployMissing.stderr).toBe('TROUPE_IO: no/such/dir: no such file or directory\n');
    const option = await cli(['run', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^TROUPE_OPTION_INVALID: unknown option '--bogus'/);
    const state = await cli(['list', '--state', 'NOPE', '--data', temp()]);
    expect(state).toMatchObject({ code: 2, stderr: expect.stringMatching(/^TROUPE_OPTION_INVALID: --state must be one of/) });
    for (const r of [missing, dir, option]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops quietly when stdout is closed early (EPIPE)', async () => {
    const r = await new Promise<Result>((resolve) => {
      execFile('bash', ['-c', `node ${troupe} run examples/loops.yaml | head -c 1 >/dev/null; echo "exit=\${PIPESTATUS[0]}"`], { cwd: root }, (_e, stdout, stderr) => resolve({ code: 0, stdout, stderr }));
    });
    expect(r.stdout.trim()).toBe('exit=0');
    expect(r.stderr).toBe('');
  });
});

describe('troupe run', () => {
  it('streams the log lines, prints why a task failed, and with --json keeps stdout to the final JSON', async () => {
    const failed = await cli(['run', `${fixtures}/fails.yaml`]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/ERROR boom {2}the reason it broke/);
    expect(failed.stderr).toContain('✘ boom: the reason it broke');
    const json = await cli(['run', 'examples/hello.yaml', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).state.current).toBe('SUCCESS');
    expect(json.stderr).toMatch(/INFO {2}log {2}Hello from hello/);
    const quiet = await cli(['run', 'examples/hello.yaml', '--quiet']);
    expect(quiet.stdout).not.toMatch(/INFO {2}log {2}Hello from hello/);
    expect(quiet.stdout).toMatch(/SUCCESS/);
  });

  it('with a temporary data dir, a Pause asks for --data instead of hanging, and the dir is removed', async () => {
    const tmp = temp();
    const r = await cli(['run', `${fixtures}/approve.yaml`], { TMPDIR: tmp });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('before the pause');
    expect(r.stderr).toMatch(/paused at wait, waiting for a resume; a temporary data dir cannot be resumed later/);
    expect(r.stderr).toMatch(/troupe resume \w+ --data DIR/);
    expect(readdirSync(tmp)).toEqual([]);
    rmSync(tmp, { recursive: true });
  });

  it('with --data, waits at a Pause until `troupe resume ID --data DIR` from another process resumes it', async () => {
    const data = temp();
    const run = await spawnUntil(['run', `${fixtures}/approve.yaml`, '--data', data], /before the pause/);
    await new Promise<void>((resolve) => {
      const check = (): void => (/paused at wait/.test(run.stderr()) ? resolve() : void run.child.stderr!.once('data', check));
      check();
    });
    const id = /Execution (\w+) paused/.exec(run.stderr())![1]!;
    expect(run.stderr()).toContain(`troupe resume ${id} --data ${data}`);
    const bad = await cli(['resume', id, '--data', data]);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_INPUT_INVALID: .*`ok`/) });
    expect(await cli(['resume', id, '--data', data, '--input', 'ok=true'])).toMatchObject({ code: 0, stdout: `resumed ${id}\n` });
    const code = await run.exited;
    expect(code).toBe(0);
    expect(run.stdout()).toMatch(/INFO {2}bye {2}after the pause: true/);
    rmSync(data, { recursive: true, force: true });
  });

  it('stops cleanly on SIGINT and SIGTERM: the execution killed, the temporary dir removed', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const tmp = temp();
      const run = await spawnUntil(['run', `${fixtures}/naps.yaml`], /going to sleep/, { TMPDIR: tmp });
      run.child.kill(signal);
      const code = await run.exited;
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(run.stderr()).toContain(`${signal}: execution`);
      expect(readdirSync(tmp)).toEqual([]);
      rmSync(tmp, { recursive: true });
    }
  });
});

describe('commands on a data dir with no daemon (opened directly)', () => {
  const data = temp();
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it('deploy, execute, show, list, logs, resume and kill', async () => {
    const deployed = await cli(['deploy', fixtures, '--data', data]);
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain(`✓ ${fixtures}/approve.yaml → cli.test.approve revision 1`);
    const failed = await cli(['execute', 'cli.test', 'fails', '--data', data, '--json']);
    expect(failed.code).toBe(1);
    const id = (JSON.parse(failed.stdout) as { id: string }).id;
    expect(failed.stderr).toContain('✘ boom: the reason it broke');
    expect((await cli(['show', id, '--data', data])).stdout).toMatch(/FAILED/);
    expect((await cli(['logs', id, '--data', data])).stdout).toMatch(/ERROR boom {2}the reason it broke/);
    expect((await cli(['list', '--state', 'FAILED', '--data', data])).stdout).toContain(id);
    expect((await cli(['list', '--flow', 'approve', '--data', data])).stdout.trim().split('\n')).toHaveLength(1);
    const paused = await cli(['execute', 'cli.test', 'approve', '--data', data]);
    expect(paused.code).toBe(0);
    const pid = /Execution (\w+) is PAUSED/.exec(paused.stderr)![1]!;
    expect(await cli(['resume', pid, '--input', 'ok=false', '--data', data])).toMatchObject({ code: 0, stdout: `resumed ${pid}: SUCCESS\n` });
    const again = await cli(['execute', 'cli.test', 'approve', '--data', data]);
    const kid = /Execution (\w+) is PAUSED/.exec(again.stderr)![1]!;
    expect(await cli(['kill', kid, '--data', data])).toMatchObject({ code: 0, stdout: `killed ${kid}: KILLED\n` });
    expect(await cli(['show', 'nope', '--data', data])).toMatchObject({ code: 1, stderr: "TROUPE_EXECUTION_NOT_FOUND: No execution has the id 'nope'\n" });
    expect(await cli(['restart', id, '--data', data])).toMatchObject({ code: 0, stdout: `${id}\n` });
    expect(await cli(['restart', 'nope', '--data', data])).toMatchObject({ code: 1, stderr: "TROUPE_EXECUTION_NOT_FOUND: Execution 'nope' not found.\n" });
  }, 180_000);
});

describe('commands over IPC to a running daemon', () => {
  const data = temp();
  let daemon: ChildProcess;
  beforeAll(async () => {
    daemon = spawn(process.execPath, [new URL('../ipc/daemon-child.mjs', import.meta.url).pathname, data], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => daemon.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  });
  afterAll(async () => {
    daemon.kill('SIGTERM');
    await once(daemon, 'exit');
    rmSync(data, { recursive: true, force: true });
  });

  it('execute prints the id at once; logs --follow, show, list, kill, resume, replay talk to the daemon (which holds the lock)', async () => {
    expect((await cli(['deploy', fixtures, '--data', data])).code).toBe(0);
    const started = await cli(['execute', 'cli.test', 'naps', '--data', data]);
    expect(started.code).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^\w+$/);
    const follow = spawnUntil(['logs', id, '--follow', '--data', data], /going to sleep/);
    const f = await follow;
    expect((await cli(['list', '--state', 'RUNNING', '--data', data])).stdout).toContain(id);
    expect(await cli(['resume', id, '--data', data])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^TROUPE_EXECUTION_NOT_PAUSED/) });
    expect(await cli(['kill', id, '--data', data])).toMatchObject({ code: 0, stdout: `killing ${id}\n` });
    const guard = setTimeout(() => f.child.kill('SIGKILL'), 90_000);
    const code = await f.exited;
    clearTimeout(guard);
    expect(code, `logs --follow after the kill: ${f.stdout()} ${f.stderr()}`).toBe(0);
    expect(JSON.parse((await cli(['show', id, '--json', '--data', data])).stdout).state.current).toBe('KILLED');
    const waited = await cli(['execute', 'cli.test', 'fails', '--follow', '--data', data]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/ERROR boom {2}the reason it broke[\s\S]*FAILED/);
    expect((await cli(['replay', id, '--task-run', 'x', '--data', data])).stderr).toBe('TROUPE_ILLEGAL_ARGUMENT: No task found to restart execution from!\n');
    const replayed = await cli(['replay', id, '--data', data]);
    expect(replayed.code).toBe(0);
    expect(JSON.parse((await cli(['show', replayed.stdout.trim(), '--json', '--data', data])).stdout)).toMatchObject({ parentId: id, originalId: id });
  }, 180_000);
});

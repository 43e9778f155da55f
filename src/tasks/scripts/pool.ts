/**
 * Script tasks on the process runner (kestra-plugins.md §1): builds the shell text
 * (`set -e` + beforeCommands + commands, or a `python`/`node` call on the script written to a
 * file), runs it in a scratch working directory under the data dir (removed after), logs stdout at
 * INFO and stderr at ERROR, reads Kestra's `::{…}::` protocol lines, and turns the exit code into
 * outputs `{vars, exitCode, outputFiles}` and the attempt's state.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Task } from '../../model/flow.js';
import type { PoolTask, RunnableContext, RunnableOutcome } from '../run-spec.js';
import { runChild } from './child.pool.js';
import { isProtocolLine, parseProtocolLine } from './output-protocol.js';

/** Characters of one line that reach the logs. */
const MAX_LOGGED_LINE_CHARS = 64 * 1024;
/** Lines of one attempt that reach the logs; then one WARN line, and the rest is dropped. */
const MAX_LOGGED_LINES = 10_000;

type Language = 'shell' | 'python' | 'node';

const PYTHON_ENV = { PYTHONUNBUFFERED: 'true', PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

function randomName(): string {
  return randomBytes(8).toString('hex');
}

function onPath(name: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

let pythonShim: string | null | undefined;
/** A directory holding `python` → `python3`, when only `python3` is installed (null when not needed or impossible). */
function pythonShimDir(workDir: string, path: string): string | null {
  if (pythonShim !== undefined) return pythonShim;
  pythonShim = null;
  if (onPath('python', path)) return pythonShim;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const target = join(dir, 'python3');
    try {
      accessSync(target, constants.X_OK);
    } catch {
      continue;
    }
    const shim = join(workDir, 'bin');
    mkdirSync(shim, { recursive: true });
    try {
      symlinkSync(target, join(shim, 'python'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return pythonShim;
    }
    pythonShim = shim;
    break;
  }
  return pythonShim;
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string') return [v];
  throw new Error(`${what} must be a list of strings`);
}

/** The daemon's environment without its secrets (SECRET_* are not passed to scripts: docs/kestra-compatibility.md). */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SECRET_')) env[k] = v;
  return env;
}

/** The Docker settings the flow itself wrote (the types' defaults do not count). */
function dockerSettings(task: Task): string[] {
  const p = task.props;
  const set: string[] = [];
  if (p.containerImage !== undefined) set.push('containerImage');
  if (p.docker !== undefined) set.push('docker');
  if (typeof p.runner === 'string' && p.runner.toUpperCase() === 'DOCKER') set.push('runner: DOCKER');
  const runner = p.taskRunner as Record<string, unknown> | undefined;
  if (runner && typeof runner === 'object' && runner.type !== 'io.kestra.plugin.core.runner.Process') set.push('taskRunner');
  return set;
}

async function runScript(language: Language, body: 'commands' | 'script', task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const p = task.props;
  const docker = dockerSettings(task);
  if (docker.length) ctx.log('WARN', `Troupe runs script tasks as local processes: ${docker.join(', ')} ignored, the task runs with the process runner`);
  const wd = join(ctx.workDir, randomName());
  const outputDir = join(wd, randomName());
  mkdirSync(outputDir, { recursive: true });
  try {
    const vars = { workingDir: wd, outputDir };
    const lines: string[] = [];
    if (p.failFast !== false) lines.push('set -e');
    for (const c of strings(p.beforeCommands, 'beforeCommands')) lines.push(ctx.render(c, vars));
    if (body === 'commands') {
      for (const c of strings(p.commands, 'commands')) lines.push(ctx.render(c, vars));
    } else {
      const script = ctx.render(String(p.script ?? ''), vars);
      if (language === 'shell') lines.push(script);
      else {
        const file = join(wd, `${randomName()}.${language === 'python' ? 'py' : 'js'}`);
        writeFileSync(file, script);
        lines.push(`${language} ${file}`);
      }
    }
    const interpreter = p.interpreter === undefined ? ['/bin/sh', '-c'] : strings(p.interpreter, 'interpreter').map((s) => ctx.render(s, vars));
    const env = baseEnv();
    if (language === 'python') Object.assign(env, PYTHON_ENV);
    if (language === 'node' && body === 'script') Object.assign(env, { PYTHONUNBUFFERED: PYTHON_ENV.PYTHONUNBUFFERED, PIP_ROOT_USER_ACTION: PYTHON_ENV.PIP_ROOT_USER_ACTION });
    const taskEnv = p.env === undefined || p.env === null ? {} : ctx.renderObject(p.env, vars);
    if (typeof taskEnv !== 'object' || taskEnv === null || Array.isArray(taskEnv)) throw new Error('env must be a map');
    for (const [k, v] of Object.entries(taskEnv as Record<string, unknown>)) if (v !== null && v !== undefined) env[k] = String(v);
    env.WORKING_DIR = wd;
    env.OUTPUT_DIR = outputDir;
    const shim = pythonShimDir(ctx.workDir, env.PATH ?? '');
    if (shim) env.PATH = `${shim}${delimiter}${env.PATH ?? ''}`;

    const outputs: Record<string, unknown> = {};
    let stderrLines = 0;
    let logged = 0;
    const logLine = (level: 'INFO' | 'ERROR' | 'WARN' | 'DEBUG' | 'TRACE', text: string, truncated: boolean): void => {
      logged += 1;
      if (logged > MAX_LOGGED_LINES) {
        if (logged === MAX_LOGGED_LINES + 1) ctx.log('WARN', `More than ${MAX_LOGGED_LINES} log lines: the rest of this attempt's output is not logged`);
        return;
      }
      const cut = truncated || text.length > MAX_LOGGED_LINE_CHARS;
      ctx.log(level, cut ? `${text.slice(0, MAX_LOGGED_LINE_CHARS)}… (line truncated)` : text);
    };
    const exit = await runChild({
      argv: [...interpreter, lines.join('\n')],
      cwd: wd,
      env,
      signal: ctx.signal,
      onLine(stream, line, truncated) {
        if (stream === 'stderr') stderrLines += 1;
        if (!truncated && isProtocolLine(line)) {
          try {
            const msg = parseProtocolLine(line);
            if (msg.outputs) Object.assign(outputs, msg.outputs);
            for (const m of msg.metrics ?? []) ctx.metric(m);
            for (const l of msg.logs ?? []) logLine(l.level, l.message, false);
          } catch (e) {
            ctx.log('WARN', `Invalid outputs '${e instanceof Error ? e.message : String(e)}'`);
          }
          return;
        }
        logLine(stream === 'stdout' ? 'INFO' : 'ERROR', line, truncated);
      },
    });
    if (exit.spawnError) throw new Error(`Cannot start '${interpreter[0] ?? ''}': ${exit.spawnError.message}`);
    const result = { vars: outputs, exitCode: exit.exitCode, outputFiles: {} };
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('The execution was killed');
    if (exit.exitCode !== 0) return { outputs: result, failure: `Command failed with exit code ${exit.exitCode}` };
    const warn = p.warningOnStdErr !== false && stderrLines > 0;
    return warn ? { outputs: result, state: 'WARNING' } : { outputs: result };
  } finally {
    rmSync(wd, { recursive: true, force: true });
  }
}

function scriptTask(language: Language, body: 'commands' | 'script'): PoolTask {
  return { run: (task, ctx) => runScript(language, body, task, ctx) };
}

/** Behaviours by type name relative to `io.kestra.plugin.scripts.`. */
export const SCRIPT_TASKS: Record<string, PoolTask> = {
  'shell.Commands': scriptTask('shell', 'commands'),
  'shell.Script': scriptTask('shell', 'script'),
  'python.Commands': scriptTask('python', 'commands'),
  'python.Script': scriptTask('python', 'script'),
  'node.Commands': scriptTask('node', 'commands'),
  'node.Script': scriptTask('node', 'script'),
};

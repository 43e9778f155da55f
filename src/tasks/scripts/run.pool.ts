/**
 * What every script task does around its command (kestra-plugins.md §1.3): a scratch working
 * directory under the data dir with an output dir inside it (both always exist: `{{ workingDir }}`
 * and `{{ outputDir }}` always render), input files written into it, the environment (the
 * daemon's without SECRET_*, the task's `env`, WORKING_DIR, OUTPUT_DIR, a `python` → `python3`
 * fallback), the child run through the pool (its lines logged as they come), and the working dir
 * removed after.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative, resolve, sep } from 'node:path';
import type { Task } from '../../model/flow.js';
import type { RunnableContext } from '../run-spec.js';
import { OutputLines } from './output-lines.js';
import { giveBackScratchDir, takeScratchDir } from './scratch-dirs.pool.js';

export function randomName(): string {
  return randomBytes(8).toString('hex');
}

/** A property as a list of strings (a single string is a list of one). */
export function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string') return [v];
  throw new Error(`${what} must be a list of strings`);
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

let inherited: Record<string, string> | undefined;
/**
 * The daemon's environment without its secrets (SECRET_* are not passed to scripts:
 * docs/kestra-compatibility.md), a copy. Read once: a pool thread's process.env is its own copy,
 * taken when the thread started.
 */
function baseEnv(): Record<string, string> {
  if (!inherited) {
    inherited = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SECRET_')) inherited[k] = v;
  }
  return { ...inherited };
}

/**
 * The attempt's working directory and its output dir: a scratch directory of its own, or the one
 * it shares with the tasks of its WorkingDirectory (`ctx.workingDir`), which it never removes.
 */
export class Workspace {
  readonly wd: string;
  readonly outputDir: string;
  readonly #shared: boolean;

  /** @param options.outputDir false: no output dir is made in a shared directory (LocalFiles, a WorkingDirectory's own work) */
  constructor(ctx: RunnableContext, options: { outputDir?: boolean } = {}) {
    this.#shared = ctx.workingDir !== undefined;
    if (ctx.workingDir === undefined) {
      ({ wd: this.wd, outputDir: this.outputDir } = takeScratchDir(ctx.workDir));
      return;
    }
    this.wd = ctx.workingDir;
    this.outputDir = join(this.wd, randomName());
    if (!existsSync(this.wd)) throw new Error(`The working directory ${this.wd} is gone (its WorkingDirectory ended)`);
    if (options.outputDir !== false) mkdirSync(this.outputDir);
  }

  /** A path inside the working dir for a relative name; a name that leaves it is refused. */
  path(name: string): string {
    const abs = resolve(this.wd, name);
    const rel = relative(this.wd, abs);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || resolve(rel) === rel) throw new Error(`Invalid file name '${name}': it must stay inside the working directory`);
    return abs;
  }

  /** Writes a text file (parent dirs created, an existing file overwritten). */
  write(name: string, content: string): string {
    const abs = this.path(name);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
    return abs;
  }

  /** Makes a directory; returns its absolute path. */
  mkdir(name: string): string {
    const abs = this.path(name);
    mkdirSync(abs, { recursive: true });
    return abs;
  }

  /**
   * The attempt is over: in a shared directory only its output dir goes; a scratch working dir
   * goes (or, left as made, waits empty for the thread's next attempt: ./scratch-dirs.pool.ts).
   */
  remove(): void {
    if (this.#shared) rmSync(this.outputDir, { recursive: true, force: true });
    else giveBackScratchDir(this);
  }
}

/**
 * The rendered `inputFiles`: a map `{name: content}` (null values dropped) or a string rendering to
 * a JSON object. `twice`: values rendered a second time (python/node Script, the legacy types).
 */
export function renderInputFiles(value: unknown, ctx: RunnableContext, vars: Record<string, unknown>, twice: boolean): Record<string, string> {
  if (value === undefined || value === null) return {};
  let map: Record<string, unknown>;
  if (typeof value === 'string') {
    const text = ctx.render(value, vars);
    try {
      map = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`inputFiles must render to a JSON object: ${(e as Error).message}`);
    }
    if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error('inputFiles must render to a JSON object');
  } else if (typeof value === 'object' && !Array.isArray(value)) map = value as Record<string, unknown>;
  else throw new Error(`Invalid \`inputFiles\` property of type '${Array.isArray(value) ? 'list' : typeof value}': a map of file names to contents is expected`);
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(map)) {
    if (content === null || content === undefined) continue;
    let text = typeof content === 'string' ? ctx.render(content, vars) : JSON.stringify(content);
    if (twice && typeof content === 'string') text = ctx.render(text, vars);
    out[ctx.render(name, vars)] = text;
  }
  return out;
}

/** The Docker settings a flow wrote itself (the types' defaults do not count). */
export function dockerSettings(task: Task): string[] {
  const p = task.props;
  const set: string[] = [];
  if (p.containerImage !== undefined) set.push('containerImage');
  if (p.docker !== undefined) set.push('docker');
  if (p.dockerOptions !== undefined) set.push('dockerOptions');
  if (typeof p.runner === 'string' && p.runner.toUpperCase() === 'DOCKER') set.push('runner: DOCKER');
  const runner = p.taskRunner as Record<string, unknown> | undefined;
  if (runner && typeof runner === 'object' && runner.type !== 'io.kestra.plugin.core.runner.Process') set.push('taskRunner');
  return set;
}

/** Logs the one WARN line of a task whose flow asks for Docker. */
export function warnDocker(task: Task, ctx: RunnableContext): void {
  const docker = dockerSettings(task);
  if (docker.length) ctx.log('WARN', `Troupe runs script tasks as local processes: ${docker.join(', ')} ignored, the task runs with the process runner`);
}

/** The process to run. */
export interface ProcessPlan {
  interpreter: string[];
  /** Lines joined with `\n` into the interpreter's last argument. */
  lines: string[];
  /** Type-specific variables (e.g. PYTHONUNBUFFERED), before the task's `env`. */
  env: Record<string, string>;
  /** The task's `env`, rendered. */
  taskEnv: Record<string, unknown>;
}

/** How the process ended, and what its output said. */
export interface ProcessRun {
  exitCode: number;
  output: OutputLines;
}

/** Runs the process in the workspace, its output logged line by line as it comes. */
export async function runProcess(ctx: RunnableContext, ws: Workspace, plan: ProcessPlan): Promise<ProcessRun> {
  const env = baseEnv();
  Object.assign(env, plan.env);
  for (const [k, v] of Object.entries(plan.taskEnv)) if (v !== null && v !== undefined) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
  env.WORKING_DIR = ws.wd;
  env.OUTPUT_DIR = ws.outputDir;
  const shim = pythonShimDir(ctx.workDir, env.PATH ?? '');
  if (shim) env.PATH = `${shim}${delimiter}${env.PATH ?? ''}`;
  const output = new OutputLines(ctx.log, ctx.metric);
  const exit = await ctx.runChild({
    argv: [...plan.interpreter, plan.lines.join('\n')],
    cwd: ws.wd,
    env,
    onLine: (stream, line, dropped) => output.line(stream, line, dropped),
  });
  output.finish();
  if (exit.spawnError) throw new Error(`Cannot start '${plan.interpreter[0] ?? ''}': ${exit.spawnError.message}`);
  if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('The execution was killed');
  return { exitCode: exit.exitCode, output };
}

/** The task's `env`, rendered (a map). */
export function renderEnv(task: Task, ctx: RunnableContext, vars: Record<string, unknown>): Record<string, unknown> {
  const p = task.props.env;
  if (p === undefined || p === null) return {};
  const env = ctx.renderObject(p, vars);
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new Error('env must be a map');
  return env as Record<string, unknown>;
}

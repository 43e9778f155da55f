/**
 * Script tasks on the process runner (kestra-plugins.md §1): the shell text of each type, run by
 * ./run.pool.ts. Outputs `{vars, exitCode, outputFiles}` (the legacy types add `stdOutLineCount`,
 * `stdErrLineCount` and `files`); a non-zero exit fails the attempt with its outputs kept; stderr
 * lines make it WARNING unless `warningOnStdErr: false`.
 */
import { dirname } from 'node:path';
import type { Task } from '../../model/flow.js';
import type { PoolTask, RunnableContext, RunnableOutcome } from '../run-spec.js';
import { KESTRA_JS, KESTRA_PY } from './client-helpers.js';
import { copyNamespaceFiles, localizeUris, uploadLegacyFiles, uploadOutputFiles, writeInputFiles } from './files.pool.js';
import { randomName, renderEnv, renderInputFiles, runProcess, strings, warnDocker, Workspace, type ProcessRun } from './run.pool.js';

type Language = 'shell' | 'python' | 'node';

const PYTHON_ENV = { PYTHONUNBUFFERED: 'true', PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1' };

/** The attempt's outcome from the process's end. */
function outcome(run: ProcessRun, outputs: Record<string, unknown>, warningOnStdErr: boolean): RunnableOutcome {
  if (run.exitCode !== 0) return { outputs, failure: `Command failed with exit code ${run.exitCode}` };
  return warningOnStdErr && run.output.stderrLines > 0 ? { outputs, state: 'WARNING' } : { outputs };
}

/** io.kestra.plugin.scripts.{shell,python,node}.{Commands,Script}. */
async function runScript(language: Language, body: 'commands' | 'script', task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const p = task.props;
  warnDocker(task, ctx);
  const ws = new Workspace(ctx);
  try {
    const vars = { workingDir: ws.wd, outputDir: ws.outputDir };
    // python.Script and node.Script render the script and the input files twice (Kestra 0.20).
    const twice = body === 'script' && language !== 'shell';
    await copyNamespaceFiles(ctx, ws, p.namespaceFiles);
    await writeInputFiles(ctx, ws, renderInputFiles(p.inputFiles, ctx, vars, twice));
    const lines: string[] = [];
    if (p.failFast !== false) lines.push('set -e');
    for (const c of strings(p.beforeCommands, 'beforeCommands')) lines.push(ctx.render(c, vars));
    if (body === 'commands') {
      for (const c of strings(p.commands, 'commands')) lines.push(ctx.render(c, vars));
    } else {
      let script = ctx.render(String(p.script ?? ''), vars);
      if (twice) script = ctx.render(script, vars);
      if (language === 'shell') lines.push(script);
      else lines.push(`${language} ${ws.write(`${randomName()}.${language === 'python' ? 'py' : 'js'}`, script)}`);
    }
    const interpreter = p.interpreter === undefined ? ['/bin/sh', '-c'] : strings(p.interpreter, 'interpreter').map((s) => ctx.render(s, vars));
    const env: Record<string, string> = language === 'python' ? { ...PYTHON_ENV } : language === 'node' && body === 'script' ? { PYTHONUNBUFFERED: 'true', PIP_ROOT_USER_ACTION: 'ignore' } : {};
    for (let i = 0; i < lines.length; i++) lines[i] = await localizeUris(ctx, ws, lines[i]!);
    const run = await runProcess(ctx, ws, { interpreter, lines, env, taskEnv: renderEnv(task, ctx, vars) });
    // Output files are collected whatever the exit code, as on Kestra.
    const outputFiles = await uploadOutputFiles(ctx, ws, strings(p.outputFiles, 'outputFiles').map((g) => ctx.render(g, vars)));
    return outcome(run, { vars: run.output.vars, exitCode: run.exitCode, outputFiles }, p.warningOnStdErr !== false);
  } finally {
    ws.remove();
  }
}

type Legacy = 'Bash' | 'Python' | 'Node';

/** io.kestra.core.tasks.scripts.{Bash,Python,Node} (ps:`plugin-script/…/AbstractBash.java`). */
async function runLegacy(kind: Legacy, task: Task, ctx: RunnableContext): Promise<RunnableOutcome> {
  const p = task.props;
  warnDocker(task, ctx);
  const ws = new Workspace(ctx);
  try {
    // outputFiles (and the deprecated outputsFiles, files) are keys of empty files the script fills.
    const keys = [...strings(p.outputFiles, 'outputFiles'), ...strings(p.outputsFiles, 'outputsFiles'), ...strings(p.files, 'files')];
    const outputFiles: Record<string, string> = {};
    for (const key of keys) outputFiles[key] = ws.write(`${key}_${randomName()}.tmp`, '');
    const outputDirs: Record<string, string> = {};
    for (const key of strings(p.outputDirs, 'outputDirs')) outputDirs[key] = `${ws.mkdir(`${key}_${randomName()}`)}/`;
    const vars = { workingDir: ws.wd, outputDir: ws.outputDir, outputFiles, temp: outputFiles, outputDirs };
    const files = renderInputFiles(p.inputFiles, ctx, vars, true);
    if (kind === 'Python') files['kestra.py'] = KESTRA_PY;
    if (kind === 'Node') files['kestra.js'] = KESTRA_JS;
    const exitOnFailed = p.exitOnFailed !== false;
    const render = (s: string): string => ctx.render(s, vars);
    const args = strings(p.args, 'args');
    const argText = args.length ? ` ${render(args.join(' '))}` : '';
    const lines: string[] = [];
    const env: Record<string, string> = {};
    if (kind === 'Bash') {
      if (exitOnFailed) lines.push('set -o errexit');
      for (const c of strings(p.commands, 'commands')) lines.push(render(c));
    } else if (kind === 'Python') {
      const commands = p.commands === undefined ? ['./bin/python main.py'] : strings(p.commands, 'commands');
      if (!('main.py' in files) && commands.length === 1 && commands[0] === './bin/python main.py') throw new Error('Invalid input files structure, expecting inputFiles property to contain at least a main.py key with python code value.');
      const python = p.pythonPath === undefined ? 'python' : String(p.pythonPath);
      if (p.virtualEnv !== false) {
        if (exitOnFailed) lines.push('set -o errexit');
        lines.push(`${python} -m venv --system-site-packages ${ws.wd} > /dev/null`);
        const requirements = strings(p.requirements, 'requirements');
        if (requirements.length) lines.push('./bin/pip install pip --upgrade > /dev/null', `./bin/pip install ${render(requirements.join(' '))} > /dev/null`);
      } else if (exitOnFailed) lines.push('set -o errexit');
      for (const c of commands) lines.push(render(c) + argText);
      env.PYTHONUNBUFFERED = 'true';
    } else {
      if (!('main.js' in files)) throw new Error('Invalid input files structure, expecting inputFiles property to contain at least a main.js key with javascript code value.');
      const node = p.nodePath === undefined ? 'node' : String(p.nodePath);
      const npm = p.npmPath === undefined ? 'npm' : String(p.npmPath);
      if (exitOnFailed) lines.push('set -o errexit');
      if (node.includes('/')) lines.push(`PATH="$PATH:${dirname(node)}"`);
      if ('package.json' in files) lines.push(`${npm} i > /dev/null`);
      lines.push(`${node} main.js${argText}`);
    }
    await writeInputFiles(ctx, ws, files);
    for (let i = 0; i < lines.length; i++) lines[i] = await localizeUris(ctx, ws, lines[i]!);
    const interpreter = [p.interpreter === undefined ? '/bin/sh' : render(String(p.interpreter)), ...(p.interpreterArgs === undefined ? ['-c'] : strings(p.interpreterArgs, 'interpreterArgs').map(render))];
    const run = await runProcess(ctx, ws, { interpreter, lines, env, taskEnv: renderEnv(task, ctx, vars) });
    const uploaded = await uploadLegacyFiles(ctx, outputFiles, outputDirs);
    const outputs = { vars: run.output.vars, exitCode: run.exitCode, stdOutLineCount: run.output.stdoutLines, stdErrLineCount: run.output.stderrLines, files: uploaded, outputFiles: uploaded };
    return outcome(run, outputs, p.warningOnStdErr !== false);
  } finally {
    ws.remove();
  }
}

function scriptTask(language: Language, body: 'commands' | 'script'): PoolTask {
  return { run: (task, ctx) => runScript(language, body, task, ctx) };
}

function legacyTask(kind: Legacy): PoolTask {
  return { run: (task, ctx) => runLegacy(kind, task, ctx) };
}

/** Behaviours by type name relative to `io.kestra.plugin.scripts.` (or `io.kestra.core.tasks.scripts.` for the legacy ones). */
export const SCRIPT_TASKS: Record<string, PoolTask> = {
  'shell.Commands': scriptTask('shell', 'commands'),
  'shell.Script': scriptTask('shell', 'script'),
  'python.Commands': scriptTask('python', 'commands'),
  'python.Script': scriptTask('python', 'script'),
  'node.Commands': scriptTask('node', 'commands'),
  'node.Script': scriptTask('node', 'script'),
  Bash: legacyTask('Bash'),
  Python: legacyTask('Python'),
  Node: legacyTask('Node'),
};

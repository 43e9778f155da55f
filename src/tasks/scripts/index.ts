/**
 * Kestra's script tasks, run on the process runner in the pool (./pool.ts): a child process per
 * attempt, in its own process group and scratch working directory. Docker settings are accepted
 * and ignored (one WARN line). The io.kestra.plugin.scripts types, and the deprecated
 * io.kestra.core.tasks.scripts.{Bash,Python,Node} (distinct classes on Kestra, not aliases).
 */
import type { TypeDefinition } from '../definition.js';

/** Properties common to every script task (script:`exec/AbstractExecScript.java`). */
const SCRIPT_PROPS = {
  env: 'map',
  interpreter: 'list',
  beforeCommands: 'list',
  warningOnStdErr: 'bool',
  failFast: 'bool',
  exitOnFailed: 'bool',
  inputFiles: 'any',
  outputFiles: 'list',
  namespaceFiles: 'map',
  containerImage: 'string',
  taskRunner: 'map',
  runner: 'enum:PROCESS|DOCKER',
  docker: 'map',
  targetOS: 'enum:LINUX|WINDOWS|AUTO',
  outputDirectory: 'bool',
};

/** Properties of the legacy types (ps:`plugin-script/…/core/tasks/scripts/AbstractBash.java`). */
const LEGACY_PROPS = {
  runner: 'enum:PROCESS|DOCKER',
  dockerOptions: 'map',
  interpreter: 'string',
  interpreterArgs: 'list',
  exitOnFailed: 'bool',
  files: 'list',
  outputsFiles: 'list',
  outputFiles: 'list',
  outputDirs: 'list',
  inputFiles: 'any',
  env: 'map',
  warningOnStdErr: 'bool',
};

const PREFIX = 'io.kestra.plugin.scripts.';
const LEGACY_PREFIX = 'io.kestra.core.tasks.scripts.';

function scriptTask(name: string, body: 'commands' | 'script', summary: string): TypeDefinition {
  return {
    type: `${PREFIX}${name}`,
    category: 'task',
    kind: 'runnable',
    props: { ...SCRIPT_PROPS, [body]: body === 'commands' ? 'strings!' : 'string!' },
    summary,
    behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).SCRIPT_TASKS[name]! },
  };
}

function legacyTask(name: string, props: Record<string, string>, instead: string, summary: string): TypeDefinition {
  return {
    type: `${LEGACY_PREFIX}${name}`,
    category: 'task',
    kind: 'runnable',
    props: { ...LEGACY_PROPS, ...props },
    summary,
    deprecated: `${PREFIX}${instead}`,
    behaviour: { runs: 'pool', load: async () => (await import('./pool.js')).SCRIPT_TASKS[name]! },
  };
}

export const SCRIPT_TASKS: readonly TypeDefinition[] = [
  scriptTask('shell.Commands', 'commands', 'run shell commands in a child process (process runner)'),
  scriptTask('shell.Script', 'script', 'run a shell script in a child process (process runner)'),
  scriptTask('python.Commands', 'commands', 'run shell commands with the Python environment variables (process runner)'),
  scriptTask('python.Script', 'script', 'write the script to a `.py` file and run it with `python` (process runner)'),
  scriptTask('node.Commands', 'commands', 'run shell commands (process runner)'),
  scriptTask('node.Script', 'script', 'write the script to a `.js` file and run it with `node` (process runner)'),
  legacyTask('Bash', { commands: 'strings+' }, 'shell.Commands', 'legacy: run shell commands (`exitOnFailed`, `outputFiles` keys as temp files; process runner)'),
  legacyTask('Python', { pythonPath: 'string', args: 'list', requirements: 'list', commands: 'strings', virtualEnv: 'bool' }, 'python.Script', 'legacy: run `main.py` of `inputFiles` in a fresh virtualenv (process runner)'),
  legacyTask('Node', { nodePath: 'string', npmPath: 'string', args: 'list' }, 'node.Script', 'legacy: run `main.js` of `inputFiles` with `node` (process runner)'),
];

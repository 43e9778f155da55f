/**
 * Kestra's script tasks (io.kestra.plugin.scripts.{shell,python,node}.{Commands,Script}), run on
 * the process runner in the pool (./pool.ts): a child process per attempt, in its own process
 * group and scratch working directory. Docker settings are accepted and ignored (one WARN line).
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

const PREFIX = 'io.kestra.plugin.scripts.';

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

export const SCRIPT_TASKS: readonly TypeDefinition[] = [
  scriptTask('shell.Commands', 'commands', 'run shell commands in a child process (process runner)'),
  scriptTask('shell.Script', 'script', 'run a shell script in a child process (process runner)'),
  scriptTask('python.Commands', 'commands', 'run shell commands with the Python environment variables (process runner)'),
  scriptTask('python.Script', 'script', 'write the script to a `.py` file and run it with `python` (process runner)'),
  scriptTask('node.Commands', 'commands', 'run shell commands (process runner)'),
  scriptTask('node.Script', 'script', 'write the script to a `.js` file and run it with `node` (process runner)'),
];

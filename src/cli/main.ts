/**
 * The `troupe` command. Each subcommand lives in its own file and returns an exit code;
 * this file only wires them to commander.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitCodeOf, TroupeError } from '../errors.js';
import { runCommand } from './run.js';
import { deployCommand } from './deploy.js';
import { executeCommand, killCommand, listCommand, logsCommand, replayCommand, restartCommand, resumeCommand, showCommand } from './executions.js';
import { ioError } from './flow-files.js';
import { validateCommand } from './validate.js';
import { renderCommand } from './render.js';
import { conformanceCommand } from './conformance.js';
import { recoverCommand } from './recover.js';
import { kvDeleteCommand, kvGetCommand, kvListCommand, kvSetCommand } from './kv.js';
import { triggerActionCommand, triggersBackfillCommand, triggersListCommand, triggersShowCommand, type TriggerAction } from './triggers.js';

/** Set when stdout's reader went away (EPIPE, e.g. `troupe logs ID | head`): further output is dropped. */
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') stdoutClosed = true;
  else throw e;
});
const out = (s: string): void => void (stdoutClosed || process.stdout.write(`${s}\n`));
const err = (s: string): void => void process.stderr.write(`${s}\n`);

/** The package's version. */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The error line the CLI prints for anything thrown: `TROUPE_CODE: message`, and its exit code. */
export function describeError(e: unknown): { line: string; code: number } {
  if (e instanceof TroupeError) return { line: `${e.code}: ${e.message}`, code: exitCodeOf(e) };
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && typeof errno.path === 'string') return describeError(ioError(errno.path, e));
  const message = e instanceof Error ? e.message : String(e);
  const stack = process.env['TROUPE_DEBUG'] && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  return { line: `TROUPE_INTERNAL: ${message} (a bug in Troupe: please report it; TROUPE_DEBUG=1 prints the stack)${stack}`, code: exitCodeOf(e) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('troupe')
    .description('Run Kestra flows on an actor runtime: worker threads, a piscina pool, LMDB.')
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void (stdoutClosed || process.stdout.write(s)),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`TROUPE_OPTION_INVALID: ${s.replace(/^error: /, '')}`),
    });
  const data = (c: Command): Command =>
    c.option('--data <dir>', 'the data directory (default: $TROUPE_DATA or ./data)').option('--socket <path>', "a daemon's IPC socket, instead of the data dir's");

  program
    .command('run')
    .description('run one execution of a flow, embedded, and print it when it ends')
    .argument('<flow>', 'the flow YAML file')
    .option('--flows <dir>', 'deploy every flow in this directory first (for subflows)')
    .option('--input <key=value>', 'an input of the execution (repeatable)', collect, [])
    .option('--data <dir>', 'data directory to use (default: a temporary one, removed afterwards)')
    .option('--json', 'print only the final execution in Kestra JSON on stdout (log lines go to stderr)')
    .option('--quiet', 'do not print the log lines')
    .option('--lenient', 'accept task types this build cannot run (⚠); their task runs fail')
    .action(async (flow: string, opts) => {
      code = await runCommand(flow, opts, out, err);
    });

  data(program.command('execute').description('start an execution of a deployed flow; prints its id (or the execution, with --wait or --follow)'))
    .argument('<namespace>', 'the flow namespace')
    .argument('<flow>', 'the flow id')
    .option('--input <key=value>', 'an input of the execution (repeatable)', collect, [])
    .option('--wait', 'wait for the end and print the execution')
    .option('--follow', 'print the log lines as they happen, then the execution')
    .option('--json', 'print the execution in Kestra JSON')
    .option('--quiet', 'with --follow: do not print the log lines')
    .action(async (namespace: string, flow: string, opts) => {
      code = await executeCommand(namespace, flow, opts, out, err);
    });

  data(program.command('logs').description("print an execution's log lines"))
    .argument('<id>', 'the execution id')
    .option('--follow', 'keep printing them as they happen, until the execution ends')
    .option('--json', 'one JSON log entry per line')
    .action(async (id: string, opts) => {
      code = await logsCommand(id, opts, out);
    });

  data(program.command('show').description('print an execution and its task runs'))
    .argument('<id>', 'the execution id')
    .option('--json', 'in Kestra JSON')
    .action(async (id: string, opts) => {
      code = await showCommand(id, opts, out);
    });

  data(program.command('list').description('list executions, oldest first'))
    .option('--namespace <ns>', 'only this namespace')
    .option('--flow <id>', 'only this flow id')
    .option('--state <state>', 'only executions in this state (e.g. FAILED, PAUSED)')
    .option('--json', 'in Kestra JSON')
    .action(async (opts) => {
      code = await listCommand(opts, out);
    });

  data(program.command('resume').description('resume a paused execution'))
    .argument('<id>', 'the execution id')
    .option('--input <key=value>', "an input of the Pause task's onResume (repeatable)", collect, [])
    .action(async (id: string, opts) => {
      code = await resumeCommand(id, opts, out);
    });

  data(program.command('kill').description('kill an execution'))
    .argument('<id>', 'the execution id')
    .action(async (id: string, opts) => {
      code = await killCommand(id, opts, out);
    });

  const kv = program.command('kv').description("a namespace's KV store (through the daemon when one runs)");
  data(kv.command('list').description('list the live keys of a namespace'))
    .argument('<namespace>', 'the namespace')
    .option('--json', 'one JSON entry per line')
    .action(async (namespace: string, opts) => {
      code = await kvListCommand(namespace, opts, out);
    });
  data(kv.command('get').description('print a value (strings as is, the rest as JSON)'))
    .argument('<namespace>', 'the namespace')
    .argument('<key>', 'the key')
    .option('--json', 'print {"type", "value"}')
    .action(async (namespace: string, key: string, opts) => {
      code = await kvGetCommand(namespace, key, opts, out);
    });
  data(kv.command('set').description('put a value, read as Ion/JSON (1, true, {"a":1}, 2024-01-01), else as text'))
    .argument('<namespace>', 'the namespace')
    .argument('<key>', 'the key')
    .argument('<value>', 'the value')
    .option('--ttl <duration>', 'ISO 8601 duration the key lives (PT5M, P1D)')
    .option('--string', 'keep the value as text')
    .action(async (namespace: string, key: string, value: string, opts) => {
      code = await kvSetCommand(namespace, key, value, opts, out);
    });
  data(kv.command('delete').description('delete keys; exits 1 when none existed'))
    .argument('<namespace>', 'the namespace')
    .argument('<keys...>', 'the keys')
    .action(async (namespace: string, keys: string[], opts) => {
      code = await kvDeleteCommand(namespace, keys, opts, out);
    });

  const triggers = program.command('triggers').description("the deployed flows' Schedule and polling triggers (through the daemon when one runs)");
  data(triggers.command('list').description('list the triggers with a state: namespace, flow, id, type, state'))
    .option('--namespace <ns>', 'only this namespace (and its sub-namespaces)')
    .option('--flow <id>', 'only this flow id')
    .option('--json', 'one JSON item ({abstractTrigger, triggerContext}) per line')
    .action(async (opts) => {
      code = await triggersListCommand(opts, out);
    });
  data(triggers.command('show').description("print a trigger's state as JSON"))
    .argument('<namespace>', 'the flow namespace')
    .argument('<flow>', 'the flow id')
    .argument('<trigger>', 'the trigger id')
    .action(async (namespace: string, flow: string, trigger: string, opts) => {
      code = await triggersShowCommand(namespace, flow, trigger, opts, out);
    });
  const actions: Array<[TriggerAction, string]> = [
    ['enable', 'enable a trigger (a Schedule applies its recoverMissedSchedules)'],
    ['disable', 'disable a trigger'],
    ['unlock', 'drop the lock a trigger holds on the execution it started'],
    ['restart', 'make a trigger forget its last date and evaluation lock'],
  ];
  for (const [action, description] of actions) {
    data(triggers.command(action).description(description))
      .argument('<namespace>', 'the flow namespace')
      .argument('<flow>', 'the flow id')
      .argument('<trigger>', 'the trigger id')
      .option('--json', 'print the state as JSON')
      .action(async (namespace: string, flow: string, trigger: string, opts) => {
        code = await triggerActionCommand(action, namespace, flow, trigger, opts, out);
      });
  }
  data(triggers.command('backfill').description("replay a Schedule's dates from --start to --end, one execution at a time (or --pause, --unpause, --delete the one in progress)"))
    .argument('<namespace>', 'the flow namespace')
    .argument('<flow>', 'the flow id')
    .argument('<trigger>', 'the trigger id')
    .option('--start <date>', "the first date (ISO 8601; without an offset, in the trigger's timezone)")
    .option('--end <date>', 'the last date (default: now)')
    .option('--input <key=value>', 'an input of the backfill executions (repeatable)', collect, [])
    .option('--label <key=value>', 'a label of the backfill executions (repeatable)', collect, [])
    .option('--paused', 'start the backfill paused')
    .option('--pause', 'pause the backfill in progress')
    .option('--unpause', 'resume the paused backfill')
    .option('--delete', 'drop the backfill in progress')
    .option('--json', 'print the state as JSON')
    .action(async (namespace: string, flow: string, trigger: string, opts) => {
      code = await triggersBackfillCommand(namespace, flow, trigger, opts, out);
    });

  data(program.command('restart').description('restart a failed execution from its failed task runs'))
    .argument('<id>', 'the execution id')
    .action(async (id: string, opts) => {
      code = await restartCommand(id, opts, out);
    });

  data(program.command('replay').description('replay an execution as a new one'))
    .argument('<id>', 'the execution id')
    .option('--task-run <id>', 'replay from this task run')
    .action(async (id: string, opts) => {
      code = await replayCommand(id, opts, out);
    });

  data(program.command('deploy').description('deploy every flow file of a directory (or one file)'))
    .argument('<path>', 'a directory of flow files, or one file')
    .action(async (path: string, opts) => {
      code = await deployCommand(path, opts, out);
    });

  program
    .command('validate')
    .description('check flow files; print ✓ or ✘ with every error')
    .argument('<paths...>', 'flow files or directories')
    .option('--lenient', 'accept task types this build cannot run, with a ⚠ (as run --lenient deploys them)')
    .action((paths: string[], opts: { lenient?: boolean }) => {
      code = validateCommand(paths, out, opts);
    });

  program
    .command('render')
    .description('render a Pebble template as Kestra would')
    .argument('<template>', 'the template text')
    .option('--vars <file>', 'a JSON file with the render variables')
    .action((template: string, opts: { vars?: string }) => {
      code = renderCommand(template, opts, out, err);
    });

  program
    .command('recover')
    .description('open a data dir, run every unfinished execution to its end, and print each one')
    .requiredOption('--data <dir>', 'the data directory to recover')
    .option('--json', 'print the recovered executions as JSON')
    .action(async (opts: { data: string; json?: boolean }) => {
      code = await recoverCommand(opts, out, err);
    });

  program
    .command('conformance')
    .description('run a conformance corpus (expectations.yaml and flows/) and report each case')
    .argument('<dir>', 'the corpus directory')
    .option('--json', 'print the report as JSON')
    .option('--case <names...>', 'run only these cases')
    .option('--timeout-ms <ms>', 'how long one case may run before it is killed (default 60000)')
    .option('--baseline <file>', 'fail only when a case listed in this JSON file fails')
    .action(async (dir: string, opts) => {
      code = await conformanceCommand(dir, opts, out, err);
    });

  const nsfiles = program.command('nsfiles').description("a namespace's files, through a running daemon (troupe server)");
  const daemon = (c: Command): Command =>
    c
      .option('--server <url>', 'the daemon', 'http://127.0.0.1:8080')
      .option('--auth <user:password>', 'basic auth (or TROUPE_AUTH)')
      .option('--token <token>', 'a bearer token (or TROUPE_TOKEN)');
  daemon(nsfiles.command('list <namespace> [path]').description('list a folder (the root by default); --recursive: every file'))
    .option('-r, --recursive', 'every file under the folder, at any depth')
    .action(async (ns: string, path: string | undefined, opts) => {
      const { nsListCommand } = await import('./nsfiles.js');
      code = await nsListCommand(ns, path, opts, out);
    });
  daemon(nsfiles.command('get <namespace> <path>').description('print a file (or write it with --output)'))
    .option('-o, --output <file>', 'write the file here')
    .action(async (ns: string, path: string, opts) => {
      const { nsGetCommand } = await import('./nsfiles.js');
      code = await nsGetCommand(ns, path, opts, (b) => void (stdoutClosed || process.stdout.write(b)));
    });
  daemon(nsfiles.command('upload <namespace> <file> [path]').description('upload a local file (to /<its name> by default)')).action(async (ns: string, file: string, path: string | undefined, opts) => {
    const { nsUploadCommand } = await import('./nsfiles.js');
    code = await nsUploadCommand(ns, file, path, opts, out);
  });
  daemon(nsfiles.command('delete <namespace> <path>').description('delete a file or a folder')).action(async (ns: string, path: string, opts) => {
    const { nsDeleteCommand } = await import('./nsfiles.js');
    code = await nsDeleteCommand(ns, path, opts);
  });

  program
    .command('server')
    .description('serve Kestra\'s REST API over HTTP (the daemon); prints "listening on http://HOST:PORT"')
    .option('--host <host>', 'address to bind; a non-loopback one needs --auth or --token', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--data <dir>', 'data directory', './data')
    .option('--flows <dir>', 'deploy every flow file of this directory at start')
    .option('--watch', 'with --flows: re-deploy when the files change')
    .option('--auth <user:password>', 'require basic auth (or TROUPE_AUTH)')
    .option('--token <token>', 'accept this bearer token (or TROUPE_TOKEN)')
    .option('--allowed-host <name>', 'a Host name to serve besides loopback ones, e.g. behind a proxy (repeatable)', collect, [])
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .option('--shards <n>', 'shard threads')
    .option('--pool-threads <n>', 'task pool threads at most (default: the cores)')
    .option('--pool-min-threads <n>', 'pool threads kept running; the others start when tasks wait and stop after 30 s unused (default 0)')
    .action(async (opts) => {
      const { serverCommand } = await import('./server.js');
      code = await serverCommand(opts, out, err);
    });

  program
    .command('bench')
    .description('run the benchmark suites, print their tables and write the results JSON to bench/results/')
    .option('--quick', 'small sizes: a few seconds in all (proves the harness works)')
    .option('--json <file>', 'also write the results JSON to this file')
    .option('--report', 'then regenerate docs/benchmarks.md and its chart from the newest full run')
    .option('--report-only', 'regenerate docs/benchmarks.md from the newest full run, without running')
    .option('--only <names...>', 'run only these suites (serialization, engine, templating, daemon) or engine scenarios (kestra-01, sequential, …)')
    .option('--results-dir <dir>', 'where results files go and --report reads them (default bench/results)')
    .option('--docs-dir <dir>', 'where --report writes benchmarks.md (default docs)')
    .action(async (opts) => {
      // Loaded on use: the suites need tinybench, which the other commands do not.
      const { benchCommand } = await import('./bench.js');
      code = await benchCommand(opts, out, err);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const { line, code: exit } = describeError(e);
    err(line);
    return exit;
  }
  return code;
}

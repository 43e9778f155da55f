/**
 * The `troupe` command. Each subcommand lives in its own file and returns an exit code;
 * this file only wires them to commander.
 */
import { Command, CommanderError } from 'commander';
import { exitCodeOf, TroupeError } from '../errors.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { renderCommand } from './render.js';
import { conformanceCommand } from './conformance.js';
import { recoverCommand } from './recover.js';

const out = (s: string): void => void process.stdout.write(`${s}\n`);
const err = (s: string): void => void process.stderr.write(`${s}\n`);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('troupe')
    .description('Run Kestra flows on an actor runtime: worker threads, a piscina pool, LMDB.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command('run')
    .description('run one execution of a flow, embedded, and print it when it ends')
    .argument('<flow>', 'the flow YAML file')
    .option('--flows <dir>', 'deploy every flow in this directory first (for subflows)')
    .option('--input <key=value>', 'an input of the execution (repeatable)', collect, [])
    .option('--data <dir>', 'data directory to use (default: a temporary one, removed afterwards)')
    .option('--json', 'print the execution in Kestra JSON')
    .option('--lenient', 'accept task types this build cannot run (⚠); their task runs fail')
    .action(async (flow: string, opts) => {
      code = await runCommand(flow, opts, out, err);
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

  program
    .command('bench')
    .description('run the benchmark suites, print their tables and write the results JSON to bench/results/')
    .option('--quick', 'small sizes: a few seconds in all (proves the harness works)')
    .option('--json <file>', 'also write the results JSON to this file')
    .option('--report', 'then regenerate docs/benchmarks.md and its chart from the newest full run')
    .option('--report-only', 'regenerate docs/benchmarks.md from the newest full run, without running')
    .option('--only <names...>', 'run only these suites (serialization, engine, templating) or engine scenarios (kestra-01, sequential, …)')
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
    if (e instanceof TroupeError) {
      err(`${e.code}: ${e.message}`);
      return exitCodeOf(e);
    }
    throw e;
  }
  return code;
}

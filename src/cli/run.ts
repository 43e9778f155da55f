/** `troupe run FLOW.yaml`: one execution, embedded, printed when it ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import { validateFlow } from '../flow/index.js';
import { FlowError, TroupeError } from '../errors.js';
import { flowFiles, readText } from './flow-files.js';
import { formatExecution } from './print-execution.js';

/** Options of `troupe run`. */
export interface RunCommandOptions {
  flows?: string;
  input: string[];
  data?: string;
  json?: boolean;
  /** Deploy flows naming task types this build cannot run (those task runs fail), with a ⚠. */
  lenient?: boolean;
}

/** The `envs` render variable: environment variables prefixed `ENV_`, prefix stripped, lower-cased. */
export function envsFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('ENV_') && v !== undefined) out[k.slice(4).toLowerCase()] = v;
  return out;
}

/** Parses `key=value` pairs (the value may contain `=`). */
export function parseInputs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new TroupeError('TROUPE_OPTION_INVALID', `--input expects key=value, got '${pair}'`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** Runs the flow at `file`; returns the exit code (0 SUCCESS/WARNING, 1 other states, 2 invalid flow). */
export async function runCommand(file: string, opts: RunCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const inputs = parseInputs(opts.input);
  const lenient = opts.lenient === true;
  let source: string;
  let flow;
  try {
    source = readText(file);
    const result = validateFlow(source, { file, requireRunnable: !lenient });
    for (const a of result.warnings) err(`⚠ ${file}:${a.line}:${a.column} ${a.message}`);
    if (!result.ok) throw result.error;
    flow = result.flow;
  } catch (e) {
    if (e instanceof FlowError || (e instanceof TroupeError && e.code.startsWith('TROUPE_FLOW'))) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  const dataDir = opts.data ?? mkdtempSync(join(tmpdir(), 'troupe-run-'));
  const engine = await Engine.open({ dataDir, envs: envsFrom(process.env) });
  try {
    if (opts.flows) {
      for (const f of flowFiles(opts.flows)) {
        try {
          await engine.deploy(readText(f), { file: f, lenient });
        } catch (e) {
          err(`skipped ${f}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    await engine.deploy(source, { file, lenient });
    const id = await engine.execute(flow.namespace, flow.id, inputs);
    const execution = await engine.waitFor(id);
    out(opts.json ? JSON.stringify(execution, null, 2) : formatExecution(execution));
    return execution.state.current === 'SUCCESS' || execution.state.current === 'WARNING' ? 0 : 1;
  } finally {
    await engine.close();
    if (!opts.data) rmSync(dataDir, { recursive: true, force: true });
  }
}

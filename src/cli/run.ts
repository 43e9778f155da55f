/**
 * `troupe run FLOW.yaml`: one execution, embedded. Streams its log lines as they happen, prints
 * why each failed task failed, and the execution when it ends. A Pause waiting for a resume: with
 * `--data` it waits, listening on the data dir's socket so `troupe resume ID --data DIR` from
 * another terminal resumes it; with a temporary data dir it says to use `--data` and stops.
 * SIGINT/SIGTERM stop cleanly; a temporary data dir is always removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../runtime/engine.js';
import { validateFlow } from '../flow/index.js';
import { indexFlow } from '../executor/flow-index.js';
import { listenIpc, type IpcServer } from '../ipc/server.js';
import type { Flow } from '../model/flow.js';
import { flowFiles, readText } from './flow-files.js';
import { formatExecution } from './print-execution.js';
import { parseInputs } from './args.js';
import { envsFrom, useColor } from './env.js';
import { failureLines, followExecution } from './follow-output.js';
import { exitCodeOfState, SIGNAL_EXIT } from './exit-codes.js';

/** Options of `troupe run`. */
export interface RunCommandOptions {
  flows?: string;
  input: string[];
  data?: string;
  json?: boolean;
  quiet?: boolean;
  /** Deploy flows naming task types this build cannot run (those task runs fail), with a ⚠. */
  lenient?: boolean;
}

/** Task ids of Pause tasks with neither `delay` nor `timeout`: only a resume moves them on. */
function manualPauses(flow: Flow): Set<string> {
  const ids = new Set<string>();
  for (const { task } of indexFlow(flow).values()) {
    if (task.canonicalType.endsWith('.flow.Pause') && task.props.delay == null && task.timeout === undefined) ids.add(task.id);
  }
  return ids;
}

/** Runs the flow at `file`; returns the exit code (0 SUCCESS/WARNING, 1 other states, 2 invalid flow). */
export async function runCommand(file: string, opts: RunCommandOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const inputs = parseInputs(opts.input);
  const lenient = opts.lenient === true;
  const source = readText(file);
  const result = validateFlow(source, { file, requireRunnable: !lenient });
  for (const a of result.warnings) err(`⚠ ${file}:${a.line}:${a.column} ${a.message}`);
  if (!result.ok) throw result.error;
  const flow = result.flow;
  const temporary = opts.data === undefined;
  const dataDir = opts.data ?? mkdtempSync(join(tmpdir(), 'troupe-run-'));
  // Log lines go where the final JSON does not: stdout holds only the JSON with --json.
  const logTo = opts.json ? err : out;
  const color = useColor(opts.json ? process.stderr : process.stdout);
  let engine: Engine | undefined;
  let ipc: IpcServer | undefined;
  let executionId: string | undefined;
  let stopped: ((signal: NodeJS.Signals) => void) | undefined;
  const signal = new Promise<NodeJS.Signals>((resolve) => (stopped = resolve));
  const onSignal = (s: NodeJS.Signals): void => stopped?.(s);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    engine = await Engine.open({ dataDir, envs: envsFrom(process.env) });
    if (!temporary) ipc = await listenIpc(engine, { dataDir });
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
    executionId = await engine.execute(flow.namespace, flow.id, inputs);
    const id = executionId;
    const manual = manualPauses(flow);
    let announced = false;
    const following = followExecution(engine, id, {
      ...(opts.quiet ? {} : { log: logTo }),
      color,
      onPaused: (execution) => {
        const waiting = (execution.taskRunList ?? []).filter((r) => r.state.current === 'PAUSED' && manual.has(r.taskId)).map((r) => r.taskId);
        if (!waiting.length) return false;
        if (temporary) {
          err(`Execution ${id} paused at ${waiting.join(', ')}, waiting for a resume; a temporary data dir cannot be resumed later.`);
          err(`Run again with --data DIR, then resume it with: troupe resume ${id} --data DIR`);
          return true;
        }
        if (!announced) err(`Execution ${id} paused at ${waiting.join(', ')}. Resume it from another terminal with: troupe resume ${id} --data ${dataDir}  (Ctrl-C stops here; resume it later the same way)`);
        announced = true;
        return false;
      },
    });
    const outcome = await Promise.race([following, signal]);
    if (typeof outcome === 'string') {
      if (temporary) {
        await engine.kill(id).catch(() => {});
        await engine.waitFor(id).catch(() => {});
        err(`${outcome}: execution ${id} killed; the temporary data dir is removed`);
      } else {
        err(`${outcome}: stopped; execution ${id} stays in ${dataDir} (run it to its end with: troupe recover --data ${dataDir})`);
      }
      return SIGNAL_EXIT[outcome] ?? 1;
    }
    const { execution } = outcome;
    if (!outcome.ended) {
      await engine.kill(id);
      await engine.waitFor(id);
      out(opts.json ? JSON.stringify(await engine.getExecution(id), null, 2) : formatExecution((await engine.getExecution(id))!));
      return 1;
    }
    const failures = failureLines(execution, await engine.getLogs(id));
    for (const line of failures) err(line);
    out(opts.json ? JSON.stringify(execution, null, 2) : formatExecution(execution));
    return exitCodeOfState(execution.state.current);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ipc?.close();
    await engine?.close();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The commands on a data dir's executions, Kestra CLI style: execute, logs, show, list, resume,
 * kill, restart, replay. Each talks to the daemon of the data dir over IPC; when none runs, it
 * opens the data dir here (and then waits for what it started, since closing stops the engine).
 */
import { TroupeError } from '../errors.js';
import type { ExecutionJson } from '../model/execution-json.js';
import type { TroupeApi } from '../troupe-api.js';
import { parseInputs, parseState } from './args.js';
import { useColor } from './env.js';
import { failureLines, followExecution } from './follow-output.js';
import { formatLogLine } from './log-line.js';
import { openTroupe, type DataOptions } from './open-troupe.js';
import { formatExecution } from './print-execution.js';
import { exitCodeOfState } from './exit-codes.js';

type Print = (s: string) => void;

/** Opens the data dir, runs `body`, closes. */
async function withTroupe(opts: DataOptions, body: (api: TroupeApi, direct: boolean, dataDir: string) => Promise<number>): Promise<number> {
  const { api, direct, dataDir } = await openTroupe(opts);
  try {
    return await body(api, direct, dataDir);
  } finally {
    await api.close();
  }
}

/**
 * After a resume or a kill of a PAUSED execution opened here: follows it until it ends or pauses
 * again (closing the engine midway would stop it). The PAUSED state read before the command is
 * applied does not count.
 */
async function settle(api: TroupeApi, id: string): Promise<ExecutionJson> {
  let moved = false;
  for await (const e of api.follow(id)) {
    if (e.type === 'execution.end') return e.execution;
    if (e.type !== 'execution.state') continue;
    if (e.state !== 'PAUSED') moved = true;
    else if (moved) break;
  }
  return mustGet(api, id);
}

/** An execution as printed: the table, or Kestra JSON. */
function printExecution(e: ExecutionJson, json: boolean | undefined, out: Print): void {
  out(json ? JSON.stringify(e, null, 2) : formatExecution(e));
}

async function mustGet(api: TroupeApi, id: string): Promise<ExecutionJson> {
  const e = await api.getExecution(id);
  if (!e) throw new TroupeError('TROUPE_EXECUTION_NOT_FOUND', `No execution has the id '${id}'`, { executionId: id });
  return e;
}

/** Options of `troupe execute`. */
export interface ExecuteCommandOptions extends DataOptions {
  input: string[];
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `troupe execute NS FLOW`: starts an execution; prints its id, or with --wait/--follow the execution when it ends. */
export async function executeCommand(namespace: string, flowId: string, opts: ExecuteCommandOptions, out: Print, err: Print): Promise<number> {
  const inputs = parseInputs(opts.input);
  return withTroupe(opts, async (api, direct, dataDir) => {
    const id = await api.execute(namespace, flowId, inputs);
    if (!opts.wait && !opts.follow && !direct) {
      out(id);
      return 0;
    }
    if (direct && !opts.wait && !opts.follow) err(`No daemon runs on ${dataDir}: execution ${id} runs here until it ends or pauses`);
    const logTo = opts.json ? err : out;
    const r = await followExecution(api, id, { ...(opts.follow && !opts.quiet ? { log: logTo } : {}), color: useColor(opts.json ? process.stderr : process.stdout), ...(direct ? { onPaused: () => true } : {}) });
    if (!r.ended) err(`Execution ${id} is PAUSED: resume it with: troupe resume ${id} --data ${dataDir}`);
    for (const line of r.ended ? failureLines(r.execution, await api.getLogs(id)) : []) err(line);
    printExecution(r.execution, opts.json, out);
    return r.ended ? exitCodeOfState(r.execution.state.current) : 0;
  });
}

/** `troupe logs ID [--follow]`: an execution's log lines (as they happen with --follow). */
export async function logsCommand(id: string, opts: DataOptions & { follow?: boolean; json?: boolean }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    const color = useColor(process.stdout) && !opts.json;
    if (!opts.follow) {
      await mustGet(api, id);
      for (const l of await api.getLogs(id)) out(opts.json ? JSON.stringify(l) : formatLogLine(l, color));
      return 0;
    }
    for await (const e of api.follow(id)) if (e.type === 'execution.log') out(opts.json ? JSON.stringify(e.log) : formatLogLine(e.log, color));
    return 0;
  });
}

/** `troupe show ID`: one execution. */
export async function showCommand(id: string, opts: DataOptions & { json?: boolean }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    printExecution(await mustGet(api, id), opts.json, out);
    return 0;
  });
}

/** `troupe list`: executions, oldest first, filtered. */
export async function listCommand(opts: DataOptions & { namespace?: string; flow?: string; state?: string; json?: boolean }, out: Print): Promise<number> {
  const filter = { ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.flow ? { flowId: opts.flow } : {}), ...(opts.state ? { state: parseState(opts.state) } : {}) };
  return withTroupe(opts, async (api) => {
    const list = await api.listExecutions(filter);
    if (opts.json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    const rows = list.map((e) => [e.id, `${e.namespace}.${e.flowId}`, e.state.current, e.state.startDate ?? '', e.state.duration.replace(/^PT/, '').toLowerCase()]);
    const head = ['ID', 'FLOW', 'STATE', 'STARTED', 'DURATION'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) out(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
    return 0;
  });
}

/** `troupe resume ID`: resumes a paused execution (inputs typed against the Pause's onResume). */
export async function resumeCommand(id: string, opts: DataOptions & { input: string[] }, out: Print): Promise<number> {
  const inputs = parseInputs(opts.input);
  return withTroupe(opts, async (api, direct) => {
    await api.resume(id, Object.keys(inputs).length ? inputs : undefined);
    if (!direct) {
      out(`resumed ${id}`);
      return 0;
    }
    const e = await settle(api, id);
    out(`resumed ${id}: ${e.state.current}`);
    return 0;
  });
}

/** `troupe kill ID`. */
export async function killCommand(id: string, opts: DataOptions, out: Print): Promise<number> {
  return withTroupe(opts, async (api, direct) => {
    await mustGet(api, id);
    await api.kill(id);
    if (!direct) {
      out(`killing ${id}`);
      return 0;
    }
    out(`killed ${id}: ${(await settle(api, id)).state.current}`);
    return 0;
  });
}

/** `troupe restart ID`. */
export async function restartCommand(id: string, opts: DataOptions, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    out(await api.restart(id));
    return 0;
  });
}

/** `troupe replay ID [--task-run ID]`. */
export async function replayCommand(id: string, opts: DataOptions & { taskRun?: string }, out: Print): Promise<number> {
  return withTroupe(opts, async (api) => {
    out(await api.replay(id, opts.taskRun !== undefined ? { taskRunId: opts.taskRun } : {}));
    return 0;
  });
}

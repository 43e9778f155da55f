/**
 * Following an execution on the terminal: its log lines as they happen, then what failed. Shared
 * by `troupe run`, `troupe execute --follow` and `troupe logs --follow`.
 */
import type { ExecutionJson } from '../model/execution-json.js';
import type { LogEntry } from '../model/log-entry.js';
import type { ExecutionEvent, TroupeApi } from '../troupe-api.js';
import { formatLogLine } from './log-line.js';

/** How to print while following. */
export interface FollowOutput {
  /** Where log lines go; undefined hides them (--quiet). */
  log?: (line: string) => void;
  color: boolean;
  /**
   * Called when the execution goes PAUSED: resolve `true` to stop following (the caller reports
   * how to resume), `false` to wait for the resume.
   */
  onPaused?: (execution: ExecutionJson) => Promise<boolean> | boolean;
}

/** What following ended with: the final execution, or the paused one when `onPaused` stopped it. */
export type FollowResult = { ended: true; execution: ExecutionJson } | { ended: false; execution: ExecutionJson };

/** Prints an execution's events until it ends (or pauses, if `onPaused` says so). */
export async function followExecution(api: TroupeApi, executionId: string, out: FollowOutput): Promise<FollowResult> {
  const events = api.follow(executionId);
  try {
    for await (const e of events as AsyncIterable<ExecutionEvent>) {
      if (e.type === 'execution.log') out.log?.(formatLogLine(e.log, out.color));
      else if (e.type === 'execution.end') return { ended: true, execution: e.execution };
      else if (e.state === 'PAUSED' && out.onPaused) {
        const now = await api.getExecution(executionId);
        if (now && now.state.current === 'PAUSED' && (await out.onPaused(now))) return { ended: false, execution: now };
      }
    }
  } finally {
    await events.return?.();
  }
  // The stream closed without an end (the daemon stopped): report what is stored.
  const execution = await api.getExecution(executionId);
  if (!execution) throw new Error(`execution ${executionId} vanished while followed`);
  return { ended: false, execution };
}

/** `✘ task [value]: message` for each failed task run that logged an error. */
export function failureLines(execution: ExecutionJson, logs: LogEntry[]): string[] {
  const lines: string[] = [];
  for (const run of execution.taskRunList ?? []) {
    if (run.state.current !== 'FAILED') continue;
    const errors = logs.filter((l) => l.taskRunId === run.id && l.level === 'ERROR').map((l) => l.message);
    if (!errors.length) continue;
    const name = run.value !== undefined ? `${run.taskId} [${run.value}]` : run.taskId;
    for (const message of [...new Set(errors)]) lines.push(`✘ ${name}: ${message}`);
  }
  return lines;
}

/**
 * Compares an ended execution with what a case expects, and says what differed, one reason per
 * difference (`state: expected SUCCESS, got FAILED`).
 */
import type { LogEntry } from '../model/index.js';
import type { ExecutionJson, TaskRunJson } from '../runtime/execution-json.js';
import type { CaseExpectation, LogExpectation, TaskRunExpectation } from './expectations.js';
import { matchFields, matchValue, type Expected } from './matchers.js';

function differ(label: string, expected: Expected, actual: unknown): string | undefined {
  const m = matchValue(expected, actual);
  return m ? `${label}${m.path}: ${m.message}` : undefined;
}

function entryLabel(e: TaskRunExpectation): string {
  return `taskRuns[taskId=${e.taskId}${e.value !== undefined ? `, value=${e.value}` : ''}]`;
}

/** Why one task run does not fit an entry, or undefined when it does. */
function checkTaskRun(e: TaskRunExpectation, run: TaskRunJson, label: string): string | undefined {
  if (e.state !== undefined) {
    const d = differ(`${label}.state`, e.state, run.state.current);
    if (d) return d;
  }
  if (e.attempts !== undefined) {
    const d = differ(`${label}.attempts`, e.attempts, run.attempts?.length ?? 0);
    if (d) return d;
  }
  if (e.outputs !== undefined) {
    const m = matchFields(e.outputs, run.outputs as Record<string, unknown> | undefined);
    if (m) return `${label}.outputs${m.path}: ${m.message}`;
  }
  return undefined;
}

function checkTaskRunEntry(e: TaskRunExpectation, runs: readonly TaskRunJson[]): string | undefined {
  const label = entryLabel(e);
  const selected = runs.filter((r) => r.taskId === e.taskId && (e.value === undefined || (r.value !== undefined && String(r.value) === e.value)));
  if (selected.length === 0) return `${label}: no such task run`;
  const failures: string[] = [];
  selected.forEach((run, i) => {
    const where = selected.length > 1 ? `${label}(run ${i + 1} of ${selected.length}${run.value !== undefined && e.value === undefined ? `, value=${String(run.value)}` : ''})` : label;
    const d = checkTaskRun(e, run, where);
    if (d) failures.push(d);
  });
  if (e.any) return failures.length === selected.length ? `${label}: none of ${selected.length} runs fits; first: ${failures[0]!}` : undefined;
  return failures[0];
}

function checkLog(e: LogExpectation, logs: readonly LogEntry[]): string | undefined {
  const fits = (l: LogEntry): boolean => (e.level === undefined || l.level === e.level) && (e.contains === undefined || l.message.includes(e.contains));
  if (logs.some(fits)) return undefined;
  const level = e.level !== undefined ? `${e.level} ` : '';
  if (e.contains === undefined) return `logs: no ${level}line (${logs.length} lines)`;
  const other = e.level !== undefined && logs.some((l) => l.message.includes(e.contains!)) ? ' (a line at another level does)' : '';
  return `logs: no ${level}line contains ${JSON.stringify(e.contains)}${other}`;
}

/**
 * Checks the `logs` entries of a case: at least one line must fit each.
 * @returns one reason per entry that no line fits
 */
export function checkLogs(expected: readonly LogExpectation[], logs: readonly LogEntry[]): string[] {
  return expected.map((e) => checkLog(e, logs)).filter((r): r is string => r !== undefined);
}

/** A state difference says what went wrong first: the first ERROR line, if any. */
function withErrorHint(reason: string | undefined, logs: readonly LogEntry[]): string | undefined {
  const first = logs.find((l) => l.level === 'ERROR');
  if (reason === undefined || !first) return reason;
  const text = first.message.split('\n', 1)[0]!;
  return `${reason} (first ERROR: ${first.taskId !== undefined ? `${first.taskId}: ` : ''}${text.length > 160 ? `${text.slice(0, 157)}...` : text})`;
}

/**
 * Compares an execution with a case's expectation.
 * @param expect what the case expects
 * @param execution the ended execution, in Kestra's JSON shape
 * @param logs the execution's log lines
 * @returns one reason per difference; empty when the execution fits
 */
export function checkExecution(expect: CaseExpectation, execution: ExecutionJson, logs: readonly LogEntry[]): string[] {
  const runs = execution.taskRunList ?? [];
  const reasons: Array<string | undefined> = [];
  if (expect.state !== undefined) reasons.push(withErrorHint(differ('state', expect.state, execution.state.current), logs));
  if (expect.taskRunCount !== undefined) reasons.push(differ('taskRunCount', expect.taskRunCount, runs.length));
  for (const e of expect.taskRuns ?? []) reasons.push(checkTaskRunEntry(e, runs));
  if (expect.outputs !== undefined) {
    const m = matchFields(expect.outputs, execution.outputs as Record<string, unknown> | undefined);
    if (m) reasons.push(`outputs${m.path}: ${m.message}`);
  }
  return [...reasons.filter((r): r is string => r !== undefined), ...checkLogs(expect.logs ?? [], logs)];
}

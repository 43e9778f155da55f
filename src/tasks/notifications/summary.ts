/**
 * The execution summary the `*Execution` notification tasks send (plugin-notifications'
 * `ExecutionService#executionMap`), built from what a task run can see: its own execution (`flow`,
 * `execution`, the execution's ERROR lines) or, for a flow started by a Flow trigger, the
 * triggering execution as `trigger` describes it. Pure. Where it differs from Kestra, which reads
 * the execution from its repository: docs/reference/http.md, "Notifications".
 */

/** What a summary says about an execution. */
export interface ExecutionSummary {
  id: string;
  namespace: string;
  flowId: string;
  /** Its state as known: RUNNING for the current execution (as Kestra while the task runs). */
  state: string;
  /** ISO start date, when known. */
  startDate?: string;
  /** Kestra's `humanDuration()` (`H:mm:ss.SSS`), when known. */
  duration?: string;
  /** The failed task's id; `false` when none failed; undefined when not known. */
  failedTaskId?: string | false;
}

/** What the summary is built from: root variables of the run's context. */
export interface SummarySource {
  flow?: { id?: unknown; namespace?: unknown } | null;
  execution?: { id?: unknown; startDate?: unknown } | null;
  trigger?: Record<string, unknown> | null;
  /** The execution's first ERROR lines (`errorLogs()`). */
  errorLogs?: Array<{ taskId?: unknown }> | null;
}

/** `DurationFormatUtils.formatDurationHMS`: `H:mm:ss.SSS`. */
export function formatDurationHms(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(t % 1000).padStart(3, '0')}`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The summary of the execution `executionId` names.
 * @throws when it is neither the current execution nor the one a Flow trigger names
 */
export function summarize(executionId: string, source: SummarySource, nowMs: number): ExecutionSummary {
  const current = str(source.execution?.id);
  if (executionId === current) {
    const summary: ExecutionSummary = { id: current, namespace: str(source.flow?.namespace) ?? '', flowId: str(source.flow?.id) ?? '', state: 'RUNNING' };
    const start = str(source.execution?.startDate);
    if (start) {
      summary.startDate = start;
      const startMs = Date.parse(start);
      if (Number.isFinite(startMs)) summary.duration = formatDurationHms(nowMs - startMs);
    }
    // Kestra names the last FAILED task run; the last task that logged an ERROR stands for it.
    const failed = (source.errorLogs ?? []).map((l) => str(l.taskId)).filter((t): t is string => t !== undefined);
    summary.failedTaskId = failed.length ? failed[failed.length - 1]! : false;
    return summary;
  }
  const t = source.trigger ?? {};
  if (executionId === str(t.executionId)) {
    const state = str(t.state) ?? 'UNKNOWN';
    return { id: executionId, namespace: str(t.namespace) ?? '', flowId: str(t.flowId) ?? '', state, ...(state === 'FAILED' ? {} : { failedTaskId: false as const }) };
  }
  throw new Error(`Unable to find execution '${executionId}': Troupe summarizes the current execution or the one a Flow trigger names ({{ trigger.executionId }})`);
}

/** The title line Kestra's templates share: `[ns] flow ➛ STATE`, a link around it when there is one. */
function title(s: ExecutionSummary, link: string | undefined): string {
  const text = `[${s.namespace}] ${s.flowId} ➛ ${s.state}`;
  return link ? `<${link}|${text}>` : text;
}

/** `Succeeded` / `Failed on task \`t\`` and ` after <duration>` when known. */
export function outcomeLine(s: ExecutionSummary): string {
  const what = s.failedTaskId === false ? 'Succeeded' : s.failedTaskId === undefined ? 'Failed' : `Failed on task \`${s.failedTaskId}\``;
  return s.duration !== undefined ? `${what} after ${s.duration}` : what;
}

/** The headline of Slack, Teams and Google Chat messages: `*title*\n> outcome`. */
export function headline(s: ExecutionSummary, link?: string): string {
  return `*${title(s, link)}*\n> ${outcomeLine(s)}`;
}

/** The four facts every summary lists. */
export function facts(s: ExecutionSummary): Array<[string, string]> {
  return [
    ['Namespace', s.namespace],
    ['Flow ID', s.flowId],
    ['Execution ID', s.id],
    ['Execution Status', s.state],
  ];
}

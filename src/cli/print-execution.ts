/** A readable table of an execution's task runs, for `troupe run` without --json. */
import type { ExecutionJson } from '../runtime/execution-json.js';

function durationOf(iso: string): string {
  return iso.replace(/^PT/, '').toLowerCase();
}

/** Renders the execution as a header line and one row per task run (indented by depth). */
export function formatExecution(e: ExecutionJson): string {
  const runs = e.taskRunList ?? [];
  const depth = new Map<string, number>();
  const rows = runs.map((r) => {
    const d = r.parentTaskRunId ? (depth.get(r.parentTaskRunId) ?? 0) + 1 : 0;
    depth.set(r.id, d);
    const name = '  '.repeat(d) + r.taskId + (r.value !== undefined ? ` [${r.value}]` : '');
    const attempts = r.attempts?.length ?? 0;
    const out = r.outputs && Object.keys(r.outputs).length ? JSON.stringify(r.outputs) : '';
    return [name, r.state.current, String(attempts), durationOf(r.state.duration), out.length > 60 ? `${out.slice(0, 57)}...` : out];
  });
  const head = ['TASK', 'STATE', 'ATTEMPTS', 'DURATION', 'OUTPUTS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const title = `Execution ${e.id} of ${e.namespace}.${e.flowId} (revision ${e.flowRevision}): ${e.state.current} in ${durationOf(e.state.duration)}`;
  const outputs = e.outputs ? `\nOutputs: ${JSON.stringify(e.outputs)}` : '';
  return [title, '', line(head), ...rows.map(line)].join('\n') + outputs;
}

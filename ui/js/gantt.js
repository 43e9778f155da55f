// The Gantt of an execution's task runs: one row per task run (loop values beside the task id),
// bars drawn from each run's state history on the execution's time axis. Only the rows in view
// exist (VirtualList); the rows' pages are fetched as they come into view.
import { html, useEffect, useState } from './html.js';
import { api, query, seg } from './api.js';
import { ErrorBox, executionUrl, humanDuration, humanMs, StateBadge, TERMINAL, VirtualList } from './components.js';
import { navigate } from './router.js';

export const ROW_HEIGHT = 28;

/** Bar segments of a run: [{ state, left, width }] in percent of [t0, t1]. */
function segments(run, t0, t1, now) {
  const h = run.state.histories ?? [];
  const span = Math.max(1, t1 - t0);
  const current = run.state.current;
  const out = [];
  for (let i = 0; i < h.length; i++) {
    const start = Date.parse(h[i].date);
    const end = i + 1 < h.length ? Date.parse(h[i + 1].date) : TERMINAL.has(h[i].state) ? start : now;
    if (end <= start && i + 1 < h.length) continue;
    // A run's working time takes the colour of how it ended, as Kestra's Gantt does.
    const state = h[i].state === 'RUNNING' && TERMINAL.has(current) ? current : h[i].state;
    const left = Math.min(100, Math.max(0, ((start - t0) / span) * 100));
    out.push({ state, left, width: Math.min(100 - left, (Math.max(0, end - start) / span) * 100) });
  }
  return out;
}

function Row({ run, index, depth, t0, t1, now, selected, onSelect }) {
  if (!run) return html`<div class="grow loading" data-index=${index}><div class="glabel muted">…</div><div class="gtrack"></div></div>`;
  const value = run.value !== undefined ? String(run.value) : undefined;
  return html`<div class=${selected ? 'grow selected' : 'grow'} data-index=${index} data-task=${run.taskId} data-state=${run.state.current} onClick=${() => onSelect(index)} data-testid="gantt-row">
    <div class="glabel" style=${{ paddingLeft: `${8 + depth * 14}px` }} title=${value !== undefined ? `${run.taskId} [${value}]` : run.taskId}>
      <span class=${`dot state-${run.state.current}`}></span><span class="gtask">${run.taskId}</span>${value !== undefined ? html`<span class="gvalue">${value}</span>` : null}${run.iteration !== undefined ? html`<span class="gvalue">#${run.iteration}</span>` : null}
    </div>
    <div class="gtrack">
      ${segments(run, t0, t1, now).map((s) => html`<div class=${`seg seg-${s.state}`} style=${{ left: `${s.left}%`, width: `max(2px, ${s.width}%)` }} title=${s.state}></div>`)}
    </div>
    <div class="gdur">${humanDuration(run.state)}</div>
  </div>`;
}

export function Gantt({ data, height, selected, onSelect }) {
  const { header, total, runAt, ensure } = data;
  const index = data.index;
  const now = Date.now();
  const t0 = Date.parse(header.state.startDate ?? header.state.histories[0].date);
  const t1 = TERMINAL.has(header.state.current) && header.state.endDate ? Date.parse(header.state.endDate) : now;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return html`<div class="gantt" data-testid="gantt">
    <div class="ghead">
      <div class="glabel">Task (${total.toLocaleString('en')} task runs)</div>
      <div class="gtrack axis">${ticks.map((f) => html`<span style=${{ left: `${f * 100}%` }}>${f === 0 ? '0' : `+${humanMs((t1 - t0) * f)}`}</span>`)}</div>
      <div class="gdur">Duration</div>
    </div>
    <${VirtualList} count=${total} rowHeight=${ROW_HEIGHT} height=${height} onRange=${ensure} testId="gantt-rows"
      renderRow=${(i) => {
        const run = runAt(i);
        return html`<${Row} run=${run} index=${i} depth=${run ? (index.get(run.taskId)?.depth ?? 0) : 0} t0=${t0} t1=${t1} now=${now} selected=${selected === i} onSelect=${onSelect} />`;
      }} />
  </div>`;
}

/** The log lines of one task run, read again as its state changes. */
function RunLogs({ run }) {
  const [lines, setLines] = useState();
  useEffect(() => {
    let stale = false;
    api(`/logs/${seg(run.executionId)}${query({ taskRunId: run.id })}`).then((l) => !stale && setLines(l), () => !stale && setLines([]));
    return () => (stale = true);
  }, [run.id, run.state.current]);
  if (!lines) return null;
  if (!lines.length) return html`<p class="muted">No log line.</p>`;
  return html`<div class="run-logs" data-testid="run-logs">${lines.slice(-200).map((l) => html`<div class=${`log level-${l.level}`}><span class="lvl">${l.level}</span><span class="msg">${l.message}</span></div>`)}</div>`;
}

/** Replays the execution from one task run (a new execution; the page goes to it). */
function ReplayFrom({ run }) {
  const [error, setError] = useState();
  const replay = async () => {
    setError(undefined);
    try {
      const e = await api(`/executions/${seg(run.executionId)}/replay${query({ taskRunId: run.id })}`, { method: 'POST' });
      if (e?.id) navigate(executionUrl(e));
    } catch (err) {
      setError(err);
    }
  };
  return html`<button class="small" onClick=${replay} data-testid="replay-from">Replay from this task run</button><${ErrorBox} error=${error} onClose=${() => setError(undefined)} />`;
}

/** The details of one task run: state history, attempts, outputs, its log lines. */
export function RunDetails({ run, ended = false }) {
  if (!run) return html`<p class="muted">Select a task run in the Gantt to see its attempts and outputs.</p>`;
  return html`<div class="run-details" data-testid="run-details">
    ${ended ? html`<${ReplayFrom} key=${run.id} run=${run} />` : null}
    <h3>${run.taskId}${run.value !== undefined ? html` <span class="gvalue">${String(run.value)}</span>` : null} <${StateBadge} state=${run.state.current} /></h3>
    <dl class="kv">
      <dt>Task run id</dt><dd class="mono">${run.id}</dd>
      ${run.parentTaskRunId ? html`<dt>Parent</dt><dd class="mono">${run.parentTaskRunId}</dd>` : null}
      <dt>Duration</dt><dd>${humanDuration(run.state)}</dd>
      <dt>History</dt><dd>${(run.state.histories ?? []).map((h) => html`<div><${StateBadge} state=${h.state} /> ${h.date}</div>`)}</dd>
    </dl>
    <h4>Attempts</h4>
    ${(run.attempts ?? []).length ? html`<table class="table compact" data-testid="attempts">
      <thead><tr><th>#</th><th>State</th><th>Start</th><th>Duration</th><th>Metrics</th></tr></thead>
      <tbody>${run.attempts.map((a, i) => html`<tr><td>${i + 1}</td><td><${StateBadge} state=${a.state.current} /></td><td>${a.state.startDate ?? ''}</td><td>${humanDuration(a.state)}</td>
        <td>${(a.metrics ?? []).map((m) => html`<span class="tag">${m.name}: ${String(m.value)}</span>`)}</td></tr>`)}</tbody>
    </table>` : html`<p class="muted">No attempt (flowable or not started).</p>`}
    <h4>Outputs</h4>
    ${run.outputs && Object.keys(run.outputs).length ? html`<pre class="json" data-testid="outputs">${JSON.stringify(run.outputs, null, 2)}</pre>` : html`<p class="muted">No outputs.</p>`}
    <h4>Logs</h4>
    <${RunLogs} key=${run.id} run=${run} />
  </div>`;
}

// /ui/executions/{namespace}/{flowId}/{id}: the execution's state, Gantt, the selected task
// run's details, logs that follow over SSE, and the kill / resume / restart / replay actions.
import { html, useEffect, useMemo, useState } from '../html.js';
import { api, query, seg, stream } from '../api.js';
import { ErrorBox, executionUrl, flowUrl, formatDate, humanDuration, JsonView, StateBadge, TERMINAL, VirtualList } from '../components.js';
import { LARGE_RUNS, useExecution } from '../execution-data.js';
import { Gantt, RunDetails } from '../gantt.js';
import { InputsForm } from '../inputs-form.js';
import { taskIndex } from '../topology.js';
import { navigate } from '../router.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** The execution's log lines, followed over SSE, in a virtualized list that sticks to the bottom. */
function Logs({ executionId, taskRunId, large }) {
  const [lines, setLines] = useState([]);
  const [minLevel, setMinLevel] = useState('');
  const [shown, setShown] = useState(!large);
  useEffect(() => {
    if (!shown) return;
    const buffer = [];
    let scheduled = false;
    setLines([]);
    // Frames arrive one line each: render them in batches.
    const stop = stream(`/logs/${seg(executionId)}/follow${query({ minLevel, taskRunId })}`, (line) => {
      buffer.push(line);
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        const batch = buffer.splice(0);
        setLines((old) => old.concat(batch));
      });
    });
    return stop;
  }, [executionId, minLevel, taskRunId, shown]);
  if (!shown) {
    return html`<div class="logs"><div class="toolbar"><h2>Logs</h2>
      <span class="muted">A large execution: its logs may hold a line per task run.</span>
      <button onClick=${() => setShown(true)} data-testid="show-logs">Show logs</button>
      <a class="button small" href=${`/api/v1/logs/${seg(executionId)}/download`} download>Download</a></div></div>`;
  }
  return html`<div class="logs">
    <div class="toolbar">
      <h2>Logs</h2>
      <select value=${minLevel} onChange=${(e) => setMinLevel(e.currentTarget.value)} aria-label="minimum level">
        <option value="">all levels</option>${LEVELS.map((l) => html`<option value=${l}>${l} and above</option>`)}
      </select>
      <span class="muted">${lines.length.toLocaleString('en')} lines</span>
      <a class="button small" href=${`/api/v1/logs/${seg(executionId)}/download`} download>Download</a>
    </div>
    <${VirtualList} count=${lines.length} rowHeight=${22} height=${Math.min(260, Math.max(70, lines.length * 22 + 4))} follow=${true} className="log-lines" testId="logs"
      renderRow=${(i) => {
        const l = lines[i];
        return html`<div class=${`log level-${l.level}`} data-testid="log-line"><span class="ts">${l.timestamp}</span><span class="lvl">${l.level}</span>${l.taskId ? html`<span class="ltask">${l.taskId}</span>` : null}<span class="msg">${l.message}</span></div>`;
      }} />
  </div>`;
}

function Actions({ header, data, flowIndex }) {
  const [error, setError] = useState();
  const [notice, setNotice] = useState();
  const [resuming, setResuming] = useState(false);
  const id = header.id;
  const state = header.state.current;
  const act = async (label, f, then) => {
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await f();
      setNotice(label);
      then?.(result);
    } catch (e) {
      setError(e);
    }
  };
  const kill = () => act('kill requested', () => api(`/executions/${seg(id)}/kill`, { method: 'DELETE' }));
  // A restart answers the execution restarted (the same id, or a new one with another revision).
  const restart = () => act('restarted', () => api(`/executions/${seg(id)}/restart`, { method: 'POST' }), (e) => (e?.id && e.id !== id ? navigate(executionUrl(e)) : data.refresh()));
  const replay = () => act('replayed', () => api(`/executions/${seg(id)}/replay`, { method: 'POST' }), (e) => e?.id && navigate(executionUrl(e)));
  const resume = (form) =>
    act('resumed', async () => {
      await api(`/executions/${seg(id)}/resume`, { method: 'POST', body: form });
      setResuming(false);
    });
  // The paused Pause task's onResume inputs, when its run is loaded.
  const paused = state === 'PAUSED' ? data.loaded().find((r) => r.state.current === 'PAUSED') : undefined;
  const onResume = paused ? (flowIndex.get(paused.taskId)?.task.onResume ?? []) : [];
  return html`<div class="actions-bar">
    ${!TERMINAL.has(state) ? html`<button class="danger" onClick=${kill} data-testid="kill">Kill</button>` : null}
    ${state === 'PAUSED' ? html`<button class="primary" onClick=${() => setResuming(!resuming)} data-testid="resume">Resume</button>` : null}
    ${TERMINAL.has(state) ? html`<button onClick=${restart} data-testid="restart">Restart</button><button onClick=${replay} data-testid="replay">Replay</button>` : null}
    ${notice ? html`<span class="status ok">${notice}</span>` : null}
  </div>
  <${ErrorBox} error=${error} onClose=${() => setError(undefined)} />
  ${resuming ? html`<div class="panel narrow"><h3>Resume${paused ? ` ${paused.taskId}` : ''}</h3><${InputsForm} inputs=${onResume} submitLabel="Resume" onSubmit=${resume} testId="resume-form" /></div>` : null}`;
}

export function ExecutionPage({ id }) {
  const data = useExecution(id);
  const [selected, setSelected] = useState();
  const [tick, setTick] = useState(0);
  const { header, flow, error } = data;
  const index = useMemo(() => taskIndex(flow), [flow]);
  const running = header && !TERMINAL.has(header.state.current);
  // A running execution's bars grow with the clock.
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick(tick + 1), 1000);
    return () => clearInterval(t);
  }, [running, tick]);
  if (error && !header) return html`<section><${ErrorBox} error=${error} /></section>`;
  if (!header) return html`<section><p class="muted">Loading execution ${id}…</p></section>`;
  const s = header.state;
  const selectedRun = selected !== undefined ? data.runAt(selected) : undefined;
  return html`<section class="execution" data-state=${s.current}>
    <header class="page-head">
      <h1><span class="muted">${header.namespace}.</span><a href=${flowUrl(header.namespace, header.flowId)}>${header.flowId}</a> <span class="mono small">${header.id}</span></h1>
      <span data-testid="execution-state"><${StateBadge} state=${s.current} /></span>
    </header>
    <${Actions} header=${header} data=${data} flowIndex=${index} />
    <dl class="kv overview">
      <dt>Start</dt><dd>${formatDate(s.startDate)}</dd>
      <dt>End</dt><dd>${TERMINAL.has(s.current) ? formatDate(s.endDate) : ''}</dd>
      <dt>Duration</dt><dd>${humanDuration(s)}</dd>
      <dt>Revision</dt><dd>${header.flowRevision}</dd>
      <dt>Labels</dt><dd>${(header.labels ?? []).filter((l) => !l.key.startsWith('system.')).map((l) => html`<span class="tag">${l.key}: ${l.value}</span>`)}</dd>
    </dl>
    ${header.inputs && Object.keys(header.inputs).length ? html`<details><summary>Inputs</summary><${JsonView} value=${header.inputs} /></details>` : null}
    ${header.outputs && Object.keys(header.outputs).length ? html`<details><summary>Outputs</summary><${JsonView} value=${header.outputs} /></details>` : null}
    <${ErrorBox} error=${error} onClose=${() => data.setError(undefined)} />
    <div class="split gantt-split">
      <${Gantt} data=${{ ...data, index }} height=${Math.min(420, Math.max(112, data.total * 28 + 8))} selected=${selected} onSelect=${setSelected} />
      <div class="panel details"><${RunDetails} run=${selectedRun} ended=${TERMINAL.has(s.current)} /></div>
    </div>
    ${data.ready ? html`<${Logs} executionId=${header.id} large=${data.total > LARGE_RUNS} />` : null}
  </section>`;
}

// /ui/executions: executions newest first, filtered (text, namespace, flow, state, time range),
// their state kept live by polling the search route.
import { html, useState } from '../html.js';
import { api, query } from '../api.js';
import { ErrorBox, executionUrl, flowUrl, formatDate, humanDuration, StateBadge, STATES, TERMINAL, usePoll } from '../components.js';
import { navigate } from '../router.js';
import { Pager } from './flows.js';

const SIZE = 25;

/** The table of executions matching `filters`: polled every second while one shown runs, else every 5 s (new ones appear). */
export function ExecutionsTable({ filters, page = 1, search, base }) {
  const [data, setData] = useState();
  const [error, setError] = useState();
  const key = JSON.stringify(filters);
  const live = (data?.results ?? []).some((e) => !TERMINAL.has(e.state.current));
  usePoll(async () => {
    try {
      setData(await api(`/executions/search${query({ ...filters, page, size: SIZE })}`));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, () => (live ? 1000 : 5000), true, [key, page]);
  const rows = data?.results ?? [];
  return html`<div>
    <${ErrorBox} error=${error} />
    <table class="table" data-testid="executions">
      <thead><tr><th>Id</th><th>Start date</th><th>End date</th><th>Duration</th><th>Namespace</th><th>Flow</th><th>Labels</th><th>State</th></tr></thead>
      <tbody>
        ${rows.map((e) => html`<tr data-execution=${e.id} class=${TERMINAL.has(e.state.current) ? '' : 'live'}>
          <td><a class="mono" href=${executionUrl(e)}>${e.id.slice(0, 8)}</a></td>
          <td>${formatDate(e.state.startDate)}</td>
          <td>${formatDate(e.state.endDate)}</td>
          <td>${humanDuration(e.state)}</td>
          <td>${e.namespace}</td>
          <td><a href=${flowUrl(e.namespace, e.flowId)}>${e.flowId}</a></td>
          <td>${(e.labels ?? []).filter((l) => !l.key.startsWith('system.')).map((l) => html`<span class="tag">${l.key}: ${l.value}</span>`)}</td>
          <td><${StateBadge} state=${e.state.current} /></td>
        </tr>`)}
      </tbody>
    </table>
    ${data && data.total === 0 ? html`<p class="muted">No execution matches.</p>` : null}
    ${search ? html`<${Pager} page=${page} pages=${data ? Math.max(1, Math.ceil(data.total / SIZE)) : 1} search=${search} base=${base} />` : null}
  </div>`;
}

const RANGES = [['', 'any time'], ['PT1H', 'last hour'], ['P1D', 'last day'], ['P7D', 'last 7 days'], ['P30D', 'last 30 days']];

export function ExecutionsPage({ search }) {
  const get = (k) => search.get(k) ?? '';
  const filters = { q: get('q'), namespace: get('namespace'), flowId: get('flowId'), state: get('state'), timeRange: get('timeRange') };
  const page = Number(search.get('page') ?? 1);
  const set = (k, v) => {
    const s = new URLSearchParams(search);
    if (v) s.set(k, v);
    else s.delete(k);
    s.delete('page');
    navigate(`/ui/executions?${s}`, { replace: true });
  };
  return html`<section>
    <header class="page-head"><h1>Executions</h1></header>
    <div class="filters">
      <input type="search" placeholder="Search id, namespace or flow" value=${filters.q} onInput=${(e) => set('q', e.currentTarget.value)} aria-label="search executions" />
      <input type="text" placeholder="Namespace" value=${filters.namespace} onInput=${(e) => set('namespace', e.currentTarget.value)} aria-label="namespace" />
      <input type="text" placeholder="Flow id" value=${filters.flowId} onInput=${(e) => set('flowId', e.currentTarget.value)} aria-label="flow id" />
      <select value=${filters.state} onChange=${(e) => set('state', e.currentTarget.value)} aria-label="state">
        <option value="">any state</option>${STATES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <select value=${filters.timeRange} onChange=${(e) => set('timeRange', e.currentTarget.value)} aria-label="time range">
        ${RANGES.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
      </select>
    </div>
    <${ExecutionsTable} filters=${filters} page=${page} search=${search} base="/ui/executions" />
  </section>`;
}

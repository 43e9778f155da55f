// /ui/triggers (Kestra: /ui/admin/triggers): the scheduler's triggers, enabled or disabled, with
// a backfill form; every answer of the API (501 until triggers land) is shown as it comes.
import { html, useState } from '../html.js';
import { api, query } from '../api.js';
import { ErrorBox, flowUrl, formatDate, usePoll } from '../components.js';

function Backfill({ row, onDone }) {
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const submit = (e) => {
    e.preventDefault();
    onDone({ ...row.triggerContext, backfill: { start: new Date(start).toISOString(), ...(end ? { end: new Date(end).toISOString() } : {}) } });
  };
  return html`<form class="inline-form" onSubmit=${submit}>
    <input type="datetime-local" required value=${start} onInput=${(e) => setStart(e.currentTarget.value)} aria-label="backfill start" />
    <input type="datetime-local" value=${end} onInput=${(e) => setEnd(e.currentTarget.value)} aria-label="backfill end" />
    <button type="submit" class="small">Backfill</button>
  </form>`;
}

export function TriggersPage({ search }) {
  const q = search.get('q') ?? '';
  const [data, setData] = useState();
  const [error, setError] = useState();
  const [actionError, setActionError] = useState();
  const [open, setOpen] = useState();
  const load = async () => {
    try {
      setData(await api(`/triggers/search${query({ q, size: 100 })}`));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  usePoll(load, 5000, true, [q]);
  const update = async (body) => {
    setActionError(undefined);
    try {
      await api('/triggers', { method: 'PUT', body });
      setOpen(undefined);
      await load();
    } catch (e) {
      setActionError(e);
    }
  };
  const rows = data?.results ?? [];
  return html`<section>
    <header class="page-head"><h1>Triggers</h1></header>
    <${ErrorBox} error=${error} />
    <${ErrorBox} error=${actionError} onClose=${() => setActionError(undefined)} />
    ${data ? html`<table class="table" data-testid="triggers">
      <thead><tr><th>Trigger</th><th>Flow</th><th>Type</th><th>Last date</th><th>Next execution</th><th>Enabled</th><th></th></tr></thead>
      <tbody>${rows.map((row, i) => {
        const c = row.triggerContext ?? {};
        return html`<tr data-trigger=${`${c.namespace}.${c.flowId}.${c.triggerId}`}>
          <td>${c.triggerId}</td>
          <td><a href=${flowUrl(c.namespace, c.flowId)}>${c.namespace}.${c.flowId}</a></td>
          <td>${String(row.abstractTrigger?.type ?? '').split('.').pop()}</td>
          <td>${formatDate(c.date)}</td>
          <td>${formatDate(c.nextExecutionDate)}</td>
          <td><button class="small" onClick=${() => update({ ...c, disabled: !c.disabled })} data-testid="toggle">${c.disabled ? 'Enable' : 'Disable'}</button> ${c.disabled ? html`<span class="tag">disabled</span>` : null}</td>
          <td>${open === i ? html`<${Backfill} row=${row} onDone=${update} />` : html`<button class="link" onClick=${() => setOpen(i)}>Backfill…</button>`}</td>
        </tr>`;
      })}</tbody>
    </table>` : null}
    ${data && rows.length === 0 ? html`<p class="muted">No trigger.</p>` : null}
  </section>`;
}

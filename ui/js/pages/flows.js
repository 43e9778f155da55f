// /ui/flows: the flows, searchable, with links to their page and to execute them.
import { html, useState } from '../html.js';
import { api, query } from '../api.js';
import { ErrorBox, flowUrl, usePoll } from '../components.js';
import { navigate } from '../router.js';

export function FlowsPage({ search }) {
  const q = search.get('q') ?? '';
  const namespace = search.get('namespace') ?? '';
  const page = Number(search.get('page') ?? 1);
  const [data, setData] = useState();
  const [error, setError] = useState();
  usePoll(async () => {
    try {
      setData(await api(`/flows/search${query({ q, namespace, page, size: 50, sort: 'namespace:asc' })}`));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  }, 5000, true, [q, namespace, page]);
  const setFilter = (k, v) => {
    const s = new URLSearchParams(search);
    if (v) s.set(k, v);
    else s.delete(k);
    s.delete('page');
    navigate(`/ui/flows?${s}`, { replace: true });
  };
  const pages = data ? Math.max(1, Math.ceil(data.total / 50)) : 1;
  return html`<section>
    <header class="page-head"><h1>Flows</h1><a class="button" href="/ui/flows/new">New flow</a></header>
    <div class="filters">
      <input type="search" placeholder="Search id or namespace" value=${q} onInput=${(e) => setFilter('q', e.currentTarget.value)} aria-label="search flows" />
      <input type="text" placeholder="Namespace" value=${namespace} onInput=${(e) => setFilter('namespace', e.currentTarget.value)} aria-label="namespace" />
    </div>
    <${ErrorBox} error=${error} />
    <table class="table" data-testid="flows">
      <thead><tr><th>Id</th><th>Namespace</th><th>Revision</th><th>Labels</th><th>Triggers</th><th></th></tr></thead>
      <tbody>
        ${(data?.results ?? []).map((f) => html`<tr data-flow=${`${f.namespace}.${f.id}`}>
          <td><a href=${flowUrl(f.namespace, f.id)}>${f.id}</a>${f.disabled ? html` <span class="tag">disabled</span>` : null}</td>
          <td>${f.namespace}</td>
          <td>${f.revision}</td>
          <td>${(f.labels ?? []).map((l) => html`<span class="tag">${l.key}: ${l.value}</span>`)}</td>
          <td>${(f.triggers ?? []).map((t) => html`<span class="tag">${t.id}</span>`)}</td>
          <td class="actions"><a href=${flowUrl(f.namespace, f.id, 'executions')}>Executions</a> <a class="button small" href=${flowUrl(f.namespace, f.id, 'execute')}>Execute</a></td>
        </tr>`)}
      </tbody>
    </table>
    ${data && data.total === 0 ? html`<p class="muted">No flow${q || namespace ? ' matches' : ' yet: deploy one (troupe server --flows DIR) or create one'}.</p>` : null}
    <${Pager} page=${page} pages=${pages} search=${search} base="/ui/flows" />
  </section>`;
}

export function Pager({ page, pages, search, base }) {
  if (pages <= 1) return null;
  const to = (p) => {
    const s = new URLSearchParams(search);
    s.set('page', String(p));
    return `${base}?${s}`;
  };
  return html`<nav class="pager">
    ${page > 1 ? html`<a href=${to(page - 1)}>‹ previous</a>` : null}
    <span>page ${page} of ${pages}</span>
    ${page < pages ? html`<a href=${to(page + 1)}>next ›</a>` : null}
  </nav>`;
}

// /ui/namespaces: the namespaces of the deployed flows; /ui/namespaces/edit/{namespace}/{tab}:
// a namespace's flows, KV store and files. Every answer of the API is shown as it comes (the KV
// and files routes answer 501 until that part of Troupe lands).
import { html, useEffect, useState } from '../html.js';
import { api, apiText, query, seg } from '../api.js';
import { ErrorBox, flowUrl, formatDate, JsonView } from '../components.js';

const nsUrl = (ns, tab = '') => `/ui/namespaces/edit/${seg(ns)}${tab ? `/${tab}` : ''}`;

export function NamespacesPage() {
  const [namespaces, setNamespaces] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    api(`/flows/search${query({ size: 10000 })}`).then((r) => {
      const count = new Map();
      for (const f of r.results) count.set(f.namespace, (count.get(f.namespace) ?? 0) + 1);
      setNamespaces([...count].sort(([a], [b]) => a.localeCompare(b)));
    }, setError);
  }, []);
  return html`<section>
    <header class="page-head"><h1>Namespaces</h1></header>
    <${ErrorBox} error=${error} />
    <table class="table" data-testid="namespaces">
      <thead><tr><th>Namespace</th><th>Flows</th><th></th></tr></thead>
      <tbody>${(namespaces ?? []).map(([ns, n]) => html`<tr data-namespace=${ns}>
        <td><a href=${nsUrl(ns)}>${ns}</a></td><td>${n}</td>
        <td class="actions"><a href=${nsUrl(ns, 'kv')}>KV store</a> <a href=${nsUrl(ns, 'files')}>Files</a></td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

function NamespaceFlows({ namespace }) {
  const [flows, setFlows] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    api(`/flows/${seg(namespace)}`).then(setFlows, setError);
  }, [namespace]);
  return html`<div><${ErrorBox} error=${error} />
    <table class="table"><thead><tr><th>Flow</th><th>Revision</th></tr></thead>
      <tbody>${(flows ?? []).map((f) => html`<tr><td><a href=${flowUrl(f.namespace, f.id)}>${f.id}</a></td><td>${f.revision}</td></tr>`)}</tbody>
    </table></div>`;
}

function KvStore({ namespace }) {
  const [keys, setKeys] = useState();
  const [error, setError] = useState();
  const [shown, setShown] = useState();
  const [form, setForm] = useState({ key: '', value: '', ttl: '' });
  const base = `/namespaces/${seg(namespace)}/kv`;
  const load = () => api(base).then((k) => { setKeys(k); setError(undefined); }, setError);
  useEffect(() => {
    load();
  }, [namespace]);
  const act = async (f) => {
    setError(undefined);
    try {
      await f();
      await load();
    } catch (e) {
      setError(e);
    }
  };
  const put = (e) => {
    e.preventDefault();
    act(async () => {
      await api(`${base}/${seg(form.key)}`, { method: 'PUT', body: form.value, type: 'text/plain', headers: form.ttl ? { ttl: form.ttl } : {} });
      setForm({ key: '', value: '', ttl: '' });
    });
  };
  return html`<div>
    <${ErrorBox} error=${error} onClose=${() => setError(undefined)} />
    ${keys ? html`<table class="table" data-testid="kv">
      <thead><tr><th>Key</th><th>Updated</th><th>Expires</th><th></th></tr></thead>
      <tbody>${keys.map((k) => html`<tr data-key=${k.key}>
        <td><button class="link" onClick=${() => act(async () => setShown({ key: k.key, ...(await api(`${base}/${seg(k.key)}`)) }))}>${k.key}</button></td>
        <td>${formatDate(k.updateDate)}</td><td>${formatDate(k.expirationDate)}</td>
        <td class="actions"><button class="small" onClick=${() => act(() => api(`${base}/${seg(k.key)}`, { method: 'DELETE' }))}>Delete</button></td>
      </tr>`)}</tbody>
    </table>` : null}
    ${shown ? html`<div class="panel narrow" data-testid="kv-value"><h3>${shown.key} <span class="tag">${shown.type}</span></h3><${JsonView} value=${shown.value} /></div>` : null}
    <form class="panel narrow inputs-form" onSubmit=${put} data-testid="kv-form">
      <h3>Set a value</h3>
      <div class="field"><label for="kv-key">Key</label><input id="kv-key" required value=${form.key} onInput=${(e) => setForm({ ...form, key: e.currentTarget.value })} /></div>
      <div class="field"><label for="kv-value">Value <span class="type">JSON, a number, true/false, a date, or text</span></label><textarea id="kv-value" rows="3" value=${form.value} onInput=${(e) => setForm({ ...form, value: e.currentTarget.value })}></textarea></div>
      <div class="field"><label for="kv-ttl">Time to live <span class="type">ISO duration, optional</span></label><input id="kv-ttl" placeholder="PT1H" value=${form.ttl} onInput=${(e) => setForm({ ...form, ttl: e.currentTarget.value })} /></div>
      <button type="submit" class="primary">Save</button>
    </form>
  </div>`;
}

function Files({ namespace }) {
  const [dir, setDir] = useState('/');
  const [entries, setEntries] = useState();
  const [error, setError] = useState();
  const [file, setFile] = useState();
  const base = `/namespaces/${seg(namespace)}/files`;
  const load = () => api(`${base}/directory${query({ path: dir })}`).then((e) => { setEntries(e); setError(undefined); }, setError);
  useEffect(() => {
    setFile(undefined);
    load();
  }, [namespace, dir]);
  const join = (name) => `${dir.replace(/\/$/, '')}/${name}`;
  const open = async (entry) => {
    if (entry.type === 'Directory') return setDir(join(entry.fileName));
    try {
      setFile({ path: join(entry.fileName), text: await apiText(`${base}${query({ path: join(entry.fileName) })}`) });
    } catch (e) {
      setError(e);
    }
  };
  const upload = async (e) => {
    e.preventDefault();
    const input = e.currentTarget.querySelector('input[type=file]');
    const chosen = input.files?.[0];
    if (!chosen) return;
    const data = new FormData();
    data.append('fileContent', chosen, chosen.name);
    try {
      await api(`${base}${query({ path: join(chosen.name) })}`, { method: 'POST', body: data });
      input.value = '';
      await load();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (entry) => {
    try {
      await api(`${base}${query({ path: join(entry.fileName) })}`, { method: 'DELETE' });
      await load();
    } catch (err) {
      setError(err);
    }
  };
  return html`<div>
    <${ErrorBox} error=${error} onClose=${() => setError(undefined)} />
    <div class="toolbar"><span class="mono">${dir}</span>${dir !== '/' ? html`<button class="small" onClick=${() => setDir(dir.replace(/\/[^/]+\/?$/, '') || '/')}>up</button>` : null}</div>
    ${entries ? html`<table class="table" data-testid="files">
      <thead><tr><th>Name</th><th>Size</th><th>Modified</th><th></th></tr></thead>
      <tbody>${entries.map((e) => html`<tr><td><button class="link" onClick=${() => open(e)}>${e.fileName}${e.type === 'Directory' ? '/' : ''}</button></td>
        <td>${e.type === 'File' ? e.size : ''}</td><td>${e.lastModifiedTime ? formatDate(new Date(e.lastModifiedTime).toISOString()) : ''}</td>
        <td class="actions"><button class="small" onClick=${() => remove(e)}>Delete</button></td></tr>`)}</tbody>
    </table>` : null}
    ${file ? html`<div class="panel"><h3 class="mono">${file.path}</h3><pre class="json">${file.text}</pre></div>` : null}
    <form class="toolbar" onSubmit=${upload}><input type="file" aria-label="file to upload" /><button type="submit">Upload</button></form>
  </div>`;
}

const TABS = [['', 'Flows'], ['kv', 'KV store'], ['files', 'Files']];

export function NamespacePage({ namespace, tab = '' }) {
  return html`<section>
    <header class="page-head"><h1>${namespace}</h1></header>
    <nav class="tabs">${TABS.map(([t, label]) => html`<a class=${t === tab ? 'tab active' : 'tab'} href=${nsUrl(namespace, t)}>${label}</a>`)}</nav>
    ${tab === '' || tab === 'flows' ? html`<${NamespaceFlows} namespace=${namespace} />` : null}
    ${tab === 'kv' ? html`<${KvStore} namespace=${namespace} />` : null}
    ${tab === 'files' ? html`<${Files} namespace=${namespace} />` : null}
  </section>`;
}

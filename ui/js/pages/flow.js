// /ui/flows/edit/{namespace}/{flowId}[/tab]: the source (highlighted, validated as you type,
// saved), the topology, the flow's executions, and the execute form. /ui/flows/new creates one.
import { html, useEffect, useRef, useState } from '../html.js';
import { api, seg } from '../api.js';
import { Editor } from '../editor.js';
import { ErrorBox, executionUrl, flowUrl } from '../components.js';
import { InputsForm } from '../inputs-form.js';
import { Topology } from '../topology.js';
import { navigate } from '../router.js';
import { ExecutionsTable } from './executions.js';

const NEW_FLOW = `id: hello
namespace: company.team

inputs:
  - id: name
    type: STRING
    defaults: world

tasks:
  - id: say
    type: io.kestra.plugin.core.log.Log
    message: "Hello {{ inputs.name }}"
`;

/** Validation errors of the API's validate route: "L:C: message" lines → [{line, column, message}]. */
function constraintsOf(item) {
  if (!item?.constraints) return [];
  return item.constraints.split('\n').filter(Boolean).map((text) => {
    const m = /^(\d+):(\d+): ([\s\S]*)$/.exec(text);
    return m ? { line: Number(m[1]), column: Number(m[2]), message: m[3], text } : { message: text, text };
  });
}

/** Validates `source` through the API, debounced; returns [errors, checking]. */
function useValidation(source) {
  const [errors, setErrors] = useState([]);
  const [checking, setChecking] = useState(false);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setChecking(true);
    const timer = setTimeout(async () => {
      try {
        const items = await api('/flows/validate', { method: 'POST', body: source, type: 'application/x-yaml' });
        if (mine === seq.current) setErrors(constraintsOf(items?.[0]));
      } catch (e) {
        if (mine === seq.current) setErrors(e.violations?.length ? e.violations.map((v) => ({ message: v, text: v })) : [{ message: e.message, text: e.message }]);
      } finally {
        if (mine === seq.current) setChecking(false);
      }
    }, 250);
    return () => clearTimeout(timer);
  }, [source]);
  return [errors, checking];
}

function SourceEditor({ initial, onSave, saveLabel }) {
  const [source, setSource] = useState(initial);
  const [errors, checking] = useValidation(source);
  const [saved, setSaved] = useState();
  const [error, setError] = useState();
  useEffect(() => setSource(initial), [initial]);
  const save = async () => {
    setError(undefined);
    setSaved(undefined);
    try {
      setSaved(await onSave(source));
    } catch (e) {
      setError(e);
    }
  };
  return html`<div class="source">
    <div class="toolbar">
      <button class="primary" onClick=${save} disabled=${errors.length > 0} data-testid="save">${saveLabel}</button>
      <span class=${errors.length ? 'status bad' : 'status ok'} data-testid="validation">${checking ? 'checking…' : errors.length ? `${errors.length} problem${errors.length > 1 ? 's' : ''}` : 'valid'}</span>
      ${saved ? html`<span class="status ok" data-testid="saved">${saved}</span>` : null}
    </div>
    <${ErrorBox} error=${error} onClose=${() => setError(undefined)} />
    <${Editor} value=${source} onInput=${setSource} errors=${errors} />
    ${errors.length ? html`<ul class="problems" data-testid="problems">${errors.map((e) => html`<li>${e.line ? html`<span class="pos">${e.line}:${e.column}</span> ` : null}${e.message}</li>`)}</ul>` : null}
  </div>`;
}

export function NewFlowPage() {
  const save = async (source) => {
    const flow = await api('/flows', { method: 'POST', body: source, type: 'application/x-yaml' });
    navigate(flowUrl(flow.namespace, flow.id));
    return `created revision ${flow.revision}`;
  };
  return html`<section>
    <header class="page-head"><h1>New flow</h1></header>
    <${SourceEditor} initial=${NEW_FLOW} onSave=${save} saveLabel="Create" />
  </section>`;
}

const TABS = [
  ['', 'Editor'],
  ['topology', 'Topology'],
  ['executions', 'Executions'],
  ['execute', 'Execute'],
];

export function FlowPage({ namespace, id, tab = '' }) {
  const [flow, setFlow] = useState();
  const [error, setError] = useState();
  const load = async () => {
    try {
      setFlow(await api(`/flows/${seg(namespace)}/${seg(id)}?source=true`));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    setFlow(undefined);
    load();
  }, [namespace, id]);
  const save = async (source) => {
    const updated = await api(`/flows/${seg(namespace)}/${seg(id)}`, { method: 'PUT', body: source, type: 'application/x-yaml' });
    setFlow(updated);
    return `saved: revision ${updated.revision}`;
  };
  const active = tab === 'edit' ? '' : tab;
  return html`<section>
    <header class="page-head">
      <h1><span class="muted">${namespace}.</span>${id}</h1>
      ${flow ? html`<span class="tag">revision ${flow.revision}</span>${flow.disabled ? html`<span class="tag">disabled</span>` : null}` : null}
      <a class="button primary" href=${flowUrl(namespace, id, 'execute')}>Execute</a>
    </header>
    <nav class="tabs">${TABS.map(([t, label]) => html`<a class=${t === active ? 'tab active' : 'tab'} href=${flowUrl(namespace, id, t)}>${label}</a>`)}</nav>
    <${ErrorBox} error=${error} />
    ${flow && active === '' ? html`<div class="split">
      <${SourceEditor} initial=${flow.source} onSave=${save} saveLabel="Save" />
      <div class="panel"><h2>Topology</h2><${Topology} flow=${flow} /></div>
    </div>` : null}
    ${flow && active === 'topology' ? html`<${Topology} flow=${flow} />` : null}
    ${active === 'executions' ? html`<${ExecutionsTable} filters=${{ namespace, flowId: id }} />` : null}
    ${flow && active === 'execute' ? html`<${ExecutePanel} flow=${flow} />` : null}
  </section>`;
}

function ExecutePanel({ flow }) {
  const [error, setError] = useState();
  const [busy, setBusy] = useState(false);
  const run = async (data) => {
    setBusy(true);
    setError(undefined);
    try {
      const e = await api(`/executions/${seg(flow.namespace)}/${seg(flow.id)}`, { method: 'POST', body: data });
      navigate(executionUrl(e));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="panel narrow">
    <h2>Execute ${flow.id}</h2>
    <${ErrorBox} error=${error} onClose=${() => setError(undefined)} />
    <${InputsForm} inputs=${flow.inputs ?? []} submitLabel="Execute" onSubmit=${run} busy=${busy} testId="execute-form" />
  </div>`;
}

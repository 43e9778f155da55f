// The web view's entry: the layout (navigation) and the page for the current /ui/… URL.
import { html, render } from './html.js';
import { match, useLocation } from './router.js';
import { ExecutionsPage } from './pages/executions.js';
import { ExecutionPage } from './pages/execution.js';
import { FlowsPage } from './pages/flows.js';
import { FlowPage, NewFlowPage } from './pages/flow.js';
import { TriggersPage } from './pages/triggers.js';
import { NamespacePage, NamespacesPage } from './pages/namespaces.js';

const ROUTES = [
  ['/ui/executions/:namespace/:flowId/:id/:tab?', (p) => html`<${ExecutionPage} key=${p.id} id=${p.id} />`],
  ['/ui/executions', (_p, search) => html`<${ExecutionsPage} search=${search} />`],
  ['/ui/flows/new', () => html`<${NewFlowPage} />`],
  ['/ui/flows/edit/:namespace/:id/:tab?', (p) => html`<${FlowPage} namespace=${p.namespace} id=${p.id} tab=${p.tab} />`],
  ['/ui/flows', (_p, search) => html`<${FlowsPage} search=${search} />`],
  ['/ui/namespaces/edit/:namespace/:tab?', (p) => html`<${NamespacePage} namespace=${p.namespace} tab=${p.tab} />`],
  ['/ui/namespaces', () => html`<${NamespacesPage} />`],
  ['/ui/triggers', (_p, search) => html`<${TriggersPage} search=${search} />`],
  ['/ui/admin/triggers', (_p, search) => html`<${TriggersPage} search=${search} />`],
];

function Page({ path, search }) {
  for (const [pattern, view] of ROUTES) {
    const params = match(pattern, path);
    if (params) return view(params, search);
  }
  return html`<section><h1>Not found</h1><p>No page at <code>${path}</code>.</p></section>`;
}

function App() {
  const { path, search } = useLocation();
  const section = path.split('/')[2] ?? '';
  const nav = [['executions', 'Executions'], ['flows', 'Flows'], ['namespaces', 'Namespaces'], ['triggers', 'Triggers']];
  return html`<div class="layout">
    <nav class="sidebar">
      <a class="brand" href="/ui/executions">Troupe</a>
      ${nav.map(([s, label]) => html`<a class=${section === s ? 'active' : ''} href=${`/ui/${s}`}>${label}</a>`)}
    </nav>
    <main><${Page} path=${path} search=${search} /></main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);

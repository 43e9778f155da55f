// A flow's tasks as a graph: sequential children stacked with arrows, parallel ones side by side,
// branches (then/else, cases, errors) labelled. Read from the flow JSON of the API.
import { html } from './html.js';

const short = (type) => String(type ?? '').split('.').pop();

/** Whether a flowable runs its children at once. */
function isParallel(task) {
  const t = short(task.type);
  if (t === 'Parallel' || t === 'EachParallel' || t === 'Dag') return true;
  if (t === 'ForEach') return task.concurrencyLimit !== undefined && task.concurrencyLimit !== 1;
  return false;
}

/** The child branches of a task: [{ label, tasks, parallel, kind }]. */
export function branchesOf(task) {
  const out = [];
  const t = short(task.type);
  if (t === 'Dag' && Array.isArray(task.tasks)) {
    out.push({ label: '', tasks: task.tasks.map((e) => ({ ...e.task, dependsOn: e.dependsOn })), parallel: true });
  } else if (Array.isArray(task.tasks)) out.push({ label: '', tasks: task.tasks, parallel: isParallel(task) });
  if (Array.isArray(task.then)) out.push({ label: 'then', tasks: task.then, parallel: false, side: true });
  if (Array.isArray(task.else)) out.push({ label: 'else', tasks: task.else, parallel: false, side: true });
  if (task.cases && typeof task.cases === 'object') for (const [k, v] of Object.entries(task.cases)) if (Array.isArray(v)) out.push({ label: `case ${k}`, tasks: v, parallel: false, side: true });
  if (t === 'Switch' && Array.isArray(task.defaults)) out.push({ label: 'defaults', tasks: task.defaults, parallel: false, side: true });
  if (Array.isArray(task.errors)) out.push({ label: 'errors', tasks: task.errors, parallel: false, kind: 'errors' });
  if (Array.isArray(task.finally)) out.push({ label: 'finally', tasks: task.finally, parallel: false, kind: 'finally' });
  return out;
}

/** Every task of a flow with its depth: Map(taskId → { task, depth }). */
export function taskIndex(flow) {
  const index = new Map();
  const walk = (tasks, depth) => {
    for (const task of tasks ?? []) {
      if (!task || typeof task !== 'object') continue;
      index.set(task.id, { task, depth });
      for (const b of branchesOf(task)) walk(b.tasks, depth + 1);
    }
  };
  walk(flow?.tasks, 0);
  walk(flow?.errors, 0);
  walk(flow?.finally, 0);
  walk(flow?.afterExecution, 0);
  return index;
}

function TaskNode({ task }) {
  const branches = branchesOf(task);
  const t = short(task.type);
  const loop = t === 'ForEach' ? task.values : t === 'EachSequential' || t === 'EachParallel' ? task.value : undefined;
  const note = loop !== undefined ? `for each: ${typeof loop === 'string' ? loop : JSON.stringify(loop)}` : task.condition ? `if ${task.condition}` : task.dependsOn?.length ? `after ${task.dependsOn.join(', ')}` : '';
  return html`<div class=${branches.length ? 'node flowable' : 'node'} data-task=${task.id}>
    <div class="node-head"><span class="node-id">${task.id}</span><span class="node-type">${short(task.type)}</span></div>
    ${note ? html`<div class="node-note">${note}</div>` : null}
    ${branches.length ? html`<div class=${branches.some((b) => b.side) ? 'branches side' : 'branches'}>${branches.map((b) => html`<${Branch} branch=${b} />`)}</div>` : null}
  </div>`;
}

function Branch({ branch }) {
  return html`<div class=${`branch ${branch.kind ?? ''}`}>
    ${branch.label ? html`<div class="branch-label">${branch.label}</div>` : null}
    <${Chain} tasks=${branch.tasks} parallel=${branch.parallel} />
  </div>`;
}

function Chain({ tasks, parallel }) {
  const list = (tasks ?? []).filter((t) => t && typeof t === 'object');
  if (parallel) return html`<div class="chain parallel">${list.map((t) => html`<${TaskNode} task=${t} />`)}</div>`;
  return html`<div class="chain">${list.map((t, i) => html`${i ? html`<div class="arrow" aria-hidden="true">↓</div>` : null}<${TaskNode} task=${t} />`)}</div>`;
}

/** The whole flow: start, its tasks, end; errors and finally beside. */
export function Topology({ flow }) {
  if (!flow) return null;
  return html`<div class="topology" data-testid="topology">
    <div class="chain main">
      <div class="terminal">start</div>
      <div class="arrow" aria-hidden="true">↓</div>
      <${Chain} tasks=${flow.tasks} parallel=${false} />
      <div class="arrow" aria-hidden="true">↓</div>
      <div class="terminal">end</div>
    </div>
    ${Array.isArray(flow.errors) ? html`<div class="branch errors"><div class="branch-label">errors</div><${Chain} tasks=${flow.errors} /></div>` : null}
    ${Array.isArray(flow.finally) ? html`<div class="branch finally"><div class="branch-label">finally</div><${Chain} tasks=${flow.finally} /></div>` : null}
  </div>`;
}

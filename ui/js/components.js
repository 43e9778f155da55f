// Pieces every page uses: state badges, errors, dates and durations, a virtualized list.
import { html, useEffect, useLayoutEffect, useRef, useState } from './html.js';
import { seg } from './api.js';

export const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED', 'RETRIED']);
export const STATES = ['CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RETRYING', 'KILLING', 'SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED', 'RETRIED', 'RESTARTED'];

export function StateBadge({ state }) {
  return html`<span class=${`state state-${state}`} data-state=${state}>${state}</span>`;
}

/** An API error (or any Error) as a message box; violations one per line. */
export function ErrorBox({ error, onClose }) {
  if (!error) return null;
  const violations = error.violations ?? [];
  return html`<div class="error" role="alert">
    <strong>${error.status ? `${error.status}: ` : ''}${error.message}</strong>
    ${violations.length ? html`<ul>${violations.map((v) => html`<li>${v}</li>`)}</ul>` : null}
    ${onClose ? html`<button class="link close" onClick=${onClose} aria-label="dismiss">×</button>` : null}
  </div>`;
}

/** Milliseconds of an ISO-8601 duration (PT1H2M3.5S, P1D…). */
export function durationMs(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso ?? '');
  if (!m) return undefined;
  return (((+(m[1] ?? 0) * 24 + +(m[2] ?? 0)) * 60 + +(m[3] ?? 0)) * 60 + +(m[4] ?? 0)) * 1000;
}

/** A short human duration: 850ms, 12.3s, 4m 05s, 2h 03m. */
export function humanMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** A state's duration; one still going counts up to now (the API's is as of its read). */
export function humanDuration(state) {
  if (state && !TERMINAL.has(state.current) && state.startDate) return humanMs(Date.now() - Date.parse(state.startDate));
  return humanMs(durationMs(state?.duration));
}

/** A date as local `YYYY-MM-DD HH:MM:SS.mmm`. */
export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export const executionUrl = (e) => `/ui/executions/${seg(e.namespace)}/${seg(e.flowId)}/${seg(e.id)}`;
export const flowUrl = (namespace, id, tab) => `/ui/flows/edit/${seg(namespace)}/${seg(id)}${tab ? `/${tab}` : ''}`;

/** A value as indented JSON text (escaped by preact like any text). */
export function JsonView({ value }) {
  return html`<pre class="json">${value === undefined ? '' : JSON.stringify(value, null, 2)}</pre>`;
}

/** Calls `f` now and every `ms` (a number, or a function read before each wait) while `active`; re-arms when `deps` change. */
export function usePoll(f, ms, active, deps) {
  const ref = useRef(f);
  ref.current = f;
  const every = useRef(ms);
  every.current = ms;
  useEffect(() => {
    let stopped = false;
    let timer;
    const tick = async () => {
      try {
        await ref.current();
      } finally {
        const wait = typeof every.current === 'function' ? every.current() : every.current;
        if (!stopped && active) timer = setTimeout(tick, wait);
      }
    };
    tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, ...deps]);
}

/**
 * A list of `count` rows of `rowHeight` pixels where only the rows in view (and a few around)
 * exist in the DOM. `onRange(from, to)` tells which rows are in view (to fetch them);
 * `follow` keeps the view at the bottom while it is there (logs).
 */
export function VirtualList({ count, rowHeight, height, renderRow, onRange, follow = false, className = '', testId }) {
  const box = useRef(null);
  const [scrollTop, setScrollTop] = useState(0);
  const atBottom = useRef(true);
  const visible = Math.ceil(height / rowHeight);
  const overscan = 8;
  const from = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const to = Math.min(count, Math.floor(scrollTop / rowHeight) + visible + overscan);

  useEffect(() => {
    onRange?.(from, to);
  }, [from, to, count]);

  useLayoutEffect(() => {
    if (follow && atBottom.current && box.current) {
      box.current.scrollTop = box.current.scrollHeight;
      setScrollTop(box.current.scrollTop);
    }
  }, [count, follow]);

  const onScroll = (e) => {
    const el = e.currentTarget;
    atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
    setScrollTop(el.scrollTop);
  };
  const rows = [];
  for (let i = from; i < to; i++) rows.push(html`<div class="vrow" key=${i} style=${{ top: `${i * rowHeight}px`, height: `${rowHeight}px` }}>${renderRow(i)}</div>`);
  return html`<div class=${`vlist ${className}`} ref=${box} onScroll=${onScroll} style=${{ height: `${height}px` }} data-testid=${testId} data-count=${count}>
    <div class="vspace" style=${{ height: `${count * rowHeight}px` }}>${rows}</div>
  </div>`;
}

// The flow source editor: a textarea over its own highlighted copy (YAML keys, strings, numbers,
// booleans, comments, {{ expressions }}), line numbers with the validation errors' lines marked.
import { html, useRef } from './html.js';

const TOKEN = /(\{\{.*?\}\}|\{%.*?%\})|("(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?)|(#.*$)|(\b(?:true|false|null|True|False|yes|no)\b)|(-?\b\d+(?:\.\d+)?\b)/g;
const EXPR = /\{\{.*?\}\}|\{%.*?%\}/g;

/** Splits a token's text on the {{ expressions }} inside it (strings hold most of them). */
function withExpressions(cls, text, out) {
  let last = 0;
  for (const m of text.matchAll(EXPR)) {
    if (m.index > last) out.push([cls, text.slice(last, m.index)]);
    out.push(['y-expr', m[0]]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push([cls, text.slice(last)]);
}

/** The tokens of one YAML line: [className, text] pairs (class '' for plain text). */
export function highlightLine(line) {
  const out = [];
  let rest = line;
  const key = /^(\s*(?:-\s+)?)([\w.$@-]+|"[^"]*"|'[^']*')(\s*:)(?=\s|$)/.exec(rest);
  if (key) {
    out.push(['', key[1]], ['y-key', key[2]], ['y-punct', key[3]]);
    rest = rest.slice(key[0].length);
  } else {
    const dash = /^(\s*-)(?=\s|$)/.exec(rest);
    if (dash) {
      out.push(['y-punct', dash[1]]);
      rest = rest.slice(dash[0].length);
    }
  }
  if (/^\s*[|>][-+]?\s*$/.test(rest) || /^\s*---\s*$/.test(line)) {
    out.push(['y-punct', rest]);
    return out;
  }
  let last = 0;
  TOKEN.lastIndex = 0;
  for (let m; (m = TOKEN.exec(rest)); ) {
    if (m[0] === '') {
      TOKEN.lastIndex++;
      continue;
    }
    // A '#' starts a comment only at the start or after a space.
    if (m[3] && m.index > 0 && !/\s/.test(rest[m.index - 1])) continue;
    if (m.index > last) out.push(['', rest.slice(last, m.index)]);
    const cls = m[1] ? 'y-expr' : m[2] ? 'y-string' : m[3] ? 'y-comment' : m[4] ? 'y-bool' : 'y-number';
    if (cls === 'y-string') withExpressions(cls, m[0], out);
    else out.push([cls, m[0]]);
    last = m.index + m[0].length;
  }
  if (last < rest.length) out.push(['', rest.slice(last)]);
  return out;
}

/** Errors by line: { [line]: [message…] }. */
export function errorsByLine(errors) {
  const by = {};
  for (const e of errors) if (e.line) (by[e.line] ??= []).push(e.message);
  return by;
}

export function Editor({ value, onInput, errors = [], readOnly = false }) {
  const area = useRef(null);
  const code = useRef(null);
  const gutter = useRef(null);
  const lines = value.split('\n');
  const marked = errorsByLine(errors);
  const sync = () => {
    if (!area.current) return;
    code.current.scrollTop = area.current.scrollTop;
    code.current.scrollLeft = area.current.scrollLeft;
    gutter.current.scrollTop = area.current.scrollTop;
  };
  const onKeyDown = (e) => {
    // Tab inserts two spaces (YAML has no tabs).
    if (e.key !== 'Tab' || readOnly) return;
    e.preventDefault();
    const el = e.currentTarget;
    const { selectionStart: s, selectionEnd: t } = el;
    el.setRangeText('  ', s, t, 'end');
    onInput(el.value);
  };
  return html`<div class="editor">
    <div class="gutter" ref=${gutter} aria-hidden="true">
      ${lines.map((_, i) => html`<div class=${marked[i + 1] ? 'ln bad' : 'ln'} title=${marked[i + 1]?.join('\n') ?? ''}>${i + 1}</div>`)}
      <div class="ln pad"></div>
    </div>
    <div class="code-wrap">
      <pre class="code" ref=${code} aria-hidden="true">${lines.map((line, i) => html`<div class=${marked[i + 1] ? 'cl bad' : 'cl'}>${highlightLine(line).map(([cls, text]) => (cls ? html`<span class=${cls}>${text}</span>` : text))}${'\u200b'}</div>`)}<div class="cl pad"></div></pre>
      <textarea ref=${area} class="input" spellcheck="false" autocapitalize="off" autocomplete="off" readOnly=${readOnly}
        value=${value} onInput=${(e) => { onInput(e.currentTarget.value); sync(); }} onScroll=${sync} onKeyDown=${onKeyDown}
        aria-label="flow source" data-testid="flow-source"></textarea>
    </div>
  </div>`;
}

// Client-side routing on Kestra's URLs: links to /ui/… change history without reloading the page.
import { useEffect, useState } from './html.js';

const listeners = new Set();

/** The current location as { path, search }. */
function here() {
  return { path: location.pathname.replace(/\/+$/, '') || '/ui', search: new URLSearchParams(location.search) };
}

/** Goes to a /ui/… URL (pushes history unless `replace`). */
export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  for (const f of listeners) f();
}

/** The current location, re-rendering the caller on every navigation. */
export function useLocation() {
  const [loc, setLoc] = useState(here);
  useEffect(() => {
    const update = () => setLoc(here());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return loc;
}

/** Matches `/ui/a/:x/:y?` patterns; returns the decoded parameters or undefined. */
export function match(pattern, path) {
  const p = pattern.split('/');
  const s = path.split('/');
  const params = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i];
    const optional = part.endsWith('?');
    const name = optional ? part.slice(1, -1) : part.slice(1);
    if (part.startsWith(':')) {
      if (s[i] === undefined || s[i] === '') {
        if (optional) continue;
        return undefined;
      }
      params[name] = decodeURIComponent(s[i]);
    } else if (part !== s[i]) return undefined;
  }
  return s.length <= p.length ? params : undefined;
}

// Same-origin /ui/ links navigate in place (a modifier key or a target keeps the browser's behaviour).
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest?.('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/ui/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

// The daemon's REST API as the view reads it: JSON in and out, Kestra error bodies turned into
// Error messages (with their violations), same-origin credentials (the browser's basic auth).

const BASE = '/api/v1';

/** An API failure: the status and Kestra's message (violations appended one per line). */
export class ApiError extends Error {
  constructor(status, message, violations = []) {
    super(message);
    this.status = status;
    this.violations = violations;
  }
}

async function failure(res) {
  let message = `${res.status} ${res.statusText}`;
  let violations = [];
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === 'string') message = body.message;
    if (body?._embedded?.errors) violations = body._embedded.errors.map((e) => e.message);
  } catch {
    if (text) message = text;
  }
  return new ApiError(res.status, message, violations);
}

/** Calls the API; resolves to the parsed JSON body (undefined for an empty answer). */
export async function api(path, { method = 'GET', body, type, headers: extra = {} } = {}) {
  const headers = { accept: 'application/json', ...extra };
  if (type) headers['content-type'] = type;
  else if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  const payload = body === undefined || body instanceof FormData || typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(BASE + path, { method, headers, body: payload, credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** Calls the API for a raw text body (namespace files). */
export async function apiText(path) {
  const res = await fetch(BASE + path, { credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return res.text();
}

/** A query string from an object (undefined and '' left out; arrays repeated). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const x of v) q.append(k, x);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Path segment escaping. */
export const seg = (s) => encodeURIComponent(s);

/** Opens an SSE stream of the API; `onFrame(data, id)` per frame; returns the close function. */
export function stream(path, onFrame, onError) {
  const es = new EventSource(BASE + path);
  es.onmessage = (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    onFrame(data, e.lastEventId);
    // An ended execution's stream is closed by the daemon: do not let the browser reconnect.
    if (e.lastEventId === 'end') es.close();
  };
  es.onerror = () => onError?.(es.readyState);
  return () => es.close();
}

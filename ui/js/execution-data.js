// The data of one execution page: its header, its flow, and its task runs fetched by pages from
// the paged task-run route (only the pages in view), kept live by the follow stream for small
// executions and by polling the header and the pages in view for large ones.
import { useEffect, useRef, useState } from './html.js';
import { api, query, seg, stream } from './api.js';
import { TERMINAL } from './components.js';

export const PAGE = 200;
/**
 * Above this many task runs an execution is large: the follow stream (a whole execution per
 * frame) is not used, and its logs (often a line per run) are streamed only when asked.
 */
export const LARGE_RUNS = 1000;
const POLL_MS = 1500;

/** The execution without task runs: found through the search route (no route reads a header alone). */
async function readHeader(id) {
  const found = await api(`/executions/search${query({ q: id, size: 50 })}`);
  return found.results.find((e) => e.id === id);
}

export function useExecution(id) {
  const [header, setHeader] = useState();
  const [flow, setFlow] = useState();
  const [error, setError] = useState();
  const [total, setTotal] = useState(0);
  const [ready, setReady] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [version, setVersion] = useState(0);
  const pages = useRef(new Map());
  const inflight = useRef(new Map());
  const range = useRef([0, PAGE]);
  const shownId = useRef(undefined);
  const bump = () => setVersion((v) => v + 1);

  const fetchPage = (p) => {
    const pending = inflight.current.get(p);
    if (pending) return pending;
    const promise = (async () => {
      try {
        const res = await api(`/executions/${seg(id)}/taskruns${query({ page: p + 1, size: PAGE })}`);
        pages.current.set(p, res.results);
        // Keep memory bounded on huge executions: drop pages far from the view.
        if (pages.current.size > 60) {
          const centre = Math.floor(range.current[0] / PAGE);
          for (const k of [...pages.current.keys()]) if (Math.abs(k - centre) > 20) pages.current.delete(k);
        }
        setTotal(res.total);
        bump();
        return res;
      } finally {
        inflight.current.delete(p);
      }
    })();
    inflight.current.set(p, promise);
    return promise;
  };

  /** Fetches the pages of rows [from, to) not loaded yet (or all of them again with `refresh`). */
  const ensure = (from, to, refresh = false) => {
    range.current = [from, to];
    const first = Math.floor(from / PAGE);
    const last = Math.floor(Math.max(from, to - 1) / PAGE);
    for (let p = first; p <= last; p++) if (refresh || !pages.current.has(p)) fetchPage(p).catch(setError);
  };

  useEffect(() => {
    let closed = false;
    let stop = () => {};
    let timer;
    pages.current = new Map();
    // Another execution starts blank; the same one read again (a refresh) keeps what it shows.
    if (shownId.current !== id) {
      shownId.current = id;
      setHeader(undefined);
      setTotal(0);
      setReady(false);
    }
    const applyFrame = (e) => {
      const { taskRunList = [], ...h } = e;
      const fresh = new Map();
      for (let i = 0; i < taskRunList.length; i += PAGE) fresh.set(i / PAGE, taskRunList.slice(i, i + PAGE));
      pages.current = fresh;
      setHeader(h);
      setTotal(taskRunList.length);
      bump();
    };
    const poll = async () => {
      try {
        const h = await readHeader(id);
        if (closed) return;
        if (h) setHeader(h);
        const [from, to] = range.current;
        ensure(from, to, true);
        if (h && TERMINAL.has(h.state.current)) return;
      } catch (err) {
        setError(err);
      }
      if (!closed) timer = setTimeout(poll, POLL_MS);
    };
    (async () => {
      try {
        const h = await readHeader(id);
        if (closed) return;
        if (!h) throw Object.assign(new Error(`Execution ${id} not found`), { status: 404 });
        setHeader(h);
        api(`/flows/${seg(h.namespace)}/${seg(h.flowId)}${query({ revision: h.flowRevision, allowDeleted: true })}`).then((f) => !closed && setFlow(f), () => {});
        const first = await fetchPage(0);
        if (!closed) setReady(true);
        if (closed || TERMINAL.has(h.state.current)) return;
        if (first.total <= LARGE_RUNS) stop = stream(`/executions/${seg(id)}/follow`, (frame) => !closed && applyFrame(frame));
        else timer = setTimeout(poll, POLL_MS);
      } catch (err) {
        if (!closed) setError(err);
      }
    })();
    return () => {
      closed = true;
      stop();
      clearTimeout(timer);
    };
  }, [id, generation]);

  const runAt = (i) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];
  /** Every loaded run (for small executions, all of them). */
  const loaded = () => [...pages.current.values()].flat();
  return { header, flow, error, setError, total, ready, version, runAt, ensure, loaded, /** Reads everything again (after a restart: the execution runs again). */ refresh: () => setGeneration((g) => g + 1) };
}

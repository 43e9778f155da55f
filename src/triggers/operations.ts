/**
 * The trigger operations of the public interface (`TroupeApi`'s `listTriggers` …
 * `deleteBackfill`) over the trigger service: the search filter, a backfill request's dates read
 * in the trigger's zone, Kestra's JSON out. The Engine delegates here, the daemon's routes and
 * the CLI call the Engine (or the IPC client): one implementation for all three.
 */
import { TroupeError } from '../errors.js';
import { triggerSearchItem, triggerToJson, type TriggerBackfill, type TriggerFilter, type TriggerJson, type TriggerSearchItem } from './json.js';
import type { BackfillRequest, TriggerService, TriggerView } from './service.js';
import { instantsOf, offsetAt } from './zone.js';

/** Whether `namespace` is `prefix` or one of its sub-namespaces (Kestra's namespace filter). */
function inNamespace(namespace: string, prefix: string | undefined): boolean {
  return prefix === undefined || prefix === '' || namespace === prefix || namespace.startsWith(`${prefix}.`);
}

/** Whether a trigger's row passes a filter: namespace (and below), flow id, text in its ids. */
export function matchesTrigger(view: TriggerView, filter: TriggerFilter): boolean {
  const { row } = view;
  if (!inNamespace(row.namespace, filter.namespace)) return false;
  if (filter.flowId !== undefined && row.flowId !== filter.flowId) return false;
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    if (![row.namespace, row.flowId, row.triggerId].some((s) => s.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** The triggers with a state row that pass `filter`, in namespace, flow and trigger order. */
export function searchTriggers(service: TriggerService, filter: TriggerFilter = {}): TriggerSearchItem[] {
  return service
    .list()
    .filter((v) => matchesTrigger(v, filter))
    .map(triggerSearchItem);
}

/** One trigger's state row; undefined when it has none (unknown, or a type without state: Flow, Webhook). */
export function findTrigger(service: TriggerService, namespace: string, flowId: string, triggerId: string): TriggerJson | undefined {
  const view = service.find(namespace, flowId, triggerId);
  return view && triggerToJson(view);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;
const OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A date of a backfill request: an ISO 8601 date-time with an offset (`2026-01-01T00:00:00+01:00`,
 * `…Z`, Kestra's `…[Europe/Paris]` suffix ignored), or a local date or date-time
 * (`2026-01-01`, `2026-01-01T06:00`) read in `zone` (the trigger's), the earlier instant in an
 * autumn overlap, the instant after a spring gap.
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT when it is none of these
 */
export function parseTriggerDate(name: string, value: string, zone: string): number {
  const text = String(value).trim().replace(/\[[^\]]*\]$/, '');
  const local = LOCAL.exec(text);
  if (local) {
    const [, y, mo, d, h, mi, s, frac] = local;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((frac ?? '0').padEnd(3, '0').slice(0, 3)));
    if (!Number.isNaN(ms) && new Date(ms).getUTCDate() === Number(d)) {
      const instants = instantsOf(ms, zone);
      return instants[0] ?? ms - offsetAt(ms, zone);
    }
  } else if (OFFSET.test(text)) {
    const ms = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `${name}: '${String(value)}' is not a date (an ISO 8601 date-time with an offset, or a local date or date-time read in ${zone})`, { [name]: value });
}

/** The service's backfill request for a trigger's view: dates read in its zone, `end` not before `start`. */
export function backfillRequestOf(view: TriggerView, backfill: TriggerBackfill): BackfillRequest {
  if (backfill === null || typeof backfill !== 'object') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'A backfill needs a start date');
  if (backfill.start === undefined || backfill.start === null || backfill.start === '') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'backfill.start must not be null');
  const request: BackfillRequest = { start: parseTriggerDate('backfill.start', backfill.start, view.zone) };
  if (backfill.end !== undefined && backfill.end !== null) {
    request.end = parseTriggerDate('backfill.end', backfill.end, view.zone);
    if (request.end < request.start) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `backfill.end (${backfill.end}) is before backfill.start (${backfill.start})`, { start: backfill.start, end: backfill.end });
  }
  if (backfill.inputs !== undefined && backfill.inputs !== null) {
    if (typeof backfill.inputs !== 'object' || Array.isArray(backfill.inputs)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'backfill.inputs must be a map of input ids to values');
    request.inputs = backfill.inputs;
  }
  if (backfill.labels !== undefined && backfill.labels !== null) {
    if (!Array.isArray(backfill.labels)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'backfill.labels must be a list of {key, value}');
    request.labels = backfill.labels.map((l) => {
      if (!l || typeof l.key !== 'string' || l.key === '') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'A backfill label needs a key');
      return { key: l.key, value: String(l.value ?? '') };
    });
  }
  if (backfill.paused !== undefined) request.paused = backfill.paused === true;
  return request;
}

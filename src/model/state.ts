/**
 * Kestra's State: the current state type and its history, with Kestra's predicates.
 * Dates are ISO 8601 strings with millisecond precision (`.SSSZ`), as Kestra's JDBC runner writes them.
 */

/** Every state type of Kestra, by its own name. */
export const StateType = {
  CREATED: 'CREATED',
  RUNNING: 'RUNNING',
  PAUSED: 'PAUSED',
  RESTARTED: 'RESTARTED',
  KILLING: 'KILLING',
  SUCCESS: 'SUCCESS',
  WARNING: 'WARNING',
  FAILED: 'FAILED',
  KILLED: 'KILLED',
  CANCELLED: 'CANCELLED',
  QUEUED: 'QUEUED',
  RETRYING: 'RETRYING',
  RETRIED: 'RETRIED',
  SKIPPED: 'SKIPPED',
} as const;
export type StateType = (typeof StateType)[keyof typeof StateType];

const TERMINATED: ReadonlySet<StateType> = new Set(['FAILED', 'WARNING', 'SUCCESS', 'KILLED', 'CANCELLED', 'RETRIED', 'SKIPPED']);

/** FAILED, WARNING, SUCCESS, KILLED, CANCELLED, RETRIED, SKIPPED. */
export function isTerminated(t: StateType): boolean {
  return TERMINATED.has(t);
}

/** One entry of a state's history. */
export interface StateHistory {
  state: StateType;
  date: string;
}

/** A state as stored: the current type and its history (derived dates are added by {@link stateToJson}). */
export interface State {
  current: StateType;
  histories: StateHistory[];
}

/** A new state in `type` (CREATED by default) at `date`. */
export function createState(date: string, type: StateType = 'CREATED'): State {
  return { current: type, histories: [{ state: type, date }] };
}

/**
 * Moves `state` to `type` at `date`, in place. As Kestra's `withState`, moving to the current
 * type is a no-op: a history never holds the same state twice in a row.
 * @returns whether the state changed
 */
export function transition(state: State, type: StateType, date: string): boolean {
  if (state.current === type) return false;
  state.current = type;
  state.histories.push({ state: type, date });
  return true;
}

/** Kestra's JSON form of a state: with startDate, endDate (terminated or paused) and duration. */
export interface StateJson extends State {
  startDate: string;
  endDate?: string;
  duration: string;
}

/** The JSON form of a state; `nowMs` is used for the duration of a state with one history entry. */
export function stateToJson(state: State, nowMs: number): StateJson {
  const first = state.histories[0]!;
  const last = state.histories[state.histories.length - 1]!;
  const ended = isTerminated(state.current) || state.current === 'PAUSED';
  const startMs = Date.parse(first.date);
  const endMs = state.histories.length > 1 ? Date.parse(last.date) : nowMs;
  const json: StateJson = {
    current: state.current,
    histories: state.histories.map((h) => ({ state: h.state, date: h.date })),
    duration: formatIsoDuration(Math.max(0, endMs - startMs)),
    startDate: first.date,
  };
  if (ended) json.endDate = last.date;
  return json;
}

/** Java's `Duration.toString()` for a number of milliseconds: `PT0.039S`, `PT1M30S`, `PT2H`, `PT0S`. */
export function formatIsoDuration(ms: number): string {
  const neg = ms < 0;
  let rest = Math.abs(Math.round(ms));
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let out = 'PT';
  if (hours) out += `${neg ? '-' : ''}${hours}H`;
  if (minutes) out += `${neg ? '-' : ''}${minutes}M`;
  if (seconds || (!hours && !minutes)) out += `${neg ? '-' : ''}${seconds}S`;
  return out;
}

/** Milliseconds since the epoch as Kestra's `.SSSZ` ISO string. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

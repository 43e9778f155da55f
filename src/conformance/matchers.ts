/**
 * Matchers of the conformance corpus. Wherever a value is expected, a plain scalar, list or map
 * means deep equality (maps and lists may hold matchers at any depth), and a one-key map names a
 * matcher: `{ equals }`, `{ contains }`, `{ startsWith }`, `{ matches }`, `{ atLeast }`,
 * `{ atMost }` (the last two may be combined).
 */

/** An expected value: a plain value, or a matcher object, at any depth. */
export type Expected = unknown;

/** Where and how an actual value differs from the expected one. */
export interface Mismatch {
  /** Path from the matched value down to the difference (`''`, `.outputs.extracted`, `[2]`). */
  path: string;
  /** What differed: `expected SUCCESS, got FAILED`. */
  message: string;
}

const MATCHER_KEYS = new Set(['equals', 'contains', 'startsWith', 'matches', 'atLeast', 'atMost']);

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Whether `x` is a matcher object rather than a plain map to compare. */
export function isMatcher(x: unknown): x is Obj {
  if (!isObj(x)) return false;
  const keys = Object.keys(x);
  if (keys.length === 0 || !keys.every((k) => MATCHER_KEYS.has(k))) return false;
  return keys.length === 1 || keys.every((k) => k === 'atLeast' || k === 'atMost');
}

/** A value as the corpus compares it by text: strings as they are, anything else as JSON. */
function stringForm(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x === undefined) return 'undefined';
  return JSON.stringify(x);
}

/** A value as a report shows it: bare words bare, other strings quoted (`"2"`), long values cut. */
function show(x: unknown): string {
  if (typeof x === 'string' && /^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(x) && !['true', 'false', 'null'].includes(x)) return x;
  const s = x === undefined ? 'nothing' : JSON.stringify(x);
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

function checkNumber(bound: 'atLeast' | 'atMost', limit: unknown, actual: unknown): string | undefined {
  if (typeof limit !== 'number') return `${bound} needs a number, got ${show(limit)}`;
  if (typeof actual !== 'number') return `expected a number ${bound} ${limit}, got ${show(actual)}`;
  const ok = bound === 'atLeast' ? actual >= limit : actual <= limit;
  return ok ? undefined : `expected ${bound === 'atLeast' ? 'at least' : 'at most'} ${limit}, got ${actual}`;
}

function applyMatcher(m: Obj, actual: unknown): Mismatch | undefined {
  const at = (message: string): Mismatch => ({ path: '', message });
  if ('equals' in m) return matchValue(m.equals, actual, true);
  if ('contains' in m) {
    const needle = stringForm(m.contains);
    return stringForm(actual).includes(needle) ? undefined : at(`expected to contain ${JSON.stringify(needle)}, got ${show(actual)}`);
  }
  if ('startsWith' in m) {
    const prefix = stringForm(m.startsWith);
    return stringForm(actual).startsWith(prefix) ? undefined : at(`expected to start with ${JSON.stringify(prefix)}, got ${show(actual)}`);
  }
  if ('matches' in m) {
    let re: RegExp;
    try {
      re = new RegExp(stringForm(m.matches));
    } catch (e) {
      return at(`bad regex ${show(m.matches)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return re.test(stringForm(actual)) ? undefined : at(`expected to match /${re.source}/, got ${show(actual)}`);
  }
  for (const bound of ['atLeast', 'atMost'] as const) {
    if (bound in m) {
      const message = checkNumber(bound, m[bound], actual);
      if (message) return at(message);
    }
  }
  return undefined;
}

function matchList(expected: unknown[], actual: unknown, literal: boolean): Mismatch | undefined {
  if (!Array.isArray(actual)) return { path: '', message: `expected a list ${show(expected)}, got ${show(actual)}` };
  if (actual.length !== expected.length) return { path: '', message: `expected ${expected.length} items, got ${actual.length}: ${show(actual)}` };
  for (let i = 0; i < expected.length; i++) {
    const m = matchValue(expected[i], actual[i], literal);
    if (m) return { path: `[${i}]${m.path}`, message: m.message };
  }
  return undefined;
}

function matchMap(expected: Obj, actual: unknown, literal: boolean): Mismatch | undefined {
  if (!isObj(actual)) return { path: '', message: `expected a map ${show(expected)}, got ${show(actual)}` };
  const m = matchFields(expected, actual, literal);
  if (m) return m;
  const extra = Object.keys(actual).filter((k) => !Object.hasOwn(expected, k));
  return extra.length ? { path: '', message: `unexpected key${extra.length > 1 ? 's' : ''} ${extra.map((k) => JSON.stringify(k)).join(', ')}` } : undefined;
}

/**
 * Matches the listed fields of `expected` against `actual`, ignoring fields not listed.
 * @param literal compare values as plain values even where they look like matchers
 * @returns the first difference, or undefined when every listed field matches
 */
export function matchFields(expected: Obj, actual: Obj | undefined, literal = false): Mismatch | undefined {
  for (const [key, want] of Object.entries(expected)) {
    const path = /^[A-Za-z_$][\w$-]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    if (!actual || !Object.hasOwn(actual, key)) return { path, message: `expected ${show(want)}, got nothing` };
    const m = matchValue(want, actual[key], literal);
    if (m) return { path: `${path}${m.path}`, message: m.message };
  }
  return undefined;
}

/**
 * Matches an actual value against an expected one (plain value or matcher, at any depth).
 * @param expected the expectation, as written in expectations.yaml
 * @param actual the value the engine produced
 * @param literal compare `expected` as a plain value at every depth, even where it looks like a matcher (inside `{ equals }`)
 * @returns the first difference, or undefined when the value matches
 * @example
 * matchValue({ contains: 'a' }, 'cat'); // undefined
 * matchValue('SUCCESS', 'FAILED');     // { path: '', message: 'expected SUCCESS, got FAILED' }
 */
export function matchValue(expected: Expected, actual: unknown, literal = false): Mismatch | undefined {
  if (!literal && isMatcher(expected)) return applyMatcher(expected, actual);
  if (Array.isArray(expected)) return matchList(expected, actual, literal);
  if (isObj(expected)) return matchMap(expected, actual, literal);
  if (Object.is(expected, actual) || expected === actual) return undefined;
  return { path: '', message: `expected ${show(expected)}, got ${show(actual)}` };
}

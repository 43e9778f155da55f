/**
 * The conformance corpus's `expectations.yaml`: its types, and a loader that validates every case
 * once, so the runner never meets a malformed expectation halfway through a run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TroupeError } from '../errors.js';
import { isMatcher, type Expected } from './matchers.js';

/** One `taskRuns` entry: the task runs with this taskId (and value) and what they must show. */
export interface TaskRunExpectation {
  taskId: string;
  /** The loop value; when absent, every run of the task is selected. */
  value?: string;
  state?: Expected;
  /** The number of attempts. */
  attempts?: Expected;
  /** Matched key by key: the listed outputs must be present and match; others are ignored. */
  outputs?: Record<string, Expected>;
  /** Whether one matching run is enough (otherwise every selected run must match). */
  any?: boolean;
}

/** One `logs` entry: at least one log line of the execution must fit it. */
export interface LogExpectation {
  level?: string;
  contains?: string;
}

/** What a case expects of its execution. */
export interface CaseExpectation {
  state?: Expected;
  taskRunCount?: Expected;
  taskRuns?: TaskRunExpectation[];
  /** The execution's flow outputs, matched key by key. */
  outputs?: Record<string, Expected>;
  logs?: LogExpectation[];
}

/** One case of the corpus. */
export interface ConformanceCase {
  case: string;
  /** File in flows/ to execute. */
  flow: string;
  /** Other files in flows/ the case needs deployed. */
  deploy: string[];
  /** The raw inputs map, put on the execution without typing (as Kestra's tests do). */
  inputs?: Record<string, unknown>;
  /** `core` cases are run; `storage` and `trigger` ones are skipped. */
  tier: string;
  features: string[];
  expect: CaseExpectation;
  source?: string;
  notes?: string;
  deviation?: string;
}

const CASE_KEYS = new Set(['case', 'flow', 'deploy', 'inputs', 'tier', 'features', 'expect', 'source', 'notes', 'deviation']);
const EXPECT_KEYS = new Set(['state', 'taskRunCount', 'taskRuns', 'outputs', 'logs']);
const TASK_RUN_KEYS = new Set(['taskId', 'value', 'state', 'attempts', 'outputs', 'any']);
const LOG_KEYS = new Set(['level', 'contains']);

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

function fail(where: string, message: string): never {
  throw new TroupeError('TROUPE_OPTION_INVALID', `${where}: ${message}`, { where });
}

function checkKeys(where: string, o: Obj, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(o)) if (!allowed.has(key)) fail(where, `unknown key '${key}' (expected one of ${[...allowed].join(', ')})`);
}

function str(where: string, o: Obj, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') fail(where, `'${key}' must be a non-empty string`);
  return v;
}

function strList(where: string, o: Obj, key: string): string[] {
  const v = o[key] ?? [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(where, `'${key}' must be a list of strings`);
  return v as string[];
}

function outputsMap(where: string, v: unknown): Record<string, Expected> | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v) || isMatcher(v)) fail(where, "'outputs' must be a map of output names to expected values");
  return v as Record<string, Expected>;
}

function taskRunExpectation(where: string, raw: unknown): TaskRunExpectation {
  if (!isObj(raw)) fail(where, 'must be a map with a taskId');
  checkKeys(where, raw, TASK_RUN_KEYS);
  const entry: TaskRunExpectation = { taskId: str(where, raw, 'taskId', true)! };
  if (raw.value !== undefined) {
    if (typeof raw.value === 'object') fail(where, "'value' must be a scalar (the loop value)");
    entry.value = String(raw.value);
  }
  if (raw.state !== undefined) entry.state = raw.state as Expected;
  if (raw.attempts !== undefined) entry.attempts = raw.attempts as Expected;
  const outputs = outputsMap(where, raw.outputs);
  if (outputs) entry.outputs = outputs;
  if (raw.any !== undefined) {
    if (typeof raw.any !== 'boolean') fail(where, "'any' must be true or false");
    entry.any = raw.any;
  }
  return entry;
}

function logExpectation(where: string, raw: unknown): LogExpectation {
  if (!isObj(raw)) fail(where, 'must be a map with level and/or contains');
  checkKeys(where, raw, LOG_KEYS);
  const level = str(where, raw, 'level', false);
  const contains = str(where, raw, 'contains', false);
  if (level === undefined && contains === undefined) fail(where, 'needs level or contains');
  return { ...(level !== undefined ? { level } : {}), ...(contains !== undefined ? { contains } : {}) };
}

function listOf<T>(where: string, v: unknown, key: string, each: (w: string, x: unknown) => T): T[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(where, `'${key}' must be a list`);
  return v.map((x, i) => each(`${where}.${key}[${i}]`, x));
}

function caseExpectation(where: string, raw: unknown): CaseExpectation {
  if (!isObj(raw)) fail(where, "'expect' must be a map");
  checkKeys(where, raw, EXPECT_KEYS);
  const out: CaseExpectation = {};
  if (raw.state !== undefined) out.state = raw.state as Expected;
  if (raw.taskRunCount !== undefined) out.taskRunCount = raw.taskRunCount as Expected;
  const taskRuns = listOf(where, raw.taskRuns, 'taskRuns', taskRunExpectation);
  if (taskRuns) out.taskRuns = taskRuns;
  const outputs = outputsMap(where, raw.outputs);
  if (outputs) out.outputs = outputs;
  const logs = listOf(where, raw.logs, 'logs', logExpectation);
  if (logs) out.logs = logs;
  return out;
}

function conformanceCase(where: string, raw: unknown): ConformanceCase {
  if (!isObj(raw)) fail(where, 'each case must be a map');
  const name = str(where, raw, 'case', true)!;
  where = `${where} ('${name}')`;
  checkKeys(where, raw, CASE_KEYS);
  if (raw.inputs !== undefined && !isObj(raw.inputs)) fail(where, "'inputs' must be a map");
  const c: ConformanceCase = {
    case: name,
    flow: str(where, raw, 'flow', true)!,
    deploy: strList(where, raw, 'deploy'),
    tier: str(where, raw, 'tier', true)!,
    features: strList(where, raw, 'features'),
    expect: caseExpectation(`${where}.expect`, raw.expect ?? {}),
  };
  if (raw.inputs !== undefined) c.inputs = raw.inputs as Record<string, unknown>;
  for (const key of ['source', 'notes', 'deviation'] as const) {
    const v = str(where, raw, key, false);
    if (v !== undefined) c[key] = v;
  }
  return c;
}

/**
 * Validates the text of an expectations file.
 * @param text the YAML text
 * @param file its name, for messages
 * @returns the cases, in file order
 * @throws TroupeError TROUPE_OPTION_INVALID naming the case and key at fault
 */
export function parseExpectations(text: string, file = 'expectations.yaml'): ConformanceCase[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    fail(file, `not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!Array.isArray(doc)) fail(file, 'must be a list of cases');
  const cases = doc.map((raw, i) => conformanceCase(`${file} case #${i + 1}`, raw));
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.case)) fail(file, `case '${c.case}' appears twice`);
    seen.add(c.case);
  }
  return cases;
}

/**
 * Reads and validates `DIR/expectations.yaml`.
 * @param dir the corpus directory (holding expectations.yaml and flows/)
 */
export function loadExpectations(dir: string): ConformanceCase[] {
  const file = join(dir, 'expectations.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TroupeError('TROUPE_OPTION_INVALID', `Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}; a conformance directory holds expectations.yaml and flows/`, { file });
  }
  return parseExpectations(text, file);
}

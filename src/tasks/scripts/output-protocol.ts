/**
 * Kestra's output protocol on a script's stdout/stderr: a whole line `::{json}::` carries
 * `outputs` (merged into `vars`), `metrics` (counter|timer) and `logs` ({level, message}).
 * Pure: parses one line. (core:`PluginUtilsService`, `DefaultLogConsumer`; kestra-plugins.md §1.4)
 */
import { isLogLevel, type LogLevel } from '../../model/log-entry.js';
import type { Metric } from '../../model/task-run.js';
import { parseDuration } from '../../model/duration.js';

/** What one protocol line says. */
interface ProtocolLine {
  outputs?: Record<string, unknown>;
  metrics?: Metric[];
  logs?: Array<{ level: LogLevel; message: string }>;
}

/** Java's `.` excludes these line terminators: a line holding one is not a protocol line. */
const PROTOCOL = /^::(\{[^\n\r\u0085\u2028\u2029]*\})::$/;

/** Whether `line` is shaped as a protocol line (it is then never logged as text). */
export function isProtocolLine(line: string): boolean {
  return PROTOCOL.test(line);
}

function metricOf(m: unknown): Metric {
  if (!m || typeof m !== 'object') throw new Error('a metric must be an object');
  const { name, type, value, tags } = m as Record<string, unknown>;
  if (typeof name !== 'string') throw new Error('a metric needs a name');
  const tagMap = tags && typeof tags === 'object' ? Object.fromEntries(Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)])) : {};
  if (type === 'counter') {
    if (typeof value !== 'number') throw new Error(`counter '${name}' needs a numeric value`);
    return { name, type: 'counter', value, tags: tagMap };
  }
  if (type === 'timer') {
    const seconds = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value) / 1000 : NaN;
    if (!Number.isFinite(seconds)) throw new Error(`timer '${name}' needs a duration`);
    return { name, type: 'timer', value: typeof value === 'string' ? value : `PT${seconds}S`, tags: tagMap };
  }
  throw new Error(`unknown metric type '${String(type)}'`);
}

/**
 * Parses a protocol line.
 * @throws when its JSON or its contents are invalid (the caller logs `Invalid outputs '<msg>'`)
 */
export function parseProtocolLine(line: string): ProtocolLine {
  const m = PROTOCOL.exec(line);
  if (!m) throw new Error('not a protocol line');
  const body = JSON.parse(m[1]!) as Record<string, unknown>;
  const out: ProtocolLine = {};
  if (body.outputs !== undefined && body.outputs !== null) {
    if (typeof body.outputs !== 'object' || Array.isArray(body.outputs)) throw new Error('outputs must be an object');
    out.outputs = body.outputs as Record<string, unknown>;
  }
  if (Array.isArray(body.metrics)) out.metrics = body.metrics.map(metricOf);
  if (Array.isArray(body.logs)) {
    out.logs = body.logs.map((l: unknown) => {
      const { level, message } = (l ?? {}) as Record<string, unknown>;
      if (!isLogLevel(level)) throw new Error(`invalid log level '${String(level)}'`);
      return { level, message: String(message) };
    });
  }
  return out;
}

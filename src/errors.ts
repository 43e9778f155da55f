/**
 * The error registry: every code Troupe raises, once, with its family, HTTP status and CLI exit
 * code. Errors cross thread and socket boundaries as plain {@link ErrorRecord}s (postMessage
 * loses class and code), and are rebuilt with {@link fromErrorRecord} on the other side.
 * @module
 */

/** Families group codes by what the caller can do about them. */
export type ErrorFamily = 'flow' | 'expression' | 'input' | 'not-found' | 'conflict' | 'store' | 'option' | 'task' | 'http' | 'connection' | 'internal';

interface CodeSpec {
  readonly family: ErrorFamily;
  readonly httpStatus: number;
  readonly exitCode: number;
  readonly summary: string;
}

/** Every error code, with what it means. Codes are stable forever: add, never rename. */
export const ERROR_CODES = {
  TROUPE_FLOW_INVALID: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'The flow does not follow the flow schema.' },
  TROUPE_FLOW_SYNTAX: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'The flow source is not valid YAML.' },
  TROUPE_FLOW_TOO_LARGE: { family: 'flow', httpStatus: 413, exitCode: 2, summary: 'The flow source is larger than the size cap.' },
  TROUPE_FLOW_TOO_DEEP: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'The flow source nests collections deeper than the depth cap.' },
  TROUPE_FLOW_DUPLICATE_KEY: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'A YAML mapping repeats a key.' },
  TROUPE_FLOW_TOO_MANY_ALIASES: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'The flow source uses more YAML aliases than allowed.' },
  TROUPE_FLOW_UNKNOWN_TYPE: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'A task or trigger names a type no plugin provides.' },
  TROUPE_FLOW_UNSUPPORTED_TYPE: { family: 'flow', httpStatus: 422, exitCode: 2, summary: 'A task, trigger or condition names a type Troupe knows but this build cannot run; the flow is refused at deploy unless deployed leniently.' },
  TROUPE_FLOW_NOT_FOUND: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'No flow is deployed under that namespace and id.' },
  TROUPE_TRIGGER_NOT_FOUND: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'No trigger (Schedule state, webhook key) has that flow and id or key.' },
  TROUPE_EXPR_SYNTAX: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A template or expression cannot be parsed.' },
  TROUPE_EXPR_UNDEFINED_VARIABLE: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'An expression names a variable or attribute that does not exist (strict variables).' },
  TROUPE_EXPR_TYPE: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'An operator, filter or function got a value of the wrong type.' },
  TROUPE_EXPR_UNKNOWN_FILTER: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A template calls a filter that does not exist.' },
  TROUPE_EXPR_UNKNOWN_FUNCTION: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A template calls a function that does not exist.' },
  TROUPE_EXPR_FORBIDDEN: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A template tried to reach something outside its sandbox.' },
  TROUPE_EXPR_LIMIT: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A template exceeded a limit of its evaluation budget (output, size, steps, iterations or depth).' },
  TROUPE_EXPR_EVALUATION: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A filter or function failed while rendering.' },
  TROUPE_EXPR_REGEX_UNSUPPORTED: { family: 'expression', httpStatus: 422, exitCode: 1, summary: 'A regular expression uses a construct the linear-time engine cannot run (lookahead, backreference…).' },
  TROUPE_INPUT_INVALID: { family: 'input', httpStatus: 422, exitCode: 1, summary: 'An execution input is missing or has a bad value.' },
  TROUPE_EXECUTION_NOT_FOUND: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'No execution has that id.' },
  TROUPE_EXECUTION_NOT_PAUSED: { family: 'conflict', httpStatus: 409, exitCode: 1, summary: 'Only a paused execution can be resumed.' },
  TROUPE_EXECUTION_NOT_TERMINATED: { family: 'conflict', httpStatus: 409, exitCode: 1, summary: 'The operation needs an execution that has ended.' },
  TROUPE_STORE_LOCKED: { family: 'conflict', httpStatus: 409, exitCode: 1, summary: 'Another process holds the data directory.' },
  TROUPE_STORE_CORRUPT: { family: 'store', httpStatus: 500, exitCode: 1, summary: 'A stored record cannot be decoded.' },
  TROUPE_STORE_VERSION: { family: 'store', httpStatus: 500, exitCode: 1, summary: 'The data directory was written by an incompatible version.' },
  TROUPE_OPTION_INVALID: { family: 'option', httpStatus: 400, exitCode: 2, summary: 'An option passed to Troupe is unknown or has a bad value.' },
  TROUPE_ENGINE_CLOSED: { family: 'conflict', httpStatus: 503, exitCode: 1, summary: 'The engine was used after close().' },
  TROUPE_TASK_FAILED: { family: 'task', httpStatus: 500, exitCode: 1, summary: 'A task attempt failed.' },
  TROUPE_TASK_TIMEOUT: { family: 'task', httpStatus: 500, exitCode: 1, summary: 'A task attempt ran past its timeout.' },
  TROUPE_SECRET_NOT_FOUND: { family: 'task', httpStatus: 500, exitCode: 1, summary: "secret('KEY') names a secret no SECRET_KEY environment variable provides." },
  TROUPE_SECRET_INVALID: { family: 'task', httpStatus: 500, exitCode: 1, summary: 'A SECRET_* environment variable is not valid base64 (Kestra OSS reads secrets base64-encoded).' },
  TROUPE_TASK_MEMORY_LIMIT: { family: 'task', httpStatus: 500, exitCode: 1, summary: 'A task attempt ran its pool thread out of memory (the heap limit of poolResourceLimits).' },
  TROUPE_ILLEGAL_STATE: { family: 'conflict', httpStatus: 409, exitCode: 1, summary: 'The resource is not in a state that allows the operation (a disabled flow, a finished execution).' },
  TROUPE_ILLEGAL_ARGUMENT: { family: 'input', httpStatus: 422, exitCode: 1, summary: 'A request names a value the operation cannot take (a bad date, label, sort or paging parameter).' },
  TROUPE_HTTP_BAD_REQUEST: { family: 'http', httpStatus: 400, exitCode: 1, summary: 'An HTTP request is malformed: a missing parameter or an unreadable body.' },
  TROUPE_HTTP_UNAUTHORIZED: { family: 'http', httpStatus: 401, exitCode: 1, summary: 'The daemon needs credentials (basic auth or a bearer token) and the request has none or wrong ones.' },
  TROUPE_HTTP_FORBIDDEN: { family: 'http', httpStatus: 403, exitCode: 1, summary: 'The request Host or Origin is not one the daemon serves (DNS rebinding guard).' },
  TROUPE_HTTP_NOT_FOUND: { family: 'http', httpStatus: 404, exitCode: 1, summary: 'No route answers this method and path.' },
  TROUPE_HTTP_PAYLOAD_TOO_LARGE: { family: 'http', httpStatus: 413, exitCode: 1, summary: 'The request body or an uploaded file is larger than the daemon accepts.' },
  TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE: { family: 'http', httpStatus: 415, exitCode: 1, summary: 'The request body has a content type the route does not read.' },
  TROUPE_HTTP_OVERLOADED: { family: 'http', httpStatus: 503, exitCode: 1, summary: 'The daemon has too many requests in flight; retry after the Retry-After delay.' },
  TROUPE_NOT_IMPLEMENTED: { family: 'http', httpStatus: 501, exitCode: 1, summary: 'The route needs a feature this version of Troupe does not have yet.' },
  TROUPE_IPC_UNAVAILABLE: { family: 'connection', httpStatus: 503, exitCode: 1, summary: 'No daemon listens on the socket of that data directory.' },
  TROUPE_IPC_DISCONNECTED: { family: 'connection', httpStatus: 503, exitCode: 1, summary: 'The connection to the daemon closed before the answer came.' },
  TROUPE_IPC_PROTOCOL: { family: 'connection', httpStatus: 400, exitCode: 1, summary: 'A frame on the IPC socket is malformed or larger than the cap; the connection is closed.' },
  TROUPE_IPC_SLOW_SUBSCRIBER: { family: 'connection', httpStatus: 503, exitCode: 1, summary: 'A subscriber read events more slowly than they came; its subscription was dropped.' },
  TROUPE_IO: { family: 'option', httpStatus: 400, exitCode: 1, summary: 'A file or directory named on the command line cannot be read or written.' },
  TROUPE_TASK_CRASHED: { family: 'task', httpStatus: 500, exitCode: 1, summary: 'A task attempt was in flight during too many consecutive crashes (a poison pill): it is failed, not dispatched again.' },
  TROUPE_SUBFLOW_DEPTH: { family: 'task', httpStatus: 422, exitCode: 1, summary: 'Subflows nest deeper than the engine allows (mutual recursion): the Subflow run fails.' },
  TROUPE_EXECUTION_CORRUPT: { family: 'store', httpStatus: 500, exitCode: 1, summary: 'An execution cannot be loaded from its records (undecodable, or its flow revision is missing): it is failed alone.' },
  TROUPE_SHARD_FAILED: { family: 'internal', httpStatus: 500, exitCode: 70, summary: 'A shard thread kept dying after restarts: the engine stopped restarting it.' },
  TROUPE_LIMIT_LOOP_RUNS: { family: 'task', httpStatus: 422, exitCode: 1, summary: 'A loop would create more children (values × tasks) than the engine option maxLoopRuns allows.' },
  TROUPE_STORAGE_PATH: { family: 'input', httpStatus: 422, exitCode: 1, summary: 'A kestra:// URI is malformed or could name a file outside the storage root (.., %2e%2e, backslash, another scheme).' },
  TROUPE_STORAGE_NOT_FOUND: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'No file of internal storage is at that kestra:// URI.' },
  TROUPE_STORAGE_ACCESS: { family: 'input', httpStatus: 422, exitCode: 1, summary: 'A kestra:// URI belongs to another execution (or namespace) than the one reading it.' },
  TROUPE_STORAGE_TOO_LARGE: { family: 'input', httpStatus: 413, exitCode: 1, summary: 'A file is larger than the limit set for that use (an upload, a file read into a template).' },
  TROUPE_TASK_HTTP_STATUS: { family: 'task', httpStatus: 502, exitCode: 1, summary: 'An HTTP task got a response status of 400 or more (and allowFailed is not set); the message is the reason phrase, details.code the status.' },
  TROUPE_TASK_HTTP_TOO_LARGE: { family: 'task', httpStatus: 502, exitCode: 1, summary: "An HTTP task's response body is larger than options.maxContentLength (10 MiB by default): use the Download task for large bodies." },
  TROUPE_TASK_HTTP_TIMEOUT: { family: 'task', httpStatus: 504, exitCode: 1, summary: 'An HTTP task could not connect, or read the response, within options.connectTimeout, readTimeout or readIdleTimeout.' },
  TROUPE_TASK_HTTP_UNREACHABLE: { family: 'task', httpStatus: 502, exitCode: 1, summary: 'An HTTP task could not reach the server (unknown host, connection refused or reset, TLS failure).' },
  TROUPE_TASK_HTTP_REDIRECTS: { family: 'task', httpStatus: 502, exitCode: 1, summary: 'An HTTP task followed more redirects than allowed (20): a redirect loop.' },
  TROUPE_KV_NOT_FOUND: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'No KV entry (or task state) has that key in that namespace.' },
  TROUPE_KV_EXPIRED: { family: 'not-found', httpStatus: 410, exitCode: 1, summary: 'The KV entry passed its ttl: it reads as expired once, and is deleted.' },
  TROUPE_KV_EXISTS: { family: 'conflict', httpStatus: 409, exitCode: 1, summary: 'kv.Set with `overwrite: false` found the key already set.' },
  TROUPE_KV_NAMESPACE: { family: 'not-found', httpStatus: 404, exitCode: 1, summary: 'A task or kv() reached the KV store of a namespace that does not exist (no flow in it or under it, no key).' },
  TROUPE_INTERNAL: { family: 'internal', httpStatus: 500, exitCode: 70, summary: 'A bug in Troupe: please report it.' },
} as const satisfies Record<string, CodeSpec>;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The plain form of an error that crosses a thread or socket boundary. */
export interface ErrorRecord {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  stack?: string;
  cause?: ErrorRecord;
}

/** The one error class of Troupe; match on `code`, never on the message or the class. */
export class TroupeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TroupeError';
    this.code = code;
    this.details = details;
  }
}

/** Where in a flow's YAML an error was found. */
export interface SourcePosition {
  file?: string;
  line?: number;
  column?: number;
  /** The property path, e.g. `tasks[1].format`. */
  path?: string;
}

/** An error in a flow's source, carrying file, line, column and path. */
export class FlowError extends TroupeError {
  readonly position: SourcePosition;

  constructor(code: ErrorCode, message: string, position: SourcePosition = {}, details?: Record<string, unknown>) {
    super(code, formatWithPosition(message, position), { ...details, ...position });
    this.name = 'FlowError';
    this.position = position;
  }
}

/** An error raised while parsing or evaluating a template. */
export class ExpressionError extends TroupeError {
  constructor(code: ErrorCode, message: string, details?: { template?: string; position?: number } & Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ExpressionError';
  }
}

function formatWithPosition(message: string, p: SourcePosition): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  return where ? `${where}: ${message}` : message;
}

/** Whether `code` is a registered error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * Converts anything thrown into a plain record that survives postMessage and msgpack.
 * Unknown errors become TROUPE_INTERNAL with their message kept.
 */
export function toErrorRecord(err: unknown): ErrorRecord {
  if (err instanceof TroupeError) {
    const rec: ErrorRecord = { code: err.code, message: err.message };
    if (err.details) rec.details = err.details;
    if (err.stack) rec.stack = err.stack;
    if (err.cause !== undefined) rec.cause = toErrorRecord(err.cause);
    return rec;
  }
  if (err instanceof Error) {
    const rec: ErrorRecord = { code: 'TROUPE_INTERNAL', message: err.message };
    if (err.stack) rec.stack = err.stack;
    return rec;
  }
  return { code: 'TROUPE_INTERNAL', message: String(err) };
}

/** Rebuilds a {@link TroupeError} from its plain record. */
export function fromErrorRecord(rec: ErrorRecord): TroupeError {
  const code = isErrorCode(rec.code) ? rec.code : 'TROUPE_INTERNAL';
  const cause = rec.cause ? fromErrorRecord(rec.cause) : undefined;
  const err = new TroupeError(code, rec.message, rec.details, cause ? { cause } : undefined);
  if (rec.stack) err.stack = rec.stack;
  return err;
}

/** The CLI exit code for an error. */
export function exitCodeOf(err: unknown): number {
  return err instanceof TroupeError ? ERROR_CODES[err.code].exitCode : ERROR_CODES.TROUPE_INTERNAL.exitCode;
}

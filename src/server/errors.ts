/**
 * Error bodies in Kestra's (Micronaut) shape: every 4xx/5xx the daemon sends is a TroupeError
 * converted here, `{message, _links: {self}, _embedded?: {errors}}` (kestra-api.md §1).
 * @module
 */
import { ERROR_CODES, TroupeError, type ErrorCode } from '../errors.js';

/** One violation of a validation error. */
export interface Violation {
  message: string;
  path?: string;
}

/** The body of an error response. */
export interface KestraErrorBody {
  message: string;
  _links: { self: { href: string; templated: false } };
  _embedded?: { errors: Violation[] };
}

/** Kestra's message prefix per code, where it is not the family's. */
const PREFIX: Partial<Record<ErrorCode, string>> = {
  TROUPE_ILLEGAL_ARGUMENT: 'Illegal argument',
  TROUPE_HTTP_BAD_REQUEST: 'Bad Request',
  TROUPE_OPTION_INVALID: 'Bad Request',
  TROUPE_HTTP_FORBIDDEN: 'Forbidden',
  TROUPE_HTTP_NOT_FOUND: 'Not Found',
  TROUPE_HTTP_PAYLOAD_TOO_LARGE: 'Request Entity Too Large',
  TROUPE_FLOW_TOO_LARGE: 'Request Entity Too Large',
  TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE: 'Unsupported Media Type',
  TROUPE_HTTP_OVERLOADED: 'Service Unavailable',
  TROUPE_ENGINE_CLOSED: 'Service Unavailable',
  TROUPE_NOT_IMPLEMENTED: 'Not Implemented',
  TROUPE_KV_EXPIRED: 'Resource has expired',
};

function prefixOf(code: ErrorCode): string {
  const own = PREFIX[code];
  if (own) return own;
  switch (ERROR_CODES[code].family) {
    case 'flow':
    case 'input':
      return 'Invalid entity';
    case 'expression':
      return 'Illegal argument';
    case 'not-found':
      return 'Not Found';
    case 'conflict':
      return 'Illegal state';
    default:
      return 'Internal server error';
  }
}

/** The violations an error carries in `details.errors` (flow problems, input errors). */
function violationsOf(err: TroupeError): Violation[] | undefined {
  const list = err.details?.['errors'];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map((e: Record<string, unknown>) => {
    const v: Violation = { message: String(e['message'] ?? '') };
    const path = e['path'] ?? e['inputId'];
    if (typeof path === 'string' && path !== '') v.path = path;
    if (typeof e['line'] === 'number') v.message = `${e['line']}:${String(e['column'] ?? 1)}: ${v.message}`;
    return v;
  });
}

/** The HTTP status and Kestra body of an error; `href` is the request path and query. */
export function errorResponse(err: TroupeError, href: string): { status: number; body: KestraErrorBody } {
  const status = ERROR_CODES[err.code].httpStatus;
  const prefix = prefixOf(err.code);
  const body: KestraErrorBody = { message: err.message ? `${prefix}: ${err.message}` : prefix, _links: { self: { href, templated: false } } };
  const violations = violationsOf(err);
  if (violations) body._embedded = { errors: violations };
  else if (prefix === 'Invalid entity') body._embedded = { errors: [{ message: err.message }] };
  return { status, body };
}

/** A fastify error as fastify reports it. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
  validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

/** busboy's messages for a malformed multipart body. */
const MULTIPART_MALFORMED = /^(Unexpected end of multipart data|.* terminated early due to unexpected end of multipart data|Multipart: Boundary not found|Boundary required)$/;

/**
 * Turns anything a handler or fastify threw into a TroupeError: fastify's own errors (schema,
 * content type, body size, malformed JSON, multipart limits) become the 4xx Kestra answers with.
 */
export function toTroupeError(err: unknown): TroupeError {
  if (err instanceof TroupeError) return err;
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation) {
    const context = e.validationContext ?? 'request';
    const errors = e.validation.map((v) => {
      const missing = v.params?.['missingProperty'];
      const path = `${context}${v.instancePath ?? ''}${typeof missing === 'string' ? `/${missing}` : ''}`.replaceAll('/', '.');
      return { path, message: `${path}: ${v.message ?? 'is invalid'}` };
    });
    const required = e.validation.find((v) => typeof v.params?.['missingProperty'] === 'string');
    if (required && context === 'querystring') {
      return new TroupeError('TROUPE_HTTP_BAD_REQUEST', `Required QueryValue [${String(required.params!['missingProperty'])}] not specified`);
    }
    return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', errors.map((x) => x.message).join(', '), { errors });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', e.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new TroupeError('TROUPE_HTTP_PAYLOAD_TOO_LARGE', e.message);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid json: ${e.message}`);
    default:
      break;
  }
  // busboy (under @fastify/multipart) reports a truncated or boundless multipart body with bare
  // Errors and no code: the client's body is malformed.
  if (err instanceof Error && e.statusCode === undefined && MULTIPART_MALFORMED.test(e.message)) return new TroupeError('TROUPE_HTTP_BAD_REQUEST', `Malformed multipart body: ${e.message}`);
  if (err instanceof SyntaxError && e.statusCode === 400) return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid json: ${e.message}`);
  const status = e.statusCode;
  if (status === 413) return new TroupeError('TROUPE_HTTP_PAYLOAD_TOO_LARGE', e.message);
  if (status === 415) return new TroupeError('TROUPE_HTTP_UNSUPPORTED_MEDIA_TYPE', e.message);
  if (status === 404) return new TroupeError('TROUPE_HTTP_NOT_FOUND', '');
  if (status !== undefined && status >= 400 && status < 500) return new TroupeError('TROUPE_HTTP_BAD_REQUEST', e.message);
  return new TroupeError('TROUPE_INTERNAL', e.message ?? String(err), undefined, { cause: err });
}

/**
 * The daemon's structured logs: one pino logger (JSON lines on stderr), given to fastify as its
 * logger. Lifecycle events (engine opened, flows deployed, listening, shutting down, stopped) are
 * at `info`; one line per request, at `debug`, from fastify's request hooks (a LogController
 * whose request lines are debug lines); failures of requests (5xx) at `error`.
 * @module
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { TroupeError } from '../errors.js';

/** The levels `--log-level` accepts, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A level of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Checks a `--log-level` value.
 * @throws TroupeError TROUPE_OPTION_INVALID naming the levels
 */
export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new TroupeError('TROUPE_OPTION_INVALID', `--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`, { option: 'log-level' });
}

/** What a request log line says of a request: never its headers (credentials) or body. */
function requestFields(req: FastifyRequest): Record<string, unknown> {
  return { method: req.method, url: req.url, remoteAddress: req.ip };
}

function replyFields(reply: FastifyReply): Record<string, unknown> {
  return { statusCode: reply.statusCode };
}

/**
 * The daemon's logger: JSON lines with an ISO time, `name: "troupe"` and the pid. `req` and
 * `res` fields are reduced to method, URL, address and status, so no credential is ever logged.
 */
export function serverLogger(level: string = 'info', destination?: DestinationStream | NodeJS.WritableStream): Logger {
  return pino(
    {
      level: parseLogLevel(level),
      base: { name: 'troupe', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        req: (req: FastifyRequest) => (req && typeof req === 'object' && 'method' in req ? requestFields(req) : req),
        res: (reply: FastifyReply) => (reply && typeof reply === 'object' && 'statusCode' in reply ? replyFields(reply) : reply),
        err: pino.stdSerializers.err,
      },
    },
    (destination as DestinationStream | undefined) ?? pino.destination(2),
  );
}

/** fastify's request lines, at `debug` instead of `info` (errors keep their level). */
class DebugRequestLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.warn({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'route not found');
  }
}

/** The LogController of the app: request lines at debug, skipped whole when debug is off. */
export function requestLogController(logger: Logger | undefined): LogController {
  return new DebugRequestLog({ disableRequestLogging: !logger?.isLevelEnabled('debug') });
}

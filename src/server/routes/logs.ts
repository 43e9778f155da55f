/**
 * `/logs`: an execution's log lines as JSON, as a download, and followed over SSE (kestra-api.md §5).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { isLevelEnabled, type LogEntry, type LogLevel } from '../../model/log-entry.js';
import type { ServerContext } from '../context.js';
import { notImplemented } from '../errors.js';
import { openEventStream } from '../sse.js';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const idParams = { type: 'object', properties: { executionId: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['executionId'] } as const;
const filterSchema = {
  type: 'object',
  properties: { minLevel: { type: 'string', enum: LEVELS }, taskId: { type: 'string', maxLength: 100 }, taskRunId: { type: 'string', maxLength: 100 }, attempt: { type: 'integer', minimum: 0 } },
} as const;

interface LogFilter {
  minLevel?: LogLevel;
  taskId?: string;
  taskRunId?: string;
  attempt?: number;
}

/** A log line in Kestra's HTTP shape: `attemptNumber` always present, `deleted` false. */
function logJson(l: LogEntry): Record<string, unknown> {
  return { namespace: l.namespace, flowId: l.flowId, ...(l.taskId !== undefined ? { taskId: l.taskId } : {}), executionId: l.executionId, ...(l.taskRunId !== undefined ? { taskRunId: l.taskRunId } : {}), attemptNumber: l.attemptNumber ?? null, timestamp: l.timestamp, level: l.level, ...(l.thread !== undefined ? { thread: l.thread } : {}), message: l.message, deleted: false };
}

/** `taskId` wins over `taskRunId` (with `attempt`); `minLevel` is inclusive. */
function matches(f: LogFilter): (l: LogEntry) => boolean {
  return (l) => {
    if (f.minLevel && !isLevelEnabled(l.level, f.minLevel)) return false;
    if (f.taskId !== undefined) return l.taskId === f.taskId;
    if (f.taskRunId !== undefined && l.taskRunId !== f.taskRunId) return false;
    if (f.taskRunId !== undefined && f.attempt !== undefined && l.attemptNumber !== f.attempt) return false;
    return true;
  };
}

/** Registers the log routes on `app` (under a prefix). */
export function logRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { engine } = ctx;
  app.get('/logs/search', async () => {
    throw notImplemented('Searching logs across executions (GET /logs/search)');
  });

  app.get<{ Params: { executionId: string }; Querystring: LogFilter }>('/logs/:executionId', { schema: { params: idParams, querystring: filterSchema } }, async (req) =>
    engine.logs(req.params.executionId).filter(matches(req.query)).map(logJson),
  );

  app.get<{ Params: { executionId: string }; Querystring: LogFilter }>('/logs/:executionId/download', { schema: { params: idParams, querystring: filterSchema } }, async (req, reply) => {
    const { executionId } = req.params;
    const text = engine
      .logs(executionId)
      .filter(matches(req.query))
      .map((l) => `${l.timestamp} ${l.level} ${l.message}`)
      .join('\n');
    return reply.type('text/plain').header('content-disposition', `attachment; filename="${executionId.replace(/[^\w.-]/g, '_')}.log"`).send(text);
  });

  app.get<{ Params: { executionId: string }; Querystring: LogFilter }>('/logs/:executionId/follow', { schema: { params: idParams, querystring: filterSchema } }, async (req, reply) => {
    const { executionId } = req.params;
    const keep = matches(req.query);
    const stream = openEventStream(reply, ctx.followers);
    let sent = 0;
    const flush = (): void => {
      const all = engine.logs(executionId);
      for (const l of all.slice(sent)) if (keep(l)) stream.send('progress', logJson(l));
      sent = all.length;
    };
    let scheduled = false;
    const unwatch = ctx.followers.watch(executionId, () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        if (!stream.closed) flush();
      });
    });
    stream.onClose(unwatch);
    flush();
  });

  app.delete('/logs/:executionId', async () => {
    throw notImplemented('Deleting logs (DELETE /logs/{executionId})');
  });
  app.delete('/logs/:namespace/:flowId', async () => {
    throw notImplemented('Deleting logs (DELETE /logs/{namespace}/{flowId})');
  });
}

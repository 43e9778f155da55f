/**
 * `/logs`: an execution's log lines as JSON, as a download, followed over SSE, searched across
 * executions, and deleted (kestra-api.md §5).
 * @module
 */
import type { FastifyInstance } from 'fastify';
import { isLevelEnabled, type LogEntry, type LogLevel } from '../../model/log-entry.js';
import type { ServerContext } from '../context.js';
import { inNamespace, pagingSchema, parseDate, type Paged } from '../query.js';
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

const text = { type: 'string', maxLength: 1000 } as const;
const searchSchema = {
  type: 'object',
  properties: { ...pagingSchema, q: text, namespace: text, flowId: text, triggerId: text, minLevel: { type: 'string', enum: LEVELS }, startDate: { type: 'string', maxLength: 64 }, endDate: { type: 'string', maxLength: 64 } },
} as const;
const flowParams = { type: 'object', properties: { namespace: { type: 'string', minLength: 1, maxLength: 1000 }, flowId: { type: 'string', minLength: 1, maxLength: 100 } }, required: ['namespace', 'flowId'] } as const;

interface LogSearch {
  page: number;
  size: number;
  q?: string;
  namespace?: string;
  flowId?: string;
  triggerId?: string;
  minLevel?: LogLevel;
  startDate?: string;
  endDate?: string;
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
  // Newest first (executions by creation, each one's lines from its last): only the page asked
  // for is kept, whatever the number of lines that match.
  app.get<{ Querystring: LogSearch }>('/logs/search', { schema: { querystring: searchSchema } }, async (req) => {
    const { page, size, q, namespace, flowId, triggerId, minLevel } = req.query;
    const start = parseDate('startDate', req.query.startDate);
    const end = parseDate('endDate', req.query.endDate);
    const needle = q?.toLowerCase();
    const from = (page - 1) * size;
    const out: Paged<Record<string, unknown>> = { results: [], total: 0 };
    const executions = engine.list().filter((e) => inNamespace(e.namespace, namespace) && (flowId === undefined || e.flowId === flowId) && (triggerId === undefined || e.trigger?.id === triggerId));
    for (let i = executions.length - 1; i >= 0; i--) {
      const lines = engine.logs(executions[i]!.id);
      for (let j = lines.length - 1; j >= 0; j--) {
        const l = lines[j]!;
        if (minLevel && !isLevelEnabled(l.level, minLevel)) continue;
        if (start !== undefined || end !== undefined) {
          const at = Date.parse(l.timestamp);
          if ((start !== undefined && at < start) || (end !== undefined && at > end)) continue;
        }
        if (needle !== undefined && !l.message.toLowerCase().includes(needle)) continue;
        if (out.total >= from && out.results.length < size) out.results.push(logJson(l));
        out.total += 1;
      }
    }
    return out;
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

  app.delete<{ Params: { executionId: string }; Querystring: LogFilter }>('/logs/:executionId', { schema: { params: idParams, querystring: filterSchema } }, async (req, reply) => {
    await engine.deleteLogs(req.params.executionId, matches(req.query));
    return reply.code(200).send();
  });

  app.delete<{ Params: { namespace: string; flowId: string }; Querystring: { triggerId?: string } }>(
    '/logs/:namespace/:flowId',
    { schema: { params: flowParams, querystring: { type: 'object', properties: { triggerId: text } } } },
    async (req, reply) => {
      const { namespace, flowId } = req.params;
      const { triggerId } = req.query;
      for (const e of engine.list({ namespace, flowId })) if (triggerId === undefined || e.trigger?.id === triggerId) await engine.deleteLogs(e.id);
      return reply.code(200).send();
    },
  );
}

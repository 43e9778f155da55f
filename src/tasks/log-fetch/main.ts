/**
 * log.Fetch on the main thread: which execution (Kestra's `PluginUtilsService.executionFromTaskParameters`),
 * then its log lines at or above `level` streamed from the store into `<digits>.ion`, one LogEntry
 * per row in Kestra's field order (`FileSerde.write` of a LogEntry), grouped by task when
 * `tasksId` is given (in that order, as Kestra queries them one task at a time).
 */
import { TroupeError } from '../../errors.js';
import { IonTimestamp, ionText } from '../../kv/index.js';
import { isLevelEnabled, isLogLevel, type LogEntry, type LogLevel } from '../../model/log-entry.js';
import type { Task } from '../../model/flow.js';
import type { MainContext, MainTask } from '../run-spec.js';

/** Rows are written in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

function rendered(task: Task, ctx: MainContext, prop: string): string | undefined {
  const v = task.props[prop];
  return v === undefined || v === null ? undefined : ctx.render(String(v));
}

/** The execution whose logs are read, as Kestra resolves it from the three properties. */
function target(task: Task, ctx: MainContext): { namespace: string; flowId: string; executionId: string } {
  const executionId = rendered(task, ctx, 'executionId');
  const namespace = rendered(task, ctx, 'namespace');
  const flowId = rendered(task, ctx, 'flowId');
  if (executionId === undefined) {
    if (namespace !== undefined || flowId !== undefined) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', '`namespace` and `flowId` should only be set when `executionId` is set.');
    return { ...ctx.flow, flowId: ctx.flow.id, executionId: ctx.executionId };
  }
  if (namespace !== undefined && flowId !== undefined) return { namespace, flowId, executionId };
  if (namespace !== undefined || flowId !== undefined) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Both `namespace` and `flowId` must be set when `executionId` is set.');
  return { namespace: ctx.flow.namespace, flowId: ctx.flow.id, executionId };
}

/** A LogEntry as Kestra's Ion mapper writes it: every field (null when absent) but a null message. */
function row(e: LogEntry): Record<string, unknown> {
  return {
    tenantId: null,
    namespace: e.namespace,
    flowId: e.flowId,
    taskId: e.taskId ?? null,
    executionId: e.executionId,
    taskRunId: e.taskRunId ?? null,
    attemptNumber: e.attemptNumber ?? null,
    triggerId: null,
    timestamp: new IonTimestamp(e.timestamp),
    level: e.level,
    thread: e.thread ?? null,
    message: e.message,
    deleted: false,
  };
}

export const fetchLogsTask: MainTask = {
  async run(task, ctx) {
    const { namespace, flowId, executionId } = target(task, ctx);
    const levelProp = task.props['level'];
    const level: LogLevel = levelProp === undefined || levelProp === null ? 'INFO' : (String(levelProp) as LogLevel);
    if (!isLogLevel(level)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `level: '${level}' is not a log level`);
    const tasksProp = task.props['tasksId'];
    const tasksId = tasksProp === undefined || tasksProp === null ? undefined : (Array.isArray(tasksProp) ? tasksProp : [tasksProp]).map(String);
    const passes: Array<(e: LogEntry) => boolean> = (tasksId ?? [undefined]).map((taskId) => (e) => e.namespace === namespace && e.flowId === flowId && isLevelEnabled(e.level, level) && (taskId === undefined || e.taskId === taskId));
    const writer = await ctx.files.writer(ctx.files.tempName('.ion'), { signal: ctx.signal });
    let size = 0;
    try {
      let buffer = '';
      for (const keep of passes) {
        for (const entry of ctx.engine.logEntries(executionId)) {
          if (!keep(entry)) continue;
          size++;
          buffer += `${ionText(row(entry))}\n`;
          if (buffer.length >= CHUNK_CHARS) {
            await writer.write(buffer);
            buffer = '';
          }
        }
      }
      if (buffer !== '') await writer.write(buffer);
      const stored = await writer.commit();
      return { outputs: { size, uri: stored.uri } };
    } catch (e) {
      await writer.abort();
      throw e;
    }
  },
};

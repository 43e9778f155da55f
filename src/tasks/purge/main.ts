/** The purge tasks on the main thread: their properties rendered, the purge done by the engine. */
import { TroupeError } from '../../errors.js';
import { LogLevel } from '../../model/log-entry.js';
import { StateType } from '../../model/state.js';
import type { Task } from '../../model/flow.js';
import type { MainContext, MainTask } from '../run-spec.js';

function text(task: Task, ctx: MainContext, prop: string): string | undefined {
  const v = task.props[prop];
  return v === undefined || v === null ? undefined : ctx.render(String(v));
}

function flag(task: Task, ctx: MainContext, prop: string): boolean {
  const v = task.props[prop];
  if (v === undefined || v === null) return true;
  if (typeof v === 'boolean') return v;
  return ctx.render(String(v)).trim().toLowerCase() === 'true';
}

function list(task: Task, prop: string, allowed: readonly string[]): string[] | undefined {
  const v = task.props[prop];
  if (v === undefined || v === null) return undefined;
  const items = (Array.isArray(v) ? v : [v]).map(String);
  for (const i of items) if (!allowed.includes(i)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `${prop}: '${i}' is not one of ${allowed.join(', ')}`, { [prop]: i });
  return items;
}

const STATES: readonly string[] = Object.values(StateType);
const LEVELS: readonly string[] = Object.values(LogLevel);

export const purgeExecutionsTask: MainTask = {
  async run(task, ctx) {
    const result = await ctx.engine.purgeExecutions({
      ...optional('namespace', text(task, ctx, 'namespace')),
      ...optional('flowId', text(task, ctx, 'flowId')),
      ...optional('startDate', text(task, ctx, 'startDate')),
      endDate: text(task, ctx, 'endDate')!,
      ...optional('states', list(task, 'states', STATES) as StateType[] | undefined),
      purgeExecution: flag(task, ctx, 'purgeExecution'),
      purgeLog: flag(task, ctx, 'purgeLog'),
      purgeMetric: flag(task, ctx, 'purgeMetric'),
      purgeStorage: flag(task, ctx, 'purgeStorage'),
    });
    ctx.log('INFO', `Purged ${result.executionsCount} executions, ${result.logsCount} log lines, ${result.storagesCount} files`);
    return { outputs: { ...result } };
  },
};

export const purgeLogsTask: MainTask = {
  async run(task, ctx) {
    const count = await ctx.engine.purgeLogs({
      ...optional('namespace', text(task, ctx, 'namespace')),
      ...optional('flowId', text(task, ctx, 'flowId')),
      ...optional('logLevels', list(task, 'logLevels', LEVELS) as LogLevel[] | undefined),
      ...optional('startDate', text(task, ctx, 'startDate')),
      endDate: text(task, ctx, 'endDate')!,
    });
    return { outputs: { count } };
  },
};

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

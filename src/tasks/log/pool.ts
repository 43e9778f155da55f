/** io.kestra.plugin.core.log.Log and the deprecated debug.Echo: one log line per message, at `level`. */
import { isLevelEnabled, isLogLevel, type LogLevel } from '../../model/log-entry.js';
import type { Task } from '../../model/flow.js';
import { stringProp, type RunnableContext, type PoolTask } from '../run-spec.js';

function levelOf(task: Task, prop: string, fallback: LogLevel): LogLevel {
  const v = task.props[prop] ?? (prop === 'level' ? undefined : task.logLevel);
  if (v === undefined) return fallback;
  if (!isLogLevel(v)) throw new Error(`Invalid log level '${String(v)}': expected one of TRACE, DEBUG, INFO, WARN, ERROR`);
  return v;
}

function emit(task: Task, ctx: RunnableContext, messages: string[]): void {
  const level = levelOf(task, 'level', 'INFO');
  const min = task.logLevel && isLogLevel(task.logLevel) ? task.logLevel : 'TRACE';
  for (const m of messages) {
    const text = ctx.render(m);
    if (isLevelEnabled(level, min)) ctx.log(level, text);
  }
}

export const logTask: PoolTask = {
  run(task, ctx) {
    const message = task.props.message;
    emit(task, ctx, Array.isArray(message) ? message.map(String) : [stringProp(task, 'message')]);
    return { outputs: {} };
  },
};

export const echoTask: PoolTask = {
  run(task, ctx) {
    emit(task, ctx, [stringProp(task, 'format')]);
    return { outputs: {} };
  },
};

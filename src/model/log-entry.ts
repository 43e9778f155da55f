/** Kestra's LogEntry. */

/** Log levels, lowest first. */
export const LogLevel = { TRACE: 'TRACE', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARN', ERROR: 'ERROR' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/** Whether `level` is at least `min`. */
export function isLevelEnabled(level: LogLevel, min: LogLevel): boolean {
  return RANK[level] >= RANK[min];
}

/** Whether a value names a log level. */
export function isLogLevel(x: unknown): x is LogLevel {
  return typeof x === 'string' && Object.hasOwn(RANK, x);
}

/** One log line of an execution. */
export interface LogEntry {
  namespace: string;
  flowId: string;
  taskId?: string;
  executionId: string;
  taskRunId?: string;
  attemptNumber?: number;
  timestamp: string;
  level: LogLevel;
  thread?: string;
  message: string;
}

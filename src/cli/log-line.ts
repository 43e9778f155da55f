/** One execution log line as the CLI prints it: time, level, task id, message. */
import type { LogEntry } from '../model/log-entry.js';

const COLORS: Record<string, string> = { ERROR: '\u001b[31m', WARN: '\u001b[33m', INFO: '\u001b[36m', DEBUG: '\u001b[90m', TRACE: '\u001b[90m' };
const RESET = '\u001b[0m';
const DIM = '\u001b[2m';

/** `12:00:01.234 INFO  hello  the message` (the time is the entry's UTC time of day). */
export function formatLogLine(entry: LogEntry, color: boolean): string {
  const time = entry.timestamp.slice(11, 23);
  const level = entry.level.padEnd(5);
  const task = entry.taskId ?? '-';
  if (!color) return `${time} ${level} ${task}  ${entry.message}`;
  return `${DIM}${time}${RESET} ${COLORS[entry.level] ?? ''}${level}${RESET} ${DIM}${task}${RESET}  ${entry.message}`;
}

/**
 * What a script's output lines become (pure): Kestra's protocol lines (`::{…}::`, on either
 * stream) set outputs, metrics and log lines and are never logged as text; other lines are logged,
 * stdout at INFO and stderr at ERROR (Kestra 0.20's PluginUtilsService.parseOut), as they arrive.
 *
 * Caps, so a chatty or hostile script costs bounded memory and storage:
 * - a line is logged up to {@link MAX_LOGGED_LINE_CHARS} characters, then cut with a note saying how
 *   many characters were left out (the pool never keeps more than 1 MiB of one line);
 * - an attempt logs at most {@link MAX_LOGGED_LINES} lines and {@link MAX_LOGGED_CHARS} characters;
 *   what comes after is counted, not logged, and one WARN line at the end says what was dropped;
 * - at most {@link MAX_METRICS} metrics per attempt.
 * Protocol lines are still read over the caps (outputs are never lost to them).
 */
import type { LogLevel } from '../../model/log-entry.js';
import type { Metric } from '../../model/task-run.js';
import { isProtocolLine, parseProtocolLine } from './output-protocol.js';

/** Characters of one line that reach the logs. */
export const MAX_LOGGED_LINE_CHARS = 64 * 1024;
/** Lines of one attempt that reach the logs. */
export const MAX_LOGGED_LINES = 10_000;
/** Characters of one attempt that reach the logs (8 Mi). */
export const MAX_LOGGED_CHARS = 8 * 1024 * 1024;
/** Metrics one attempt may report. */
const MAX_METRICS = 10_000;

const fmt = (n: number): string => n.toLocaleString('en-US');

/** One attempt's output, read line by line. */
export class OutputLines {
  /** The protocol's `outputs`, merged (last wins, nulls kept). */
  readonly vars: Record<string, unknown> = {};
  stdoutLines = 0;
  stderrLines = 0;
  #loggedLines = 0;
  #loggedChars = 0;
  #droppedLines = 0;
  #droppedChars = 0;
  #cutLines = 0;
  #metrics = 0;

  constructor(
    private readonly log: (level: LogLevel, message: string) => void,
    private readonly metric: (m: Metric) => void,
  ) {}

  /** A line as the pool read it; `droppedChars` were cut off it already (over the pool's 1 MiB). */
  line(stream: 'stdout' | 'stderr', text: string, droppedChars: number): void {
    if (stream === 'stderr') this.stderrLines += 1;
    else this.stdoutLines += 1;
    if (droppedChars > 0 && text.startsWith('::{')) {
      this.log('WARN', `Invalid outputs 'a protocol line of ${fmt(text.length + droppedChars)} characters is longer than the ${fmt(text.length)} Troupe reads'`);
      return;
    }
    if (droppedChars === 0 && isProtocolLine(text)) {
      this.#protocol(text);
      return;
    }
    this.#logged(stream === 'stdout' ? 'INFO' : 'ERROR', text, droppedChars);
  }

  #protocol(text: string): void {
    let msg;
    try {
      msg = parseProtocolLine(text);
    } catch (e) {
      this.log('WARN', `Invalid outputs '${e instanceof Error ? e.message : String(e)}'`);
      return;
    }
    if (msg.outputs) Object.assign(this.vars, msg.outputs);
    for (const m of msg.metrics ?? []) if (++this.#metrics <= MAX_METRICS) this.metric(m);
    for (const l of msg.logs ?? []) this.#logged(l.level, l.message, 0);
  }

  #logged(level: LogLevel, text: string, droppedChars: number): void {
    const over = text.length + droppedChars - MAX_LOGGED_LINE_CHARS;
    const message = over > 0 ? `${text.slice(0, MAX_LOGGED_LINE_CHARS)}… [${fmt(over)} more characters not logged]` : text;
    if (this.#loggedLines >= MAX_LOGGED_LINES || this.#loggedChars + message.length > MAX_LOGGED_CHARS) {
      this.#droppedLines += 1;
      this.#droppedChars += text.length + droppedChars;
      return;
    }
    if (over > 0) this.#cutLines += 1;
    this.#loggedLines += 1;
    this.#loggedChars += message.length;
    this.log(level, message);
  }

  /** The end of the attempt: one WARN line if the caps dropped anything. */
  finish(): void {
    const parts: string[] = [];
    if (this.#droppedLines) parts.push(`${fmt(this.#droppedLines)} lines (${fmt(this.#droppedChars)} characters) were not logged, over the cap of ${fmt(MAX_LOGGED_LINES)} lines or ${fmt(MAX_LOGGED_CHARS)} characters per attempt`);
    if (this.#cutLines) parts.push(`${fmt(this.#cutLines)} lines were cut at ${fmt(MAX_LOGGED_LINE_CHARS)} characters`);
    if (this.#metrics > MAX_METRICS) parts.push(`${fmt(this.#metrics - MAX_METRICS)} metrics were dropped, over the cap of ${fmt(MAX_METRICS)} per attempt`);
    if (parts.length) this.log('WARN', `Output over Troupe's caps: ${parts.join('; ')}`);
  }
}

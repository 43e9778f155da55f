/**
 * Problems found in a flow source, collected so that one pass reports all of them, then thrown as
 * one {@link FlowError}.
 */
import { FlowError, type ErrorCode } from '../errors.js';
import type { Position } from '../yaml/tree.js';

/** One problem of a flow, with its 1-based position and property path. */
export interface FlowProblem {
  code: ErrorCode;
  message: string;
  line: number;
  column: number;
  /** The property path, e.g. `tasks[1].format`; empty for the flow itself. */
  path: string;
}

export type { Position };

/**
 * Advice about a valid flow, with its position: a legacy or deprecated type name, a setting this
 * build ignores, or (deployed leniently) a task type this build cannot run. Never stops a flow.
 */
export interface FlowAdvice {
  message: string;
  line: number;
  column: number;
  path: string;
}

/** Most problems kept for one flow; a hostile flow could otherwise produce millions. */
export const MAX_PROBLEMS = 1000;

/** Collects the problems of one flow, up to {@link MAX_PROBLEMS}. */
export class Problems {
  readonly list: FlowProblem[] = [];
  /** How many problems were found past the cap. */
  dropped = 0;
  /** How many more "did you mean" searches may run: each compares against the whole registry. */
  suggestionBudget = 20;
  /** Advice about the flow, at most {@link MAX_PROBLEMS}. */
  readonly advice: FlowAdvice[] = [];

  /** Records a problem; `code` defaults to TROUPE_FLOW_INVALID. */
  add(at: Position, path: string, message: string, code: ErrorCode = 'TROUPE_FLOW_INVALID'): void {
    if (this.list.length >= MAX_PROBLEMS) this.dropped += 1;
    else this.list.push({ code, message, line: at.line, column: at.column, path });
  }

  /** Records advice (it never makes the flow invalid). */
  advise(at: Position, path: string, message: string): void {
    if (this.advice.length < MAX_PROBLEMS) this.advice.push({ message, line: at.line, column: at.column, path });
  }

  /** How many problems were found, kept or not. */
  get size(): number {
    return this.list.length + this.dropped;
  }
}

/** The text of one problem, `path: message` (`message` alone for the flow itself). */
export function describeProblem(p: FlowProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/**
 * Builds the error thrown for a list of problems: the first problem gives the error its position,
 * every problem gets its own line, and `details.errors` holds them all.
 * The code is the problems' common code when they share one, else TROUPE_FLOW_INVALID.
 */
export function problemsToError(problems: readonly FlowProblem[], file?: string, dropped = 0): FlowError {
  const [first, ...rest] = problems;
  if (!first) throw new Error('problemsToError needs at least one problem');
  const code = problems.every((p) => p.code === first.code) ? first.code : 'TROUPE_FLOW_INVALID';
  const where = (p: FlowProblem): string => [file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const lines = [describeProblem(first), ...rest.map((p) => `${where(p)}: ${describeProblem(p)}`)];
  if (dropped > 0) lines.push(`… and ${dropped} more problems`);
  const position = { ...(file === undefined ? {} : { file }), line: first.line, column: first.column, path: first.path };
  const errors = problems.map((p) => ({ code: p.code, message: describeProblem(p), line: p.line, column: p.column, path: p.path }));
  return new FlowError(code, lines.join('\n'), position, dropped > 0 ? { errors, dropped } : { errors });
}

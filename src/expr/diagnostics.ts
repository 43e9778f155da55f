/**
 * Building {@link ExpressionError}s with the template text and the line of the offending offset.
 */
import { ExpressionError, type ErrorCode } from '../errors.js';

/** The 1-based line of offset `pos` in `source`. */
export function lineAt(source: string, pos: number): number {
  let line = 1;
  const end = Math.min(pos, source.length);
  for (let i = 0; i < end; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** An ExpressionError whose details carry the template and position. */
export function exprError(code: ErrorCode, message: string, template: string, pos: number): ExpressionError {
  return new ExpressionError(code, message, { template, position: pos, line: lineAt(template, pos) });
}

/** A TROUPE_EXPR_SYNTAX error, message suffixed with Pebble's `(<template>:<line>)` location. */
export function syntaxError(message: string, template: string, pos: number): ExpressionError {
  return exprError('TROUPE_EXPR_SYNTAX', `${message} (${shorten(template)}:${lineAt(template, pos)})`, template, pos);
}

/** Kestra's strict-variables message for a missing variable or attribute. */
export function undefinedError(name: string, template: string, pos: number): ExpressionError {
  return exprError(
    'TROUPE_EXPR_UNDEFINED_VARIABLE',
    `Unable to find \`${name}\` used in the expression \`${template}\` at line ${lineAt(template, pos)}`,
    template,
    pos,
  );
}

/** Keeps messages readable when the template is huge. */
export function shorten(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/**
 * Pebble's exception class for an error of a failed render, as Kestra's worker logs it: a render
 * that throws a PebbleException becomes an IllegalVariableEvaluationException whose message is the
 * cause's `toString()` (`<class>: <message>`); a missing variable gets a message of its own, and
 * Troupe's limits, sandbox and type errors have no Pebble class. Kestra's functions and filters fail
 * with a plain PebbleException, parse errors with a ParserException.
 */
const PEBBLE_CLASS: Partial<Record<string, string>> = {
  TROUPE_EXPR_EVALUATION: 'io.pebbletemplates.pebble.error.PebbleException',
  TROUPE_EXPR_SYNTAX: 'io.pebbletemplates.pebble.error.ParserException',
};

/** The message a task's failure logs: a failed render's message prefixed with its Pebble class (see above). */
export function failureLogMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cls = err instanceof ExpressionError ? PEBBLE_CLASS[err.code] : undefined;
  return cls === undefined ? err.message : `${cls}: ${err.message}`;
}

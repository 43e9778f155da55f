/**
 * Kestra's input error wording (§6.2) and Java-style printing of the values those messages quote.
 */

/** One failing input: its id and Kestra's message for it (without the `<id>: ` prefix). */
export interface InputFailure {
  inputId: string;
  message: string;
}

/**
 * A reason given verbatim (Kestra's `IllegalArgumentException` or constraint violation): the
 * resolver wraps it as ``Invalid input for `<id>`, <reason>, but received `<raw>` ``.
 * Any other error thrown while parsing becomes ``Expected `<TYPE>` but received `<value>` with errors: …``.
 */
export class InputReason extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InputReason';
  }
}

/**
 * A message used as is, without the `Invalid input for` wrapper (Kestra's `Cannot render
 * 'expression'` and `Invalid expression result` violations are thrown already built).
 */
export class BareInputMessage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BareInputMessage';
  }
}

/** ``Invalid input for `<id>`, <reason>, but received `<raw>` ``. */
export function invalidInput(id: string, reason: string, raw: unknown): string {
  return `Invalid input for \`${id}\`, ${reason}, but received \`${javaString(raw)}\``;
}

/** ``Expected `<TYPE>` but received `<value>` with errors:\n```\n<cause>\n``` ``. */
export function expectedType(type: string, value: unknown, cause: string): string {
  return `Expected \`${type}\` but received \`${javaString(value)}\` with errors:\n\`\`\`\n${cause}\n\`\`\``;
}

/** ``it must match the values `[A, B]` `` */
export function mustMatchValues(values: readonly unknown[]): string {
  return `it must match the values \`${javaString(values)}\``;
}

/**
 * A value as Java's `toString()` prints it, which is what Kestra's messages quote: `null`,
 * lists as `[a, b]`, maps as `{k=v}`, strings unquoted.
 */
export function javaString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${javaString(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** A float as Java's `Float.toString` prints it: `1.0`, `0.1`, `1.0E10`, `1.0E-4`. */
export function javaFloatString(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa = '', exponent = '0'] = n.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** The message of anything thrown. */
export function causeOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

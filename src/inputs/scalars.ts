/**
 * Scalar inputs: STRING, SECRET, EMAIL, URI, INT, FLOAT, BOOLEAN (§6.1).
 */
import { inputType, kindOf, stringProp, type InputType } from './input-type.js';
import { InputReason, javaFloatString, javaString } from './messages.js';

/** Kestra's URI pattern (FlowInputOutput.URI_PATTERN), matched against the whole string. */
const URI_PATTERN = /^[a-z]+:\/\/(?:www\.)?[-a-zA-Z0-9@:%._+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b(?:[-a-zA-Z0-9()@:%_+.~#?&/=]*)$/;

/** Kestra's EMAIL pattern (EmailInput), typographic apostrophe `’` included. */
const EMAIL_PATTERN = /^$|^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$/;

/** Java's `Integer.parseInt` syntax: an optional sign and ASCII digits. */
const JAVA_INT = /^[+-]?\d+$/;

/** Java's `Float.valueOf` decimal syntax (after trimming), with its optional type suffix. */
const JAVA_FLOAT = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?)$/;

/** `validator`: a Java regex matched against the whole value (`Pattern.matches`). */
function checkPattern(value: unknown, validator: string | undefined): void {
  if (validator === undefined) return;
  if (!new RegExp(`^(?:${validator})$`).test(javaString(value))) {
    throw new InputReason(`it must match the pattern \`${validator}\``);
  }
}

/** STRING: kept as given; `validator` must match the whole value. */
export const STRING: InputType = inputType<unknown>({
  parse: (current) => current,
  validate: (value, input) => checkPattern(value, stringProp(input, 'validator')),
  store: (value) => value,
});

/**
 * SECRET: validated like STRING on the clear text, then stored through `encryptSecret`.
 * Without `encryptSecret` the clear text is stored (Kestra refuses SECRET inputs when no
 * encryption key is configured; Troupe keeps them usable and leaves encryption to the host).
 */
export const SECRET: InputType = inputType<string>({
  parse: (current) => {
    if (typeof current !== 'string') throw new Error(`cannot use ${kindOf(current)} as a SECRET, a string is expected`);
    return current;
  },
  validate: (value, input) => checkPattern(value, stringProp(input, 'validator')),
  store: (value, _input, env) => (env.encryptSecret ? env.encryptSecret(value) : value),
});

/** EMAIL: kept as given; must match Kestra's email pattern (the empty string passes). */
export const EMAIL: InputType = inputType<unknown>({
  parse: (current) => current,
  validate: (value) => {
    if (!EMAIL_PATTERN.test(javaString(value))) throw new InputReason('The input must be a valid email');
  },
  store: (value) => value,
});

/** URI: a string matching Kestra's URI pattern. */
export const URI: InputType = inputType<string>({
  parse: (current) => {
    if (typeof current !== 'string') throw new Error(`cannot use ${kindOf(current)} as a URI, a string is expected`);
    if (!URI_PATTERN.test(current)) throw new InputReason(`Expected \`URI\` but received \`${current}\``);
    return current;
  },
  store: (value) => value,
});

/** INT: a 32-bit integer, or a string `Integer.parseInt` accepts. */
export const INT: InputType = inputType<number>({
  parse: (current) => {
    if (typeof current !== 'string' && typeof current !== 'number') throw new Error(`cannot use ${kindOf(current)} as an INT`);
    const text = String(current);
    const n = JAVA_INT.test(text) ? Number(text) : Number.NaN;
    // NumberFormatException is an IllegalArgumentException: Kestra gives its message verbatim.
    if (!Number.isInteger(n) || n < -2_147_483_648 || n > 2_147_483_647) throw new InputReason(`For input string: "${text}"`);
    return n === 0 ? 0 : n;
  },
  validate: (value, input) => checkRange(value, input, String),
  store: (value) => value,
});

/**
 * FLOAT: a number or a string `Float.valueOf` accepts, rounded to 32 bits as Kestra's `Float`
 * and stored as the shortest decimal that reads back as the same float (`42.42`, not
 * `42.41999816894531`). NaN and infinities are refused: JSON cannot hold them.
 */
export const FLOAT: InputType = inputType<number>({
  parse: (current) => {
    const text = javaString(current).trim();
    if (text === '') throw new InputReason('empty String');
    if (!JAVA_FLOAT.test(text)) throw new InputReason(`For input string: "${text}"`);
    const f = Math.fround(Number(text.replace(/[fFdD]$/, '')));
    if (!Number.isFinite(f)) throw new Error(`${text} is not a finite 32-bit float`);
    return f;
  },
  validate: (value, input) => checkRange(value, input, (n) => javaFloatString(shortestFloat32(n)), Math.fround),
  store: (value) => shortestFloat32(value),
});

/** BOOLEAN: a boolean, or a string: `true` (any case) → true, any other string → false. */
export const BOOLEAN: InputType = inputType<boolean>({
  parse: (current) => {
    if (typeof current === 'boolean') return current;
    if (typeof current === 'string') return current.toLowerCase() === 'true';
    throw new Error(`cannot use ${kindOf(current)} as a BOOLEAN`);
  },
  store: (value) => value,
});

/** `min` / `max`, inclusive, with Kestra's wording; bounds printed as Java prints them. */
function checkRange(value: number, input: { props: Record<string, unknown> }, print: (n: number) => string, round: (n: number) => number = (n) => n): void {
  const min = boundOf(input.props['min'], 'min', round);
  const max = boundOf(input.props['max'], 'max', round);
  if (min !== undefined && value < min) throw new InputReason(`it must be more than \`${print(min)}\``);
  if (max !== undefined && value > max) throw new InputReason(`it must be less than \`${print(max)}\``);
}

function boundOf(raw: unknown, key: string, round: (n: number) => number): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (Number.isNaN(n)) throw new Error(`the \`${key}\` bound \`${javaString(raw)}\` is not a number`);
  return round(n);
}

/** The shortest decimal that rounds to the same 32-bit float. */
function shortestFloat32(f: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

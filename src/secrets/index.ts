/**
 * Secrets as Kestra OSS has them (kestra-plugins.md §4): `secret('my_secret')` reads the
 * environment variable `SECRET_MY_SECRET`, line breaks removed, base64-decoded; and the masking
 * of log lines that hides every secret value a run context has seen. Read by the threads that
 * render (shard and pool): the pure core gets a {@link secretFunction} through its render options.
 * @module
 */
import { Buffer } from 'node:buffer';
import { TroupeError } from '../errors.js';
import type { HostFunction } from '../expr/index.js';

const PREFIX = 'SECRET_';
/** Java's `\R`: every line break sequence. */
const LINE_BREAKS = /\r\n|[\n\u000b\f\r\u0085\u2028\u2029]/g;
/** Java's basic Base64 decoder: the standard alphabet, padding optional, no other character. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** The secrets of one process environment, decoded on first use. */
export class Secrets {
  /** Upper-cased name → the variable's raw value. */
  readonly #raw = new Map<string, { variable: string; value: string }>();
  readonly #decoded = new Map<string, string>();

  constructor(env: Readonly<Record<string, string | undefined>>) {
    for (const [variable, value] of Object.entries(env)) {
      if (variable.startsWith(PREFIX) && value !== undefined) this.#raw.set(variable.slice(PREFIX.length).toUpperCase(), { variable, value });
    }
  }

  /**
   * The clear value of secret `key` (case-insensitive, as Kestra upper-cases it).
   * @throws TROUPE_SECRET_NOT_FOUND without a variable; TROUPE_SECRET_INVALID when it is not base64
   */
  get(key: string): string {
    const name = key.toUpperCase();
    const known = this.#decoded.get(name);
    if (known !== undefined) return known;
    const raw = this.#raw.get(name);
    if (!raw) throw new TroupeError('TROUPE_SECRET_NOT_FOUND', `Cannot find secret for key '${key}'.`);
    const text = raw.value.replace(LINE_BREAKS, '');
    if (!BASE64.test(text)) {
      throw new TroupeError('TROUPE_SECRET_INVALID', `Could not decode secret '${raw.variable}', make sure it is Base64-encoded`);
    }
    const value = Buffer.from(text, 'base64').toString('utf8');
    this.#decoded.set(name, value);
    return value;
  }
}

let processSecrets: Secrets | undefined;

/** The secrets of this thread's environment, read once (Kestra reads them at startup). */
export function envSecrets(): Secrets {
  return (processSecrets ??= new Secrets(process.env));
}

/**
 * The `secret(key)` host function; every value it returns is added to `seen`, the values the
 * run context's log lines are masked with.
 */
export function secretFunction(secrets: Secrets, seen: Set<string>): HostFunction {
  return (args, named) => {
    const key = Object.hasOwn(named, 'key') ? named['key'] : args[0];
    if (typeof key !== 'string' || key === '') throw new TroupeError('TROUPE_EXPR_TYPE', 'secret() needs the key of a secret, a string');
    const value = secrets.get(key);
    if (value !== '') seen.add(value);
    return value;
  };
}

/**
 * Kestra's masking of a log line: for each secret `s` the message contains, every occurrence
 * becomes `*` × length, then the first run of nine `*` becomes `**masked*`.
 * @example maskSecrets('john@doe.com', ['doe.com']) // 'john@*******'
 */
export function maskSecrets(message: string, secrets: Iterable<string>): string {
  let out = message;
  for (const s of secrets) {
    if (s === '' || !out.includes(s)) continue;
    out = out.split(s).join('*'.repeat(s.length));
    out = out.replace(/[*]{9}/, '**masked*');
  }
  return out;
}

/**
 * The credentials the daemon accepts now: basic auth and a bearer token from its options
 * (`--auth`, `--token`), or basic auth set at runtime by `POST /api/v1/basicAuth` and kept, salted
 * and hashed, in the data dir (./basic-auth.ts). Every comparison takes constant time; a stored
 * hash costs one scrypt per daemon start (the first request it verifies), then a SHA-256 compare.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { checkBasicCredentials, hashBasicAuth, loadBasicAuth, matchesBasicAuth, saveBasicAuth, type StoredBasicAuth } from './basic-auth.js';
import type { AuthOptions } from './security.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Most scrypt verifications at once (before the first success): beyond, a request is refused. */
const MAX_VERIFYING = 4;
/** Wrong `user:password` digests remembered, so a client repeating one costs no scrypt. */
const MAX_REFUSED = 256;

/** What {@link Credentials.open} reads. */
export interface CredentialsOptions {
  /** The options' credentials: their basic auth wins over a stored hash at start (as Kestra's configuration). */
  auth?: AuthOptions;
  /** The data dir, where runtime-set credentials are kept; none: they last until the daemon stops. */
  dataDir?: string;
}

/** The daemon's credentials: checked on each request, replaced by `POST /basicAuth`. */
export class Credentials {
  /** The realm of `WWW-Authenticate`. */
  readonly realm: string;
  readonly #dataDir: string | undefined;
  readonly #token: Buffer | undefined;
  /** SHA-256 of the accepted `user:password`, once known (given, set, or verified against the hash). */
  #basic: Buffer | undefined;
  /** The stored salted hash, when the accepted pair is not known yet. */
  #stored: StoredBasicAuth | undefined;
  #verifying = 0;
  #setting: Promise<void> = Promise.resolve();
  readonly #refused = new Set<string>();

  private constructor(options: CredentialsOptions, stored: StoredBasicAuth | undefined) {
    const { auth } = options;
    this.realm = auth?.realm ?? 'Kestra';
    this.#dataDir = options.dataDir;
    this.#token = auth?.token ? digest(auth.token) : undefined;
    this.#basic = auth?.basic ? digest(`${auth.basic.username}:${auth.basic.password}`) : undefined;
    this.#stored = auth?.basic ? undefined : stored;
  }

  /**
   * The credentials of a daemon: its options', else the hash stored in `dataDir` (if any).
   * @throws TroupeError TROUPE_OPTION_INVALID when the stored file is unreadable as a hash
   */
  static async open(options: CredentialsOptions = {}): Promise<Credentials> {
    const stored = options.dataDir !== undefined && !options.auth?.basic ? await loadBasicAuth(options.dataDir) : undefined;
    return new Credentials(options, stored);
  }

  /** Whether requests need credentials at all. */
  get enabled(): boolean {
    return this.basicEnabled || this.#token !== undefined;
  }

  /** Whether basic auth is on (`isBasicAuthEnabled` of /configs). */
  get basicEnabled(): boolean {
    return this.#basic !== undefined || this.#stored !== undefined;
  }

  /**
   * Whether an `Authorization` header carries accepted credentials: a boolean, or a promise of
   * one while a stored hash is verified for the first time.
   */
  check(header: string | undefined): boolean | Promise<boolean> {
    if (!header) return false;
    const space = header.indexOf(' ');
    if (space < 0) return false;
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === 'bearer') return this.#token !== undefined && timingSafeEqual(digest(value), this.#token);
    if (scheme !== 'basic') return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const given = digest(decoded);
    if (this.#basic) return timingSafeEqual(given, this.#basic);
    if (this.#stored) return this.#verify(decoded, given, this.#stored);
    return false;
  }

  async #verify(decoded: string, given: Buffer, stored: StoredBasicAuth): Promise<boolean> {
    const key = given.toString('hex');
    if (this.#refused.has(key) || this.#verifying >= MAX_VERIFYING) return false;
    this.#verifying++;
    try {
      const ok = await matchesBasicAuth(decoded, stored);
      // Replaced meanwhile: judged against the new credentials.
      if (this.#stored !== stored) return this.#basic !== undefined && timingSafeEqual(given, this.#basic);
      if (ok) {
        this.#basic = given;
        this.#stored = undefined;
        this.#refused.clear();
      } else {
        if (this.#refused.size >= MAX_REFUSED) this.#refused.clear();
        this.#refused.add(key);
      }
      return ok;
    } finally {
      this.#verifying--;
    }
  }

  /**
   * Sets basic auth (Kestra's `POST /basicAuth`): checks the body as Kestra does, stores the
   * salted hash durably in the data dir, then accepts the new pair (and no longer the old one).
   * The bearer token, if any, stays valid.
   * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (422) for a username that is not an e-mail, a
   *   missing, blank or over-long password
   */
  setBasic(username: unknown, password: unknown): Promise<void> {
    const c = checkBasicCredentials(username, password);
    // One at a time: the file is replaced in the order the requests came.
    const setting = this.#setting.then(async () => {
      const stored = await hashBasicAuth(c);
      if (this.#dataDir !== undefined) await saveBasicAuth(this.#dataDir, stored);
      this.#basic = digest(`${c.username}:${c.password}`);
      this.#stored = undefined;
      this.#refused.clear();
    });
    this.#setting = setting.catch(() => undefined);
    return setting;
  }
}

/**
 * Basic-auth credentials set at runtime (`POST /api/v1/basicAuth`, kestra-api.md §10): Kestra's
 * rules for a username and password, and their salted hash kept in the data dir so a restart
 * keeps them. Only the hash is ever written: scrypt of `username:password` with a random salt,
 * in `<data>/basic-auth.json` (mode 0600, replaced atomically). The password itself is never
 * stored, logged or sent back.
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TroupeError } from '../errors.js';

/** The file of the data dir that holds the salted hash. */
export const BASIC_AUTH_FILE = 'basic-auth.json';

/** Kestra's username rule: something that looks like an e-mail address. */
const EMAIL = /^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$/;
/** Kestra's bound on each of username and password. */
const MAX_LENGTH = 256;

/** scrypt's cost: 16 MiB and tens of milliseconds per hash, paid once per daemon start (then cached). */
const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

/** Credentials that passed Kestra's checks. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** The salted hash as stored (never the password). */
export interface StoredBasicAuth {
  version: 1;
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64. */
  salt: string;
  /** base64 scrypt of `username:password`. */
  hash: string;
}

function refuse(message: string): TroupeError {
  return new TroupeError('TROUPE_ILLEGAL_ARGUMENT', message);
}

/**
 * Checks a username and password as Kestra's BasicAuthService does (the username an e-mail, a
 * password present, each at most 256 characters), and refuses a blank password (Kestra's UI does).
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT (422) with Kestra's message
 */
export function checkBasicCredentials(username: unknown, password: unknown): BasicCredentials {
  if (typeof username !== 'string' || !EMAIL.test(username)) throw refuse('Invalid username for Basic Authentication. Please provide a valid email address.');
  if (password === undefined || password === null) throw refuse('No password set for Basic Authentication. Please provide a password.');
  if (typeof password !== 'string') throw refuse('Invalid password for Basic Authentication. The password must be a string.');
  if (username.length > MAX_LENGTH || password.length > MAX_LENGTH) throw refuse('The length of email or password should not exceed 256 characters.');
  if (password.trim() === '') throw refuse('Invalid password for Basic Authentication. The password must not be empty or blank.');
  return { username, password };
}

function derive(secret: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The salted hash of credentials (a new random salt). */
export async function hashBasicAuth(c: BasicCredentials): Promise<StoredBasicAuth> {
  const salt = randomBytes(16);
  const hash = await derive(`${c.username}:${c.password}`, salt, COST);
  return { version: 1, algorithm: 'scrypt', ...COST, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/** Whether `user:password` (as decoded from a Basic header) matches a stored hash; constant time. */
export async function matchesBasicAuth(decoded: string, stored: StoredBasicAuth): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await derive(decoded, Buffer.from(stored.salt, 'base64'), { N: stored.N, r: stored.r, p: stored.p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

function isStored(v: unknown): v is StoredBasicAuth {
  const s = v as Partial<StoredBasicAuth> | null;
  return (
    !!s &&
    s.version === 1 &&
    s.algorithm === 'scrypt' &&
    [s.N, s.r, s.p].every((n) => Number.isInteger(n) && n! > 0) &&
    typeof s.salt === 'string' &&
    typeof s.hash === 'string' &&
    s.hash.length > 0
  );
}

/**
 * The stored hash of a data dir; undefined when none was set.
 * @throws TroupeError TROUPE_OPTION_INVALID when the file exists but is not one this build wrote
 *   (the daemon does not start open when credentials were meant to be required)
 */
export async function loadBasicAuth(dataDir: string): Promise<StoredBasicAuth | undefined> {
  const file = join(dataDir, BASIC_AUTH_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isStored(parsed)) throw new TroupeError('TROUPE_OPTION_INVALID', `${file} is not a basic-auth hash this build wrote: remove it (the daemon then starts without these credentials) or restore it`, { option: 'data' });
  return parsed;
}

/** Writes the hash durably (temporary file, fsync, rename, directory fsync), readable by its owner only. */
export async function saveBasicAuth(dataDir: string, stored: StoredBasicAuth): Promise<void> {
  const file = join(dataDir, BASIC_AUTH_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(stored)}\n`);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  await rename(temp, file);
  try {
    const dir = await open(dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some filesystems refuse fsync on a directory: the rename is still atomic.
  }
}

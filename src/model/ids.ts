/**
 * Kestra's ids: a random UUID's 128 bits written in base62 (`[0-9A-Za-z]`), 22 characters at most.
 * Pure: the random bytes come in as an argument.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Encodes 16 random bytes (a UUID) as a base62 id, as Kestra's FriendlyId does. */
export function idFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`an id needs 16 bytes, got ${bytes.length}`);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (n === 0n) return '0';
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out;
}

/** A source of new ids; the runtime gives one backed by crypto, tests a deterministic one. */
export type IdGenerator = () => string;

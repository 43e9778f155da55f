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

/** murmur3's finalizer: every input bit reaches every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Four 32-bit lanes, each seeded differently, over the UTF-16 units of `text`. */
function hash128(text: string): Uint8Array {
  const lanes = [0x9e3779b9, 0x7f4a7c15, 0x94d049bb, 0xbf58476d];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l]! ^ c, 0x01000193 + 2 * l) + (lanes[(l + 1) % 4]! >>> 7);
  }
  const out = new Uint8Array(16);
  for (let l = 0; l < 4; l++) {
    const h = fmix((lanes[l]! ^ text.length ^ Math.imul(l + 1, 0x27d4eb2f)) >>> 0);
    out[l * 4] = h >>> 24;
    out[l * 4 + 1] = (h >>> 16) & 0xff;
    out[l * 4 + 2] = (h >>> 8) & 0xff;
    out[l * 4 + 3] = h & 0xff;
  }
  return out;
}

/**
 * An id derived from `text` (128 bits of a keyed mix, written as Kestra writes ids): what a
 * repeated request must find again instead of creating anew — a ForEachItem batch's child, a
 * Flow trigger's execution for one upstream state.
 */
export function derivedId(text: string): string {
  return idFromBytes(hash128(text));
}

/** A source of new ids; the runtime gives one backed by crypto, tests a deterministic one. */
export type IdGenerator = () => string;

/**
 * MurmurHash3 x64 128-bit (seed 0) of a string's UTF-8 bytes, as Guava's
 * `Hashing.murmur3_128().hashString(s, UTF_8).toString()` prints it (Kestra's `Hashing.hashToString`,
 * which keys a task state by its run's value): the two 64-bit halves as little-endian bytes, in hex.
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;

function fmix(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
}

function readLe(bytes: Uint8Array, from: number, count: number): bigint {
  let v = 0n;
  for (let i = count - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[from + i]!);
  return v;
}

function hexLe(v: bigint): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += Number((v >> BigInt(8 * i)) & 0xffn).toString(16).padStart(2, '0');
  return out;
}

/** Guava's murmur3_128 hash of `value` (UTF-8), as a 32-digit hex string. */
export function murmur3Hex(value: string): string {
  const bytes = new TextEncoder().encode(value);
  let h1 = 0n;
  let h2 = 0n;
  const blocks = Math.floor(bytes.length / 16);
  for (let b = 0; b < blocks; b++) {
    let k1 = readLe(bytes, b * 16, 8);
    let k2 = readLe(bytes, b * 16 + 8, 8);
    k1 = mul(rotl(mul(k1, C1), 31n), C2);
    h1 ^= k1;
    h1 = (mul(((rotl(h1, 27n) + h2) & MASK), 5n) + 0x52dce729n) & MASK;
    k2 = mul(rotl(mul(k2, C2), 33n), C1);
    h2 ^= k2;
    h2 = (mul(((rotl(h2, 31n) + h1) & MASK), 5n) + 0x38495ab5n) & MASK;
  }
  const tail = bytes.length - blocks * 16;
  if (tail > 8) h2 ^= mul(rotl(mul(readLe(bytes, blocks * 16 + 8, tail - 8), C2), 33n), C1);
  if (tail > 0) h1 ^= mul(rotl(mul(readLe(bytes, blocks * 16, Math.min(tail, 8)), C1), 31n), C2);
  const len = BigInt(bytes.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  return hexLe(h1) + hexLe(h2);
}

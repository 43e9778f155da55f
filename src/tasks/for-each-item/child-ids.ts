/**
 * The id of a ForEachItem batch's subflow execution, derived from the `_items` run's id and the
 * batch number: a recovered run asks for the same children again without storing a thousand ids
 * (Subflow stores its one child's id on its run). 128 bits of a keyed mix of both, written as
 * Kestra writes ids (base62). Pure.
 * @module
 */
import { idFromBytes } from '../../model/ids.js';

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

/** The subflow execution id of batch `iteration` (1-based) of the `_items` run `taskRunId`. */
export function batchExecutionId(taskRunId: string, iteration: number): string {
  return idFromBytes(hash128(`${taskRunId}/${iteration}`));
}

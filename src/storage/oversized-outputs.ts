/**
 * Oversized outputs: where Kestra fails a task run whose result passes its message limit, Troupe
 * keeps the run and moves its largest output values to internal storage, each replaced in the
 * outputs by the `kestra://` URI of a file holding it — a string as its text (`.txt`), anything
 * else as JSON (`.json`) — until the outputs fit `maxBytes`. So no record, dispatch or render
 * context grows with the data; a later expression reads the value with `read(outputs.t.key)`
 * (`fromJson(read(…))` for a map or list). docs/reference/storage.md#oversized-outputs.
 * @module
 */
import type { TaskFiles } from './task-files.js';

/** The engine's default `maxOutputBytes`: 1 MiB, the queue-message limit of Kestra's tests. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** What moved: the output key and its new URI, with the size it had. */
export interface MovedOutput {
  key: string;
  uri: string;
  bytes: number;
}

/**
 * The size of a value as UTF-8 JSON, counted until it passes `cap` (then some number above `cap`):
 * small outputs cost a short walk, large ones stop early. Iterative (no recursion on deep values).
 */
export function jsonBytesUpTo(value: unknown, cap: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && total <= cap) {
    const v = stack.pop();
    if (typeof v === 'string') total += Buffer.byteLength(v, 'utf8') + 2;
    else if (v === null || v === undefined) total += 4;
    else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') total += String(v).length;
    else if (typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
      if (Array.isArray(v)) {
        total += 2 + v.length;
        for (const item of v) stack.push(item);
      } else if (v instanceof Uint8Array) total += v.byteLength * 2;
      else {
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          total += Buffer.byteLength(k, 'utf8') + 4;
          stack.push(item);
        }
        total += 2;
      }
    } else total += String(v).length;
  }
  return total;
}

/** Whether outputs fit `maxBytes` as they are: nothing to spill (a short walk for small outputs). */
export function outputsFit(outputs: Record<string, unknown>, maxBytes: number): boolean {
  return jsonBytesUpTo(outputs, maxBytes) <= maxBytes;
}

/** A map is looked into (its own largest values moved instead) when it has at most this many keys. */
const MAX_KEYS_LOOKED_INTO = 64;

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * The outputs to record: unchanged when they fit `maxBytes`, else with their largest values moved
 * to files of the run, largest first, until the rest fits. A map of at most 64 keys is looked into
 * rather than moved whole, so the small values beside a large one stay where they were
 * (OutputValues keeps everything under `values`).
 */
export async function spillOversizedOutputs(outputs: Record<string, unknown>, files: TaskFiles, maxBytes: number, signal?: AbortSignal): Promise<{ outputs: Record<string, unknown>; moved: MovedOutput[] }> {
  if (outputsFit(outputs, maxBytes)) return { outputs, moved: [] };
  const moved: MovedOutput[] = [];
  const out = { ...outputs };
  /** Moves values of `map` (a copy the caller owns) until `excess` bytes are saved; returns the bytes saved. */
  const shrink = async (map: Record<string, unknown>, excess: number, path: string): Promise<number> => {
    const sizes = Object.keys(map)
      .map((key) => ({ key, bytes: jsonBytesUpTo(map[key], Number.POSITIVE_INFINITY) }))
      .sort((a, b) => b.bytes - a.bytes);
    let saved = 0;
    for (const { key, bytes } of sizes) {
      if (saved >= excess) break;
      const value = map[key];
      const name = path === '' ? key : `${path}.${key}`;
      if (isPlainMap(value) && Object.keys(value).length > 0 && Object.keys(value).length <= MAX_KEYS_LOOKED_INTO) {
        const copy = { ...value };
        map[key] = copy;
        saved += await shrink(copy, excess - saved, name);
        continue;
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const stored = await files.put(files.tempName(typeof value === 'string' ? '.txt' : '.json'), text, signal ? { signal } : {});
      map[key] = stored.uri;
      saved += bytes - (Buffer.byteLength(stored.uri, 'utf8') + 2);
      moved.push({ key: name, uri: stored.uri, bytes });
    }
    return saved;
  };
  await shrink(out, jsonBytesUpTo(outputs, Number.POSITIVE_INFINITY) - maxBytes, '');
  return { outputs: out, moved };
}

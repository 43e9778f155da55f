/**
 * One record database of the store: encodes values with the database's own msgpackr encoder
 * (its shared structures) and decodes on read, turning a failed decode into TROUPE_STORE_CORRUPT
 * that names the database and the key.
 */
import type { Database, RangeOptions } from 'lmdb';
import { corruptRecordError, type RecordCodec } from './codec.js';
import { isRecordKey } from './layout.js';
import { TroupeError } from '../errors.js';

/** A key of a record database: a string or an array of strings and numbers. */
type RecordKey = string | Array<string | number>;

/** A record database with decoding checked. */
export class RecordTable {
  /** The lmdb-js database (values written pre-encoded with `asBinary`). */
  readonly db: Database<unknown, RecordKey>;
  readonly name: string;
  readonly #file: string;
  readonly #codec: RecordCodec;

  constructor(db: Database<unknown, RecordKey>, name: string, file: string) {
    this.db = db;
    this.name = name;
    this.#file = file;
    // lmdb-js keeps the msgpackr encoder it built (with the shared structures) on the database.
    this.#codec = (db as unknown as { encoder: RecordCodec }).encoder;
  }

  /** Encodes a record value; a new shape is saved to the shared structures first. */
  encode(value: unknown): Buffer {
    return this.#codec.encode(value);
  }

  /** The record at `key`, decoded. */
  get(key: RecordKey): unknown {
    let value: unknown;
    try {
      value = this.db.get(key);
    } catch (err) {
      throw corruptRecordError(this.#file, this.name, key, err);
    }
    if (value !== undefined) this.#checkShape(key, value);
    return value;
  }

  /** The values of a key range in key order, at most `limit`. */
  range(options: RangeOptions, limit?: number): unknown[] {
    return this.entries(options, limit).map((e) => e.value);
  }

  /** The entries of a key range in key order, at most `limit`, the shared-structures entry left out. */
  entries(options: RangeOptions, limit?: number): Array<{ key: RecordKey; value: unknown }> {
    const out: Array<{ key: RecordKey; value: unknown }> = [];
    try {
      for (const { key, value } of this.db.getRange(options)) {
        if (!isRecordKey(key)) continue;
        this.#checkShape(key, value);
        out.push({ key, value });
        if (out.length === limit) break;
      }
    } catch (err) {
      if (err instanceof TroupeError) throw err;
      throw corruptRecordError(this.#file, this.name, this.#findUndecodable(options) ?? options.start, err);
    }
    return out;
  }

  /** The values of a key range in key order, decoded one at a time as they are read. */
  *iterate(options: RangeOptions): Generator<unknown> {
    try {
      for (const { key, value } of this.db.getRange(options)) {
        if (!isRecordKey(key)) continue;
        this.#checkShape(key, value);
        yield value;
      }
    } catch (err) {
      if (err instanceof TroupeError) throw err;
      throw corruptRecordError(this.#file, this.name, this.#findUndecodable(options) ?? options.start, err);
    }
  }

  /** The keys of a range in key order, the shared-structures entry left out. */
  keys(options: RangeOptions): RecordKey[] {
    const out: RecordKey[] = [];
    for (const key of this.db.getKeys(options)) if (isRecordKey(key)) out.push(key);
    return out;
  }

  /** The first key of a range (the last when `reverse`), the shared-structures entry left out. */
  lastKey(options: RangeOptions): RecordKey | undefined {
    for (const key of this.db.getKeys(options)) if (isRecordKey(key)) return key;
    return undefined;
  }

  /** Every record is a plain object: anything else decoded from valid msgpack is damage. */
  #checkShape(key: RecordKey, value: unknown): void {
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) return;
    throw corruptRecordError(this.#file, this.name, key, new Error(`the value is ${describe(value)}, not a record`));
  }

  /** The first key of a range whose value does not decode (a slow pass, run once a read failed). */
  #findUndecodable(options: RangeOptions): RecordKey | undefined {
    for (const key of this.db.getKeys(options)) {
      const bytes = this.db.getBinary(key);
      if (!bytes) continue;
      try {
        this.#codec.decode(bytes);
      } catch {
        return key;
      }
    }
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${value.constructor?.name ?? 'null-prototype object'}`;
  return `a ${typeof value}`;
}

/**
 * Kestra's KV values in JavaScript: the type a stored value reads back as, `kvType` conversions
 * of kv.Set, keys and Java's Instant text (kestra-plugins.md §3.1).
 * @module
 */
import { TroupeError } from '../errors.js';
import { parseDuration } from '../model/duration.js';
import { formatIsoDuration } from '../model/state.js';
import type { KvRecord } from '../store/types.js';
import type { KvPut, KvPutOptions, KvType, KvTypedValue } from './types.js';

const KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Kestra's check of a KV key (`KVStore.validateKey`). */
export function validateKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', 'Key cannot be null or empty');
  if (!KEY.test(key)) {
    throw new TroupeError(
      'TROUPE_ILLEGAL_ARGUMENT',
      'Key must start with an alphanumeric character (uppercase or lowercase) and can contain alphanumeric characters (uppercase or lowercase), dots (.), underscores (_), and hyphens (-) only.',
      { key },
    );
  }
  return key;
}

/** A stored string that reads back as a Duration (`InternalKVStore.DURATION_PATTERN`). */
const DURATION_PATTERN = /^P(?=[^T]|T.)(?:\d*D)?(?:T(?=.)(?:\d*H)?(?:\d*M)?(?:\d*S)?)?$/;

/** An ISO instant as Java's `Instant.parse` reads it (an offset or `Z`, fractions up to nanoseconds). */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Java's `Instant.toString()` of epoch milliseconds: `2021-09-01T01:02:03Z`, `…03.120Z`. */
export function instantText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Parses an ISO instant (`Instant.parse`) to epoch milliseconds.
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT with Java's message when it is not one
 */
export function parseInstant(text: string): number {
  const m = INSTANT.exec(text.trim());
  const ms = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${(m[7] ?? '0').padEnd(3, '0').slice(0, 3)}${m[8]!.toUpperCase()}`) : NaN;
  if (Number.isNaN(ms)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Text '${text}' could not be parsed as an instant (e.g. 2024-01-01T00:00:00Z)`);
  return ms;
}

/** What a stored record reads back as: its type, and the value (a duration string normalized as Java prints it). */
export function typedValue(record: KvRecord): KvTypedValue {
  const value = record.value;
  if (record.type) return { type: record.type, value };
  if (typeof value === 'string' && DURATION_PATTERN.test(value)) return { type: 'DURATION', value: formatIsoDuration(parseDuration(value)) };
  return { type: typeOfValue(value), value };
}

function typeOfValue(value: unknown): KvType {
  if (value === null || value === undefined || typeof value === 'string') return 'STRING';
  if (typeof value === 'number' || typeof value === 'bigint') return 'NUMBER';
  if (typeof value === 'boolean') return 'BOOLEAN';
  return 'JSON';
}

/**
 * kv.Set's `kvType`: converts a rendered string as Kestra does (other values are kept). NUMBER
 * and JSON parse JSON, BOOLEAN is Java's parseBoolean, DATETIME and DATE both read an instant
 * (a plain date fails, as in Kestra), DURATION stores decimal seconds (Kestra's Ion writes a
 * Duration so; it reads back as a NUMBER).
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT when the string cannot be converted
 */
export function convertKvType(value: unknown, kvType: KvType | undefined): Pick<KvPut, 'value' | 'dateType'> {
  if (kvType === undefined || typeof value !== 'string') return { value };
  switch (kvType) {
    case 'NUMBER': {
      const n = parseJson(value, kvType);
      if (typeof n !== 'number') throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Cannot convert '${value}' to a NUMBER`);
      return { value: n };
    }
    case 'BOOLEAN':
      return { value: value.toLowerCase() === 'true' };
    case 'DATETIME':
    case 'DATE':
      return { value: instantText(parseInstant(value)), dateType: 'DATETIME' };
    case 'DURATION': {
      let ms: number;
      try {
        if (/^[+-]?\d/.test(value.trim())) throw new RangeError('not ISO');
        ms = parseDuration(value);
      } catch {
        throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Text '${value}' cannot be parsed to a Duration`);
      }
      return { value: ms / 1000 };
    }
    case 'JSON':
      return { value: parseJson(value, kvType) };
    default:
      return { value };
  }
}

function parseJson(text: string, kvType: KvType): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Cannot convert '${text}' to ${kvType}: ${(err as Error).message}`);
  }
}

/**
 * A put of the API, the CLI or the client: the ttl read as an ISO 8601 duration.
 * @throws TroupeError TROUPE_ILLEGAL_ARGUMENT for a ttl that is not one, or is negative
 */
export function apiPut(value: unknown, options: KvPutOptions = {}): KvPut {
  const put: KvPut = { value };
  if (options.dateType === 'DATE' || options.dateType === 'DATETIME') put.dateType = options.dateType;
  if (options.overwrite === false) put.overwrite = false;
  if (options.ttl !== undefined) {
    try {
      if (typeof options.ttl !== 'string' || !/^[+-]?P/i.test(options.ttl.trim())) throw new RangeError('not ISO');
      put.ttlMs = parseDuration(options.ttl);
    } catch {
      throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Text '${String(options.ttl)}' cannot be parsed to a Duration (ttl, e.g. PT5M)`, { ttl: options.ttl });
    }
  }
  return put;
}

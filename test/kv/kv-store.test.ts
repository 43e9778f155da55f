import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { LmdbKvStore, convertKvType, kvFunction, parseIonValue } from '../../src/kv/index.js';
import { renderString } from '../../src/expr/index.js';
import { createTempDir } from '../store/fixtures.js';

let tmp: ReturnType<typeof createTempDir>;
let store: Store;
let nowMs: number;
let kv: LmdbKvStore;

beforeEach(() => {
  tmp = createTempDir();
  store = openStore({ dataDir: tmp.dir, noSync: true });
  nowMs = Date.parse('2024-06-01T10:00:00Z');
  kv = new LmdbKvStore(store, () => nowMs);
});

afterEach(async () => {
  await store.close();
  tmp.remove();
});

const KEY_MESSAGE = 'Key must start with an alphanumeric character (uppercase or lowercase) and can contain alphanumeric characters (uppercase or lowercase), dots (.), underscores (_), and hyphens (-) only.';

describe('KV store', () => {
  it('puts, reads back typed values, lists and deletes, surviving a reopen', async () => {
    await kv.put('company.team', 'str', { value: 'hello' });
    await kv.put('company.team', 'num', { value: 42 });
    await kv.put('company.team', 'bool', { value: false });
    await kv.put('company.team', 'map', { value: { a: [1, 2] } });
    await kv.put('company.team', 'dur', { value: 'PT5S' });
    await kv.put('company.team', 'when', { value: '2021-09-01T01:02:03Z', dateType: 'DATETIME' });
    await kv.put('company.team', 'day', { value: '2021-09-01', dateType: 'DATE' });
    await kv.put('company.team.sub', 'other', { value: 1 });
    await store.close();
    store = openStore({ dataDir: tmp.dir, noSync: true });
    kv = new LmdbKvStore(store, () => nowMs);
    expect(kv.get('company.team', 'str')).toEqual({ type: 'STRING', value: 'hello' });
    expect(kv.get('company.team', 'num')).toEqual({ type: 'NUMBER', value: 42 });
    expect(kv.get('company.team', 'bool')).toEqual({ type: 'BOOLEAN', value: false });
    expect(kv.get('company.team', 'map')).toEqual({ type: 'JSON', value: { a: [1, 2] } });
    expect(kv.get('company.team', 'dur')).toEqual({ type: 'DURATION', value: 'PT5S' });
    expect(kv.get('company.team', 'when')).toEqual({ type: 'DATETIME', value: '2021-09-01T01:02:03Z' });
    expect(kv.get('company.team', 'day')).toEqual({ type: 'DATE', value: '2021-09-01' });
    expect(kv.get('company.team', 'nope')).toBeUndefined();
    expect(kv.list('company.team').map((e) => e.key)).toEqual(['bool', 'day', 'dur', 'map', 'num', 'str', 'when']);
    expect(kv.list('company.team', 'd').map((e) => e.key)).toEqual(['day', 'dur']);
    expect(kv.list('company.team.sub')).toEqual([{ key: 'other', creationDate: '2024-06-01T10:00:00Z', updateDate: '2024-06-01T10:00:00Z' }]);
    expect(await kv.delete('company.team', ['str', 'nope', 'num'])).toEqual(['str', 'num']);
    expect(kv.get('company.team', 'str')).toBeUndefined();
  });

  it('keeps the creation date on overwrite, refuses overwrite: false on a live key', async () => {
    await kv.put('ns', 'k', { value: 1 });
    nowMs += 60_000;
    await kv.put('ns', 'k', { value: 2 });
    expect(kv.list('ns')).toEqual([{ key: 'k', creationDate: '2024-06-01T10:00:00Z', updateDate: '2024-06-01T10:01:00Z' }]);
    await expect(kv.put('ns', 'k', { value: 3, overwrite: false })).rejects.toMatchObject({
      code: 'TROUPE_KV_EXISTS',
      message: "Cannot set value for key 'k'. Key already exists and `overwrite` is set to `false`.",
    });
    expect(kv.get('ns', 'k')?.value).toBe(2);
  });

  it('expires: listed until the ttl, then hidden, reads fail once and the entry is deleted', async () => {
    await kv.put('ns', 'short', { value: 'x', ttlMs: 5 * 60_000 });
    await kv.put('ns', 'long', { value: 'y' });
    expect(kv.list('ns')).toContainEqual({ key: 'short', creationDate: '2024-06-01T10:00:00Z', updateDate: '2024-06-01T10:00:00Z', expirationDate: '2024-06-01T10:05:00Z' });
    nowMs += 5 * 60_000 + 1;
    expect(kv.list('ns').map((e) => e.key)).toEqual(['long']);
    expect(() => kv.get('ns', 'short')).toThrow(expect.objectContaining({ code: 'TROUPE_KV_EXPIRED', message: 'The requested value has expired' }));
    await expect.poll(() => store.kvGet('ns', 'short')).toBeUndefined();
    expect(kv.get('ns', 'short')).toBeUndefined();
    // An expired key no longer blocks overwrite: false.
    await kv.put('ns', 'again', { value: 1, ttlMs: 0 });
    nowMs += 1;
    await kv.put('ns', 'again', { value: 2, overwrite: false });
    expect(kv.get('ns', 'again')?.value).toBe(2);
  });

  it('sweeps expired entries in bounded batches', async () => {
    for (let i = 0; i < 25; i++) await kv.put(`ns${i % 3}`, `k${i}`, { value: i, ttlMs: i % 2 === 0 ? 1000 : 1e9 });
    nowMs += 2000;
    const deleted: number[] = [];
    for (let i = 0; i < 4; i++) deleted.push(await kv.sweepExpired(10));
    expect(deleted.slice(0, 3).reduce((a, b) => a + b)).toBe(13);
    expect(store.kvScan(undefined, 100)).toHaveLength(12);
  });

  it('refuses bad keys and a negative ttl with Kestra messages', async () => {
    for (const key of ['', '.a', 'a b', 'a/b', '../x', 'é']) {
      await expect(kv.put('ns', key, { value: 1 })).rejects.toMatchObject({ code: 'TROUPE_ILLEGAL_ARGUMENT' });
      expect(() => kv.get('ns', key)).toThrow(expect.objectContaining({ code: 'TROUPE_ILLEGAL_ARGUMENT' }));
    }
    await expect(kv.put('ns', 'a b', { value: 1 })).rejects.toThrow(KEY_MESSAGE);
    await expect(kv.put('ns', 'k', { value: 1, ttlMs: -1 })).rejects.toThrow('ttl cannot be negative');
    expect(store.kvScan(undefined, 10)).toEqual([]);
  });

  it('lets a flow reach its own namespace and its parents, others only when they exist', async () => {
    kv.checkAccess('company.team', 'company.team');
    kv.checkAccess('company', 'company.team');
    expect(() => kv.checkAccess('other', 'company.team')).toThrow("Cannot access the KV store. The namespace 'other' does not exist.");
    await kv.put('other', 'k', { value: 1 });
    kv.checkAccess('other', 'company.team');
    await store.putFlow({ namespace: 'flows.here.deep', id: 'f', revision: 1, source: '', updated: '2024-01-01T00:00:00Z' });
    kv.checkAccess('flows.here', 'company.team');
  });
});

describe('kvType conversions (kv.Set)', () => {
  it('converts rendered strings as Kestra does', () => {
    expect(convertKvType('12.5', 'NUMBER')).toEqual({ value: 12.5 });
    expect(convertKvType('TRUE', 'BOOLEAN')).toEqual({ value: true });
    expect(convertKvType('yes', 'BOOLEAN')).toEqual({ value: false });
    expect(convertKvType('2024-01-02T03:04:05.120+01:00', 'DATETIME')).toEqual({ value: '2024-01-02T02:04:05.120Z', dateType: 'DATETIME' });
    expect(convertKvType('2024-01-02T00:00:00Z', 'DATE')).toEqual({ value: '2024-01-02T00:00:00Z', dateType: 'DATETIME' });
    expect(convertKvType('PT1M30S', 'DURATION')).toEqual({ value: 90 });
    expect(convertKvType('{"a":1}', 'JSON')).toEqual({ value: { a: 1 } });
    expect(convertKvType('x', 'STRING')).toEqual({ value: 'x' });
    expect(convertKvType({ a: 1 }, 'STRING')).toEqual({ value: { a: 1 } });
    expect(() => convertKvType('2024-01-02', 'DATE')).toThrow(/could not be parsed/);
    expect(() => convertKvType('abc', 'NUMBER')).toThrow(/NUMBER/);
    expect(() => convertKvType('5', 'DURATION')).toThrow(/Duration/);
  });
});

describe('Ion bodies (PUT …/kv/{key})', () => {
  it('reads the values of Kestra\'s KVControllerTest', () => {
    expect(parseIonValue('{hello:"world"}')).toEqual({ value: { hello: 'world' } });
    expect(parseIonValue('{"hello":"world"}')).toEqual({ value: { hello: 'world' } });
    expect(parseIonValue('["hello","world"]')).toEqual({ value: ['hello', 'world'] });
    expect(parseIonValue('"hello"')).toEqual({ value: 'hello' });
    expect(parseIonValue('1')).toEqual({ value: 1 });
    expect(parseIonValue('1.0')).toEqual({ value: 1 });
    expect(parseIonValue('true')).toEqual({ value: true });
    expect(parseIonValue('2021-09-01')).toEqual({ value: '2021-09-01', dateType: 'DATE' });
    expect(parseIonValue('2021-09-01T01:02:03Z')).toEqual({ value: '2021-09-01T01:02:03Z', dateType: 'DATETIME' });
    expect(parseIonValue('hello')).toEqual({ value: 'hello' });
    expect(parseIonValue(" /* c */ a::{'x y': [1, null.int, (2 3)], z: '''ab''' '''cd'''} // end")).toEqual({ value: { 'x y': [1, null, [2, 3]], z: 'abcd' } });
    expect(parseIonValue('{__proto__: 1}').value).toEqual(JSON.parse('{"__proto__": 1}'));
  });

  it('refuses what is not one value', () => {
    for (const body of ['', '{', '{a 1}', '"x', '1 2', '[1,,2]', '2021-13-45', '1_', '{a::1}', '['.repeat(2000)]) {
      expect(() => parseIonValue(body), body).toThrow(expect.objectContaining({ code: 'TROUPE_ILLEGAL_ARGUMENT' }));
    }
    expect(() => parseIonValue('{')).toThrow('Invalid JSON value for: {');
  });
});

describe('kv() function', () => {
  const render = (template: string, namespace = 'company.team'): string =>
    renderString(template, { flow: { namespace, id: 'f' } }, { functions: { kv: kvFunction(() => kv) } });

  it('reads the flow namespace by default, another by argument, null when missing', async () => {
    await kv.put('company.team', 'name', { value: 'Ada' });
    await kv.put('company', 'top', { value: { n: 3 } });
    expect(render("{{ kv('name') }}")).toBe('Ada');
    expect(render("{{ kv('top', 'company').n }}")).toBe('3');
    expect(render("{{ kv(key='top', namespace='company') | json }}")).toBe('{"n":3}');
    expect(render("[{{ kv('missing') }}]")).toBe('[]');
    expect(render("{{ kv('missing') ?? 'fallback' }}")).toBe('fallback');
  });

  it('fails with errorOnMissing, on an unknown namespace and on an expired key', async () => {
    expect(() => render("{{ kv('missing', errorOnMissing=true) }}")).toThrow("The key 'missing' does not exist in the namespace 'company.team'.");
    expect(() => render("{{ kv('x', 'elsewhere') }}")).toThrow("Cannot access the KV store. The namespace 'elsewhere' does not exist.");
    await kv.put('company.team', 'gone', { value: 1, ttlMs: 0 });
    nowMs += 1;
    expect(() => render("{{ kv('gone') }}")).toThrow('The requested value has expired');
    expect(() => render('{{ kv() }}')).toThrow("The 'kv' function expects an argument 'key'.");
  });
});

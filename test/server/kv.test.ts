import { afterEach, describe, expect, it } from 'vitest';
import { openTestApp, type TestApp } from './helpers.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const KEY_ERROR = 'Illegal argument: Key must start with an alphanumeric character (uppercase or lowercase) and can contain alphanumeric characters (uppercase or lowercase), dots (.), underscores (_), and hyphens (-) only.';
const JSON_TYPE = { 'content-type': 'application/json' };

describe('KV routes', () => {
  it('puts Ion/JSON bodies and reads them back typed, as Kestra\'s KVControllerTest', async () => {
    t = await openTestApp();
    const { app } = t;
    const cases: Array<[string, string, unknown]> = [
      ['{hello:"world"}', 'JSON', { hello: 'world' }],
      ['["hello","world"]', 'JSON', ['hello', 'world']],
      ['"hello"', 'STRING', 'hello'],
      ['1', 'NUMBER', 1],
      ['1.5', 'NUMBER', 1.5],
      ['true', 'BOOLEAN', true],
      ['false', 'BOOLEAN', false],
      ['2021-09-01', 'DATE', '2021-09-01'],
      ['2021-09-01T01:02:03Z', 'DATETIME', '2021-09-01T01:02:03Z'],
      ['"PT5S"', 'DURATION', 'PT5S'],
    ];
    for (const [body, type, value] of cases) {
      for (const prefix of ['/api/v1', '/api/v1/main']) {
        const put = await app.inject({ method: 'PUT', url: `${prefix}/namespaces/company.team/kv/my-key`, headers: JSON_TYPE, payload: body });
        expect(put.statusCode, body).toBe(200);
        expect(put.body).toBe('');
        const get = await app.inject({ url: `${prefix}/namespaces/company.team/kv/my-key` });
        expect(get.statusCode).toBe(200);
        expect(get.json(), body).toEqual({ type, value });
      }
    }
    const text = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/company.team/kv/plain', headers: { 'content-type': 'text/plain' }, payload: 'word' });
    expect(text.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/namespaces/company.team/kv/plain' })).json()).toEqual({ type: 'STRING', value: 'word' });
  });

  it('lists live keys with their dates, honours the ttl header, deletes one or many', async () => {
    t = await openTestApp();
    const { app } = t;
    await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/a', headers: JSON_TYPE, payload: '1' });
    await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/b', headers: { ...JSON_TYPE, ttl: 'PT5M' }, payload: '2' });
    await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/c', headers: JSON_TYPE, payload: '3' });
    const list = (await app.inject({ url: '/api/v1/namespaces/ns/kv' })).json() as Array<Record<string, string>>;
    expect(list.map((e) => e.key)).toEqual(['a', 'b', 'c']);
    expect(Object.keys(list[0]!)).toEqual(['key', 'creationDate', 'updateDate']);
    const ttl = Date.parse(list[1]!.expirationDate!) - Date.parse(list[1]!.creationDate!);
    expect(ttl).toBe(300_000);
    expect((await app.inject({ url: '/api/v1/namespaces/empty/kv' })).json()).toEqual([]);

    const del = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/ns/kv/a' });
    expect(del.statusCode).toBe(200);
    expect(del.body).toBe('true');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/ns/kv/a' })).body).toBe('false');
    const bulk = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/ns/kv', headers: JSON_TYPE, payload: JSON.stringify({ keys: ['b', 'missing', 'c', 'bad key'] }) });
    expect(bulk.statusCode).toBe(200);
    expect(bulk.json()).toEqual({ keys: ['b', 'c'] });
    expect((await app.inject({ url: '/api/v1/namespaces/ns/kv' })).json()).toEqual([]);
  });

  it('answers bad input with Kestra\'s statuses and messages', async () => {
    t = await openTestApp();
    const { app, engine } = t;
    for (const [method, payload] of [['GET', undefined], ['PUT', '1'], ['DELETE', undefined]] as const) {
      const res = await app.inject({ method, url: '/api/v1/namespaces/ns/kv/bad%20key', ...(payload ? { headers: JSON_TYPE, payload } : {}) });
      expect(res.statusCode, method).toBe(422);
      expect(res.json().message).toBe(KEY_ERROR);
    }
    const missing = await app.inject({ url: '/api/v1/namespaces/ns/kv/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe("Not Found: No value found for key 'nope' in namespace 'ns'");

    const invalid = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/k', headers: JSON_TYPE, payload: '{"a": ' });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().message).toBe('Illegal argument: Invalid JSON value for: {"a": ');
    const empty = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/k', headers: JSON_TYPE, payload: '' });
    expect(empty.statusCode).toBe(422);

    for (const ttl of ['-PT5M', 'soon', 'P1Y']) {
      const res = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/k', headers: { ...JSON_TYPE, ttl }, payload: '1' });
      expect(res.statusCode, ttl).toBe(422);
      expect(res.json().message, ttl).toMatch(/^Illegal argument: /);
    }
    expect((await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/k', headers: { ...JSON_TYPE, ttl: '-PT5M' }, payload: '1' })).json().message).toBe('Illegal argument: ttl cannot be negative');

    const deep = await app.inject({ method: 'PUT', url: '/api/v1/namespaces/ns/kv/k', headers: JSON_TYPE, payload: '['.repeat(5000) + ']'.repeat(5000) });
    expect(deep.statusCode).toBe(422);
    const badBulk = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/ns/kv', headers: JSON_TYPE, payload: '{"keys": 3}' });
    expect(badBulk.statusCode).toBe(422);
    const badJson = await app.inject({ method: 'DELETE', url: '/api/v1/namespaces/ns/kv', headers: JSON_TYPE, payload: '{' });
    expect(badJson.statusCode).toBe(422);
    expect(badJson.json().message).toMatch(/^Illegal argument: Invalid json/);
    expect(await engine.kvList('ns')).toEqual([]);

    await engine.kvPut('ns', 'old', 'x', { ttl: 'PT0S' });
    await new Promise((r) => setTimeout(r, 5));
    const expired = await app.inject({ url: '/api/v1/namespaces/ns/kv/old' });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().message).toBe('Resource has expired: The requested value has expired');
    expect((await app.inject({ url: '/api/v1/namespaces/ns/kv/old' })).statusCode).toBe(404);
  });
});

/**
 * Fuzzing the daemon's routes (issue 11, "Bad input"): at least 10,000 generated requests per run,
 * through inject() (no socket), against every route the app registers — found in the app itself,
 * so routes added later are fuzzed too (SSE follow streams aside: they stay open by design).
 * Malformed and unknown JSON, wrong content types, invalid YAML, malformed multipart, bad dates
 * and numbers, unknown ids, path traversal (`..`, `%2e%2e`, backslashes, absolute paths), odd
 * methods and Origins. Every answer must be below 500, every
 * 4xx a Kestra error body, and the daemon must still answer afterwards.
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed (fixed, so a CI failure replays) and the count.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_FLOW, multipart, openTestApp, type TestApp } from './helpers.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261130);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 10_000);

const NAMESPACE = 'test.api';
const FLOW_ID = 'hello';
let t: TestApp;
let executionId: string;
/** A route the app serves: its path pattern and methods. */
interface Route {
  path: string;
  methods: string[];
}
let routes: Route[];

/**
 * The app's routes, from fastify's printed tree (`├── /segment (GET, HEAD)`, four characters of
 * indent per level; `:a|:b` is one position two routes name differently).
 */
function routesOf(tree: string): Route[] {
  const out: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const segment = m[2]!.split('|')[0]!;
    const path = `${depth ? stack[depth - 1]! : ''}${segment.startsWith('/') || segment === '*' ? '' : '/'}${segment === '*' ? '/*' : segment}`;
    stack[depth] = path;
    out.push({ path, methods: m[3]!.split(', ') });
  }
  return out;
}

const TRAVERSAL = ['..', '../..', '%2e%2e', '%2E%2E%2F%2E%2E', '..%2f..%2fetc%2fpasswd', '..\\..\\windows', '%5c..%5c', '/etc/passwd', '%2Fetc%2Fpasswd', 'C:\\Windows\\system32', '....//', '%00', 'a%00b', '.', '~', '%252e%252e'];
const ODD = ['', ' ', '%', '%zz', '%ff%fe', 'null', 'undefined', '-1', '0', '9'.repeat(40), 'a'.repeat(600), '💥', 'é', '<script>', "' OR 1=1 --", '{{ 7*7 }}', '${jndi:x}', 'search', 'validate', '__proto__', 'constructor'];

/** A path parameter: a real value, something odd, or anything (percent-encoded or raw). */
function paramArb(name: string): fc.Arbitrary<string> {
  const real = name === 'namespace' ? [NAMESPACE, 'test', 'company.team'] : name === 'id' || name === 'executionId' ? [executionId, FLOW_ID] : name === 'flowId' ? [FLOW_ID] : ['x'];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...real) },
    { weight: 2, arbitrary: fc.constantFrom(...TRAVERSAL, ...ODD) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map((s) => encodeURIComponent(s).replaceAll('%2F', '/')) },
  );
}

const BAD_DATES = ['2024-13-45T25:61', 'yesterday', '2024-01-01', '2024-01-01T00:00:00+99:00', '0000-00-00T00:00', '+275760-09-13T00:00:00.001Z', '2024-02-30T10:00', 'P1Y', 'PT', '-PT1H', '1e999', 'NaN'];
const QUERY_KEYS = ['subflows', 'page', 'size', 'sort', 'namespace', 'flowId', 'q', 'state', 'labels', 'startDate', 'endDate', 'timeRange', 'revision', 'wait', 'scheduleDate', 'delete', 'path', 'deleteLogs', 'isOnKillCascade', 'minLevel', 'taskRunId', 'attempt', 'allowDeleted', 'source', 'scope', 'childFilter', 'breakpoints', 'kind', 'key', 'triggerId', 'includeChildren'];
const queryValueArb = fc.oneof(
  fc.constantFrom(...BAD_DATES, ...TRAVERSAL, ...ODD, '1', '-5', '0', '2147483648', '1.5', '1e3', 'true', 'false', 'TRUE', 'yes', 'SUCCESS', 'RUNNING', 'nope', 'state.startDate:desc', 'id:sideways', 'key:value', ':', 'k:', 'INFO', 'TRACE', 'LOUD', '2024-01-01T00:00:00Z', 'PT1H', 'P1D', 'kestra:///a/b', NAMESPACE, FLOW_ID),
  fc.string({ maxLength: 30 }),
  fc.integer().map(String),
  fc.double().map(String),
);
/** A query string: known keys and unknown ones, repeated at times, values good and bad. */
const queryArb = fc
  .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) }), queryValueArb), { maxLength: 5 })
  .map((pairs) =>
    pairs
      // A creation that waits could wait for an execution scheduled far ahead: `wait` stays false.
      .filter(([k, v]) => !(k === 'wait' && v === 'true'))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&'),
  );

const FLOW_YAML = (id: string, ns: string, extra = ''): string => `id: ${id}\nnamespace: ${ns}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi${extra}\n`;
const BAD_YAML = [
  'id: [unclosed',
  'id: x\n\tnamespace: tab',
  'key: "unterminated',
  '- a\nb: c',
  '&a [*a]',
  'a: &x 1\nb: *y',
  '{'.repeat(200) + '}'.repeat(200),
  '- '.repeat(300) + 'x',
  'a: 1\na: 2',
  `a: &a ["x","x"]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c]\ne: [*d,*d,*d,*d]`,
  '%YAML 9.9\n---\na: 1',
  '!!binary |\n  ####',
  '!!js/function "function(){}"',
  'id: x\nnamespace: y\ntasks: 5',
  'id: x\nnamespace: y\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    unknownProp: 1',
  'id: x\nnamespace: y\ntasks:\n  - id: t\n    type: io.kestra.nope.Nope',
  'id: "../../etc"\nnamespace: "../x"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi',
  'id: x\nnamespace: y\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: "{{ unclosed"',
  'id: x\nnamespace: y\ninputs:\n  - id: i\n    type: NOPE\ntasks: []',
  'id: x\nnamespace: y\ntriggers:\n  - id: s\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "not a cron"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: hi',
  '---\n---\n---',
  '\u0000\u0001\u0002',
];
const BAD_JSON = ['{', '{"a":', '[1,2', '{"a":1}}', 'nul', '"\\u12"', '{"__proto__": {"polluted": 1}}', '{"constructor": {"prototype": {"x": 1}}}', '[' .repeat(2000) + ']'.repeat(2000), '1e999999', '{"a": NaN}', '\ufeff{}'];
const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-16',
  'application/x-yaml',
  'application/yaml',
  'text/yaml',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data',
  'multipart/form-data; boundary=nope',
  'application/x-www-form-urlencoded',
  'foo/bar;;;=',
  '',
  'application/json; boundary=x',
  'text/event-stream',
];

/** A body and its content type, well-formed or not, matching its type or not. */
const bodyArb: fc.Arbitrary<{ payload?: string; contentType?: string }> = fc.oneof(
  fc.constant({}),
  fc.record({ payload: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), contentType: fc.constantFrom<string | undefined>('application/json', ...CONTENT_TYPES) }),
  fc.record({ payload: fc.constantFrom(...BAD_JSON), contentType: fc.constantFrom<string | undefined>('application/json', ...CONTENT_TYPES) }),
  fc.record({
    payload: fc.oneof(
      fc.constantFrom(...BAD_YAML),
      fc.tuple(fc.constantFrom(FLOW_ID, 'fuzzed', ...ODD.slice(0, 8)), fc.constantFrom(NAMESPACE, 'fuzz.ns', ...TRAVERSAL.slice(0, 4))).map(([id, ns]) => FLOW_YAML(id, ns)),
      fc.tuple(fc.constantFrom(FLOW_YAML(FLOW_ID, NAMESPACE), FLOW_YAML('fuzzed', 'fuzz.ns')), fc.nat(120), fc.string({ maxLength: 8 })).map(([src, at, s]) => src.slice(0, at) + s + src.slice(at)),
    ),
    contentType: fc.constantFrom<string | undefined>('application/x-yaml', ...CONTENT_TYPES),
  }),
  fc
    .record({
      fields: fc.dictionary(fc.oneof(fc.constantFrom('name', 'files', 'approved', 'count', 'labels', 'inputs'), fc.string({ minLength: 1, maxLength: 8 })), fc.string({ maxLength: 30 }), { maxKeys: 4 }),
      files: fc.array(fc.record({ field: fc.constantFrom('files', 'file', 'x', 'fileUpload', 'name'), filename: fc.constantFrom('name', 'a.txt', '../../etc/passwd', '..\\x', '/abs', '%2e%2e', 'files.zip', 'flows.yml', 'flows.yaml'), content: fc.string({ maxLength: 40 }) }), { maxLength: 2 }),
    })
    .map(({ fields, files }) => {
      const m = multipart(fields, files);
      return { payload: m.payload, contentType: m.headers['content-type'] };
    }),
  fc.record({
    payload: fc.constantFrom('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb', '--nope--', '\r\n\r\n', '--x\r\nContent-Disposition: form-data\r\n\r\nb\r\n--x--\r\n'),
    contentType: fc.constantFrom('multipart/form-data; boundary=x', 'multipart/form-data'),
  }),
  fc.record({ payload: fc.string({ unit: 'binary', maxLength: 200 }), contentType: fc.constantFrom(...CONTENT_TYPES) }),
);

const EXTRA_METHODS = ['PATCH', 'OPTIONS', 'DELETE', 'PUT', 'POST', 'GET'];

/** A request on a known route (its own methods, mostly), parameters, query, body, headers. */
function requestArb(): fc.Arbitrary<{ method: string; url: string; payload?: string; headers: Record<string, string> }> {
  const targets = routes.filter((r) => !r.path.endsWith('/follow'));
  return fc
    .constantFrom(...targets)
    .chain((route) => {
      const names = [...route.path.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*');
      return fc.record({
        route: fc.constant(route),
        method: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...route.methods) }, { weight: 1, arbitrary: fc.constantFrom(...EXTRA_METHODS) }),
        params: fc.tuple(...names.map((n) => (n === '*' ? fc.array(paramArb('path'), { minLength: 1, maxLength: 3 }).map((a) => a.join('/')) : paramArb(n)))),
        query: queryArb,
        body: bodyArb,
        origin: fc.oneof({ weight: 9, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 1, arbitrary: fc.constantFrom('http://evil.example', 'null', 'not a url', 'http://localhost:80') }),
        accept: fc.constantFrom<string | undefined>(undefined, 'application/json', 'text/event-stream', '*/*', 'application/x-yaml'),
      });
    })
    .map(({ route, method, params, query, body, origin, accept }) => {
      let i = 0;
      const path = route.path.replace(/:(\w+)|\*/g, () => params[i++]!);
      const headers: Record<string, string> = {};
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      if (origin !== undefined) headers['origin'] = origin;
      if (accept !== undefined) headers['accept'] = accept;
      return { method, url: query ? `${path}?${query}` : path, ...(body.payload !== undefined ? { payload: body.payload } : {}), headers };
    });
}

/** What every 4xx body must be: Kestra's (Micronaut) error body, or its bulk refusal. */
function assertKestraError(status: number, body: string, what: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`${what}: ${status} without a JSON body: ${body.slice(0, 200)}`);
  }
  const e = parsed as { message?: unknown; _links?: { self?: { href?: unknown; templated?: unknown } }; _embedded?: { errors?: unknown }; invalids?: unknown };
  if (typeof e.message !== 'string' || e.message === '') throw new Error(`${what}: ${status} body without a message: ${body.slice(0, 200)}`);
  // A bulk refusal has Kestra's own shape (kestra-api.md §0.3): 400 {message, invalids: [{message, invalidValue}]}.
  if (status === 400 && Array.isArray(e.invalids)) {
    if (e.invalids.some((x: { message?: unknown }) => typeof x?.message !== 'string')) throw new Error(`${what}: bulk refusal with malformed invalids: ${body.slice(0, 200)}`);
    return;
  }
  if (typeof e._links?.self?.href !== 'string' || e._links.self.templated !== false) throw new Error(`${what}: ${status} body without _links.self: ${body.slice(0, 200)}`);
  if (e._embedded !== undefined) {
    const errors = e._embedded.errors;
    if (!Array.isArray(errors) || errors.some((x: { message?: unknown; path?: unknown }) => typeof x?.message !== 'string' || (x.path !== undefined && typeof x.path !== 'string'))) {
      throw new Error(`${what}: ${status} body with malformed _embedded.errors: ${body.slice(0, 200)}`);
    }
  }
}

beforeAll(async () => {
  t = await openTestApp();
  await t.engine.deploy(LOG_FLOW);
  executionId = await t.engine.execute(NAMESPACE, FLOW_ID, {});
  await t.engine.waitFor(executionId);
  await t.app.ready();
  const served = routesOf(t.app.printRoutes({ commonPrefix: false }));
  // The tenant form `/api/v1/main/X` reaches the `/api/v1/X` routes (a URL rewrite): fuzz it too.
  routes = [...served, ...served.filter((r) => r.path.startsWith('/api/v1/')).map((r) => ({ ...r, path: `/api/v1/main${r.path.slice('/api/v1'.length)}` }))];
});

afterAll(async () => {
  await t?.dispose();
});

describe('fuzzing the routes', () => {
  it('finds the routes the app serves', () => {
    const paths = routes.map((r) => r.path);
    expect(paths).toContain('/api/v1/flows/:namespace/:id');
    expect(paths).toContain('/api/v1/main/executions/:namespace/:flowId');
    expect(paths).toContain('/ping');
    expect(paths).toContain('/api/v1/basicAuth');
    expect(paths).toContain('/api/v1/main/usages/all');
  });

  it(`answers ${RUNS} generated requests below 500, each 4xx with Kestra's error body`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (req) => {
        const what = `${req.method} ${req.url} [${req.headers['content-type'] ?? 'no content type'}] ${JSON.stringify(req.payload?.slice(0, 120) ?? '')}`;
        const res = await t.app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode >= 500) throw new Error(`${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        if (res.statusCode >= 400 && req.method !== 'HEAD') assertKestraError(res.statusCode, res.body, what);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The daemon is unaffected: it answers, and its engine runs an execution to the end.
    expect((await t.app.inject({ url: '/ping' })).body).toBe('pong');
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/executions/${NAMESPACE}/${FLOW_ID}?wait=true` });
    if (res.statusCode !== 200) {
      // The fuzz may have deleted or replaced the flow: deploy it again and retry once.
      await t.engine.deploy(LOG_FLOW);
      expect((await t.app.inject({ method: 'POST', url: `/api/v1/executions/${NAMESPACE}/${FLOW_ID}?wait=true` })).json()).toMatchObject({ state: { current: 'SUCCESS' } });
    } else expect(res.json()).toMatchObject({ state: { current: 'SUCCESS' } });
    // Most answers must be refusals, and some successes: the generator reaches the handlers.
    const ok = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(RUNS / 50);
  }, 600_000);
});

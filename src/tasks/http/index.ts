/**
 * Kestra's HTTP tasks (core:`plugin/core/http/*`), run in the pool: `Request` (./request.pool.ts)
 * keeps the response in outputs; `Download` streams it into internal storage. Legacy names
 * `io.kestra.plugin.fs.http.*`. docs/reference/http.md says what they do and where they differ.
 */
import { coreTask } from '../definition.js';

/** Properties of an HTTP exchange (core:`plugin/core/http/HttpInterface.java`, Kestra 0.20): both tasks and http.Trigger. */
export const HTTP_EXCHANGE_PROPS = {
  uri: 'string!',
  method: 'enum:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|TRACE',
  body: 'any',
  formData: 'map',
  contentType: 'string',
  headers: 'map',
  options: 'map',
  sslOptions: 'map',
};

/** Properties of both tasks. */
const HTTP_PROPS = { ...HTTP_EXCHANGE_PROPS, allowFailed: 'bool' };

export const HTTP_REQUEST = coreTask('http.Request', 'runnable', { ...HTTP_PROPS, encryptBody: 'bool' }, {
  aliases: ['io.kestra.plugin.fs.http.Request'],
  summary: 'send an HTTP request; outputs `uri`, `code`, `headers` and the `body` as a string (at most `options.maxContentLength`, 10 MiB)',
  behaviour: { runs: 'pool', load: async () => (await import('./request.pool.js')).requestTask },
});

export const HTTP_DOWNLOAD = coreTask('http.Download', 'runnable', { ...HTTP_PROPS, failOnEmptyResponse: 'bool' }, {
  aliases: ['io.kestra.plugin.fs.http.Download'],
  summary: 'stream a response body into internal storage (no size cap); outputs `uri`, `code`, `length` and `headers`',
  behaviour: { runs: 'pool', load: async () => (await import('./download.pool.js')).downloadTask },
});

export const HTTP_TASKS = [HTTP_REQUEST, HTTP_DOWNLOAD];

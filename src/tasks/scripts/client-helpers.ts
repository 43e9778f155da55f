/**
 * The helper modules the legacy io.kestra.core.tasks.scripts.Python and Node types put in the
 * working directory (`kestra.py`, `kestra.js`), so `from kestra import Kestra` /
 * `require('./kestra')` work as on Kestra: each prints Kestra's protocol lines (`::{json}::`) on
 * stdout. Written for Troupe, with the same calls: outputs(map), counter(name, value, tags),
 * timer(name, seconds or a function to time, tags).
 */

export const KESTRA_PY = `import json
import time


class Kestra:
    @staticmethod
    def _send(payload):
        # ASCII-only JSON: no line terminator can split the protocol line
        print("::" + json.dumps(payload) + "::", flush=True)

    @staticmethod
    def _metric(name, kind, value, tags):
        Kestra._send({"metrics": [{"name": name, "type": kind, "value": value, "tags": tags or {}}]})

    @staticmethod
    def outputs(values):
        Kestra._send({"outputs": values})

    @staticmethod
    def counter(name, value, tags=None):
        Kestra._metric(name, "counter", value, tags)

    @staticmethod
    def timer(name, duration, tags=None):
        if callable(duration):
            start = time.time()
            duration()
            duration = time.time() - start
        Kestra._metric(name, "timer", duration, tags)
`;

export const KESTRA_JS = `'use strict';
function send(payload) {
  const text = JSON.stringify(payload).replace(/[\\u0085\\u2028\\u2029]/g, (c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  console.log('::' + text + '::');
}
function metric(name, type, value, tags) {
  send({ metrics: [{ name, type, value, tags: tags || {} }] });
}
const Kestra = {
  outputs(values) { send({ outputs: values }); },
  counter(name, value, tags) { metric(name, 'counter', value, tags); },
  timer(name, duration, tags) {
    if (typeof duration === 'function') {
      const start = process.hrtime.bigint();
      duration();
      duration = Number(process.hrtime.bigint() - start) / 1e9;
    }
    metric(name, 'timer', duration, tags);
  },
};
module.exports = Kestra;
module.exports.Kestra = Kestra;
`;

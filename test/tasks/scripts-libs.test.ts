/**
 * Kestra's own client libraries against Troupe's protocol reader: a node.Script that uses the npm
 * package @kestra-io/libs (`Kestra.outputs`, `Kestra.counter`, `Kestra.timer`, its logger) and a
 * python.Script printing the same protocol lines give the same task outputs and metrics.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import Kestra from '@kestra-io/libs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/runtime/engine.js';
import { openTestEngine, runFlow } from '../helpers/engine.js';
import { parseProtocolLine } from '../../src/tasks/scripts/output-protocol.js';

/** The node_modules directory holding @kestra-io/libs, for the script's NODE_PATH. */
const NODE_PATH = dirname(dirname(dirname(dirname(createRequire(import.meta.url).resolve('@kestra-io/libs')))));

let engine: Engine;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ engine, dispose } = await openTestEngine());
});
afterAll(async () => dispose());

const OUTPUTS = { test: 'value', int: 2, bool: true, float: 3.65, nested: { list: [1, 'a', null] }, sep: 'a\u2028b' };

describe('@kestra-io/libs', () => {
  it('formats lines that Troupe reads as Kestra does', () => {
    expect(parseProtocolLine(Kestra.format({ outputs: OUTPUTS }))).toEqual({ outputs: OUTPUTS });
    expect(parseProtocolLine(Kestra.format({ metrics: [{ name: 'n', type: 'counter', value: 1, tags: { a: 'b' } }] })).metrics).toEqual([{ name: 'n', type: 'counter', value: 1, tags: { a: 'b' } }]);
  });

  it('a node.Script using the library and a python.Script printing the same lines give the same outputs and metrics', async () => {
    const x = await runFlow(
      engine,
      `id: libs
namespace: scripts.libs
tasks:
  - id: js
    type: io.kestra.plugin.scripts.node.Script
    env:
      NODE_PATH: ${NODE_PATH}
    script: |
      const Kestra = require('@kestra-io/libs');
      Kestra.outputs(${JSON.stringify(OUTPUTS).replace(/\u2028/g, '\\u2028')});
      Kestra.counter('rows', 3, { source: 'x' });
      Kestra.timer('took', 1.5);
      Kestra.logger().info('hello from libs');
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    script: |
      import json
      outputs = ${JSON.stringify(JSON.stringify(OUTPUTS))}
      print("::" + json.dumps({"outputs": json.loads(outputs)}) + "::")
      print("::" + json.dumps({"metrics": [{"name": "rows", "type": "counter", "value": 3, "tags": {"source": "x"}}]}) + "::")
      print("::" + json.dumps({"metrics": [{"name": "took", "type": "timer", "value": 1.5, "tags": {}}]}) + "::")
      print("::" + json.dumps({"logs": [{"level": "INFO", "message": "hello from libs"}]}) + "::")
`,
    );
    expect(x.state.current).toBe('SUCCESS');
    const [js, py] = x.taskRunList!;
    expect(js!.outputs).toEqual({ vars: OUTPUTS, exitCode: 0, outputFiles: {} });
    expect(py!.outputs).toEqual(js!.outputs);
    expect(js!.attempts![0]!.metrics).toEqual([
      { name: 'rows', type: 'counter', value: 3, tags: { source: 'x' } },
      { name: 'took', type: 'timer', value: 'PT1.5S', tags: {} },
    ]);
    expect(py!.attempts![0]!.metrics).toEqual(js!.attempts![0]!.metrics);
    const logs = engine.logs(x.id);
    expect(logs.filter((l) => l.message === 'hello from libs').map((l) => [l.taskId, l.level])).toEqual([
      ['js', 'INFO'],
      ['py', 'INFO'],
    ]);
  });
});

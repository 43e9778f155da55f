import { it } from 'vitest';
import { parseFlow } from '../../src/flow/index.js';
const cases = [
`id: x
namespace: demo
tasks:
  - type: io.kestra.plugin.core.log.Log
    message: hi
  - id: b
    type: io.kestra.plugin.core.debug.Retrun
    format: x
  - id: c
    type: io.kestra.plugin.core.log.Log
    mesage: hi
`,
`id: x
namespace: Demo
labels:
  system.foo: bar
tasks:
  - id: d
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task: {id: t1, type: io.kestra.plugin.core.log.Log, message: a}
        dependsOn: [t2]
      - task: {id: t2, type: io.kestra.plugin.core.log.Log, message: a}
        dependsOn: [t1, t9]
  - id: t1
    type: io.kestra.plugin.core.debug.Return
    retry: {type: exponential, interval: PT1S}
`,
];
it('x', () => {
  for (const c of cases) {
    try { parseFlow(c, { file: 'flows/x.yaml' }); console.log('OK'); } catch (e) { console.log((e as Error & {code: string}).code + '\n' + (e as Error).message); }
  }
});

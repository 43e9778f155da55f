/**
 * The flows of the poison-pill test: one whose task kills the process, one innocent that waits
 * paused (an attempt in flight beside the poison at each crash would count those crashes too).
 */
export const POISON_FLOWS = [
  `id: poisoned
namespace: crash
tasks:
  - id: before
    type: io.kestra.plugin.core.debug.Return
    format: fine so far
  - id: poison
    type: io.kestra.plugin.core.debug.Return
    format: never returns
    retry:
      type: constant
      interval: PT0S
      maxAttempt: 5
errors:
  - id: handler
    type: io.kestra.plugin.core.debug.Return
    format: "handled {{ error.message ?? 'it' }}"
`,
  `id: innocent
namespace: crash
tasks:
  - id: pause
    type: io.kestra.plugin.core.flow.Pause
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: done
`,
];

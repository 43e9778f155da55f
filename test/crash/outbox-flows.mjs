/** The flows of the outbox crash test: an upstream and its Flow-triggered downstream; a Subflow without wait. */
export const UP = `id: up
namespace: crash.outbox
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
`;

export const DOWN = `id: down
namespace: crash.outbox
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
triggers:
  - id: on-up
    type: io.kestra.plugin.core.trigger.Flow
    states: [SUCCESS]
    conditions:
      - type: io.kestra.plugin.core.condition.ExecutionFlow
        namespace: crash.outbox
        flowId: up
`;

export const CHILD = `id: child
namespace: crash.outbox
tasks:
  - id: r
    type: io.kestra.plugin.core.debug.Return
    format: "{{ trigger.executionId }}"
`;

export const PARENT = `id: parent
namespace: crash.outbox
tasks:
  - id: launch
    type: io.kestra.plugin.core.flow.Subflow
    namespace: crash.outbox
    flowId: child
    wait: false
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.launch.executionId }}"
`;

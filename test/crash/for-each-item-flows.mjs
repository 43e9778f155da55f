/** The flows of the ForEachItem crash test: a parent whose ForEachItem starts one `child` per line. */
export const CHILD = `id: child
namespace: crash.fei
inputs:
  - id: items
    type: STRING
  - id: n
    type: INT
tasks:
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.05S
  - id: line
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(inputs.items) | trim }}"
outputs:
  - id: n
    type: INT
    value: "{{ inputs.n }}"
`;

export const PARENT = `id: parent
namespace: crash.fei
inputs:
  - id: f
    type: FILE
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEachItem
    items: "{{ inputs.f }}"
    namespace: crash.fei
    flowId: child
    inputs:
      items: "{{ taskrun.items }}"
      n: "{{ taskrun.iteration }}"
`;

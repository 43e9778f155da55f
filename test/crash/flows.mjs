/**
 * The crash test's workload: flows of parallel loops, sequences, retries, allowFailure and errors
 * branches, and the job templates that run them. Plain JS so the child driver needs no build step.
 */

const list = (prefix, n) => JSON.stringify(Array.from({ length: n }, (_, i) => `${prefix}${i}`));

/** Flow YAML sources, by flow id (namespace `crash`). */
export const FLOWS = {
  // EachParallel, 50 values × (Return, Log), at most 6 at once: 102 task runs.
  'each-parallel': `
id: each-parallel
namespace: crash
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.EachParallel
    value: '${list('p', 50)}'
    concurrent: 6
    tasks:
      - id: ret
        type: io.kestra.plugin.core.debug.Return
        format: "r-{{ taskrun.value }}"
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: "logged {{ taskrun.value }}"
  - id: after
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.ret['p7'].value }} done"
`,
  // ForEach, concurrencyLimit 4, each value a sequence with a nested Sequential: 25 × 4 + 1 + 1.
  foreach: `
id: foreach
namespace: crash
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: '${list('f', 25)}'
    concurrencyLimit: 4
    tasks:
      - id: first
        type: io.kestra.plugin.core.debug.Return
        format: "a-{{ taskrun.value }}"
      - id: seq
        type: io.kestra.plugin.core.flow.Sequential
        tasks:
          - id: second
            type: io.kestra.plugin.core.debug.Return
            format: "{{ outputs.first[parent.taskrun.value].value }}-b"
          - id: third
            type: io.kestra.plugin.core.log.Log
            message: "third {{ parent.taskrun.value }}"
  - id: tail
    type: io.kestra.plugin.core.log.Log
    message: tail
`,
  // Retries: each value fails twice, then succeeds (constant PT0.05S): 15 × 2 + 1 runs, 3 attempts each.
  retry: `
id: retry
namespace: crash
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: '${list('r', 15)}'
    concurrencyLimit: 5
    tasks:
      - id: flaky
        type: io.kestra.plugin.core.execution.Fail
        condition: "{{ taskrun.attemptsCount < 2 }}"
        errorMessage: "flaky {{ taskrun.value }} attempt {{ taskrun.attemptsCount }}"
        retry:
          type: constant
          interval: PT0.05S
          maxAttempt: 5
      - id: ok
        type: io.kestra.plugin.core.debug.Return
        format: "ok-{{ taskrun.value }}"
`,
  // allowFailure, a sequence, and a parallel branch; ends WARNING.
  'allow-failure': `
id: allow-failure
namespace: crash
tasks:
  - id: tolerant
    type: io.kestra.plugin.core.flow.AllowFailure
    tasks:
      - id: loop
        type: io.kestra.plugin.core.flow.EachSequential
        value: '${list('a', 12)}'
        tasks:
          - id: maybe
            type: io.kestra.plugin.core.execution.Fail
            condition: "{{ taskrun.value == 'a9' }}"
            errorMessage: "a9 fails"
          - id: fine
            type: io.kestra.plugin.core.debug.Return
            format: "fine-{{ taskrun.value }}"
  - id: par
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: p1
        type: io.kestra.plugin.core.debug.Return
        format: one
      - id: p2
        type: io.kestra.plugin.core.log.Log
        message: two
  - id: also-allowed
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
    errorMessage: tolerated
`,
  // A loop, then a failure with an errors branch that itself loops: ends FAILED.
  errors: `
id: errors
namespace: crash
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.EachParallel
    value: '${list('e', 10)}'
    tasks:
      - id: work
        type: io.kestra.plugin.core.debug.Return
        format: "w-{{ taskrun.value }}"
  - id: boom
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: "boom after {{ outputs.work['e3'].value }}"
  - id: never
    type: io.kestra.plugin.core.log.Log
    message: never
errors:
  - id: cleanup
    type: io.kestra.plugin.core.flow.EachSequential
    value: '${list('c', 6)}'
    tasks:
      - id: clean
        type: io.kestra.plugin.core.log.Log
        message: "cleaning {{ taskrun.value }}"
`,
  // The victim: killed through the engine API right after it is acknowledged.
  victim: `
id: victim
namespace: crash
tasks:
  - id: loop
    type: io.kestra.plugin.core.flow.ForEach
    values: '${list('v', 200)}'
    concurrencyLimit: 3
    tasks:
      - id: step
        type: io.kestra.plugin.core.log.Log
        message: "victim {{ taskrun.value }}"
      - id: nap
        type: io.kestra.plugin.core.flow.Sleep
        duration: PT0.2S
`,
};

/** Job templates of one wave: a flow, how many copies, and whether the driver kills it. */
export const TEMPLATES = [
  { name: 'each-parallel', flowId: 'each-parallel', copies: 4 },
  { name: 'foreach', flowId: 'foreach', copies: 4 },
  { name: 'retry', flowId: 'retry', copies: 4 },
  { name: 'allow-failure', flowId: 'allow-failure', copies: 3 },
  { name: 'errors', flowId: 'errors', copies: 3 },
  { name: 'victim', flowId: 'victim', copies: 1, kill: true },
];

/** The jobs of a wave: `{ key, template, flowId, kill }`. */
export function waveJobs(wave) {
  const jobs = [];
  for (const t of TEMPLATES) {
    for (let c = 0; c < t.copies; c++) jobs.push({ key: `w${wave}.${t.name}.${c}`, template: t.name, flowId: t.flowId, kill: t.kill === true });
  }
  return jobs;
}

/**
 * Test helpers: input declarations written as YAML, parsed by the real flow loader.
 */
import { parseFlow } from '../../src/flow/index.js';
import { resolveInputs, type ResolveInputsOptions } from '../../src/inputs/index.js';
import type { FlowInput } from '../../src/model/index.js';

/** The inputs of a flow whose `inputs:` section is `yaml` (a YAML list, indented by two). */
export function declare(yaml: string): FlowInput[] {
  const source = `id: f\nnamespace: io.kestra.tests\ninputs:\n${yaml}\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.debug.Return\n    format: x\n`;
  return parseFlow(source).inputs;
}

/** The outcome of typing one value against one declaration written in YAML flow style. */
export type Outcome = { value: unknown } | { error: string };

/**
 * Types `value` (absent when undefined) against the single input `decl`, e.g. `{id: i, type: INT}`.
 */
export function typeOne(decl: string, value: unknown, options?: ResolveInputsOptions): Outcome {
  const [input] = declare(`  - ${decl}`);
  if (!input) throw new Error(`no input in ${decl}`);
  const result = resolveInputs([input], value === undefined ? {} : { [input.id]: value }, options);
  return result.ok ? { value: result.inputs[input.id] } : { error: result.errors.map((e) => e.message).join('\n') };
}

/**
 * Inputs as Kestra's test harness gives them. Most of Kestra's tests put a raw map on the
 * execution; some go through input typing (a JSON input given as text arrives parsed). Each
 * provided value is typed when it fits its declaration and kept raw when it does not, which
 * gives the result both kinds of test expect; missing inputs are not an error.
 */
import { readFileSync } from 'node:fs';
import { parseFlow } from '../flow/index.js';
import { resolveInputs } from '../inputs/index.js';

/** The harness form of `raw` for the flow in `file`. */
export function harnessInputs(file: string, raw: Record<string, unknown>): Record<string, unknown> {
  let declared;
  try {
    declared = parseFlow(readFileSync(file, 'utf8'), { file }).inputs;
  } catch {
    return raw;
  }
  const out: Record<string, unknown> = { ...raw };
  for (const input of declared) {
    if (!Object.hasOwn(raw, input.id) || input.id.includes('.')) continue;
    const typed = resolveInputs([{ ...input, required: false }], { [input.id]: raw[input.id] });
    if (typed.ok) out[input.id] = typed.inputs[input.id];
  }
  return out;
}

/**
 * Inputs as Kestra's test harness gives them. Most of Kestra's tests put a raw map on the
 * execution; some go through input typing (a JSON input given as text arrives parsed). Each
 * provided value is typed when it fits its declaration and kept raw when it does not, which
 * gives the result both kinds of test expect; missing inputs are not an error.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlow } from '../flow/index.js';
import { resolveInputs } from '../inputs/index.js';

/** The inputs the flow in `file` declares; undefined when it does not parse (the run reports that). */
function declaredInputs(file: string): ReturnType<typeof parseFlow>['inputs'] | undefined {
  try {
    return parseFlow(readFileSync(file, 'utf8'), { file }).inputs;
  } catch {
    return undefined;
  }
}

/** The harness form of `raw` for the flow in `file`. */
export function harnessInputs(file: string, raw: Record<string, unknown>): Record<string, unknown> {
  const declared = declaredInputs(file);
  if (!declared) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const input of declared) {
    if (!Object.hasOwn(raw, input.id) || input.id.includes('.')) continue;
    const typed = resolveInputs([{ ...input, required: false }], { [input.id]: raw[input.id] });
    if (typed.ok) out[input.id] = typed.inputs[input.id];
  }
  return out;
}

/**
 * The inputs of a storage-tier case, for typed execution: a value of a FILE input names a file
 * relative to the corpus directory (`fixtures/items-102.txt`) and becomes its absolute path, which
 * input typing stores into the execution's internal storage (the file keeps its name); the other
 * values are given as they are (strings, typed by the engine).
 */
export function storageInputs(file: string, corpusDir: string, raw: Record<string, unknown>): Record<string, unknown> {
  const declared = declaredInputs(file);
  if (!declared) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const input of declared) {
    const v = raw[input.id];
    if (input.type === 'FILE' && typeof v === 'string' && !v.startsWith('kestra://')) out[input.id] = resolve(corpusDir, v);
  }
  return out;
}

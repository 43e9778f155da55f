/**
 * Typing an execution's inputs against their declarations (§6.2): value or `defaults`,
 * `dependsOn`, SELECT expressions, required check, parse, validate, nesting of dotted ids.
 * Unlike Kestra, which throws on the first failing input, every failure is reported.
 */
import { TroupeError } from '../errors.js';
import { renderTyped, type RenderOptions } from '../expr/index.js';
import type { FlowInput } from '../model/index.js';
import type { ParseEnv } from './input-type.js';
import { BareInputMessage, causeOf, expectedType, InputReason, invalidInput, type InputFailure } from './messages.js';
import { NestConflict, nestInputs } from './nest.js';
import { MAX_INPUT_DEPTH, nestsDeeperThan, notDataIn, TOO_DEEP } from './nesting.js';
import { createParseEnv, inputTypeNamed } from './registry.js';
import { withRenderedValues } from './select.js';

/** What typing inputs needs from the host; all optional. */
export interface ResolveInputsOptions {
  /** Uploads a FILE input given as a local path and returns its `kestra://` URI; without it such inputs fail. */
  storeFile?: (inputId: string, value: string) => string;
  /** Encrypts a SECRET input; without it the clear text is stored (Kestra requires an encryption key). */
  encryptSecret?: (plain: string) => string;
  /** Variables `dependsOn.condition` and SELECT `expression` see besides `inputs` (flow, execution, …). */
  context?: Record<string, unknown>;
  /** Render options (clock, host functions, limits) for those templates. */
  renderOptions?: RenderOptions;
}

/** The typed inputs, nested by dotted ids, or every failure in declaration order. */
export type ResolveInputsResult = { ok: true; inputs: Record<string, unknown> } | { ok: false; errors: InputFailure[] };

/** One declared input while resolving; `value` is the raw value until parsed. */
interface Slot {
  input: FlowInput;
  state: 'pending' | 'resolving' | 'done';
  enabled: boolean;
  value: unknown;
  error: string | undefined;
}

interface Resolution {
  slots: Map<string, Slot>;
  env: ParseEnv;
  options: ResolveInputsOptions;
}

/**
 * Types the provided values of an execution against the flow's input declarations.
 * @param declared the flow's inputs, in declaration order
 * @param provided raw values by input id (strings from the CLI, or already typed values)
 * @param options host callbacks and the render context of conditions and expressions
 * @returns the typed inputs (disabled inputs omitted, optional absent ones null), or all failures
 * @example resolveInputs(flow.inputs, { int: '42' }) // { ok: true, inputs: { int: 42 } }
 */
export function resolveInputs(declared: readonly FlowInput[], provided: Readonly<Record<string, unknown>>, options: ResolveInputsOptions = {}): ResolveInputsResult {
  const enabled = resolveSlots(declared, provided, options).filter((s) => s.enabled);
  const errors = enabled.filter((s) => s.error !== undefined).map((s) => ({ inputId: s.input.id, message: s.error! }));
  if (errors.length > 0) return { ok: false, errors };
  try {
    return { ok: true, inputs: nestInputs(enabled.map((s) => [s.input.id, s.value] as const)) };
  } catch (err) {
    if (err instanceof NestConflict) return { ok: false, errors: [{ inputId: err.inputId, message: err.message }] };
    throw err;
  }
}

/** Every declared input resolved (typed, or with its error; disabled ones as given), in declaration order. */
function resolveSlots(declared: readonly FlowInput[], provided: Readonly<Record<string, unknown>>, options: ResolveInputsOptions): Slot[] {
  const slots = new Map<string, Slot>();
  for (const input of declared) {
    if (slots.has(input.id)) continue;
    const given = Object.hasOwn(provided, input.id) ? provided[input.id] : undefined;
    const value = given ?? input.defaults ?? null;
    slots.set(input.id, { input, state: 'pending', enabled: true, value, error: undefined });
  }
  const env = createParseEnv({ storeFile: options.storeFile, encryptSecret: options.encryptSecret });
  const resolution: Resolution = { slots, env, options };
  for (const slot of slots.values()) resolveSlot(slot, resolution);
  return [...slots.values()];
}

/** One declared input as {@link validateInputs} reports it (Kestra's `InputAndValue`). */
export interface InputValidation {
  input: FlowInput;
  /** The typed value; the value as given (or its default) when it failed or is disabled; null when absent. */
  value: unknown;
  /** False when `dependsOn` disables it (its value is then ignored). */
  enabled: boolean;
  /** Why the value does not fit, if it does not. */
  error?: string;
}

/**
 * Types the provided values as {@link resolveInputs} does, but reports every declared input with
 * its own outcome instead of failing as a whole (Kestra's `validateExecutionInputs`, behind
 * `POST /executions/{ns}/{flowId}/validate`).
 */
export function validateInputs(declared: readonly FlowInput[], provided: Readonly<Record<string, unknown>>, options: ResolveInputsOptions = {}): InputValidation[] {
  return resolveSlots(declared, provided, options).map((s) => ({ input: s.input, value: s.value ?? null, enabled: s.enabled, ...(s.enabled && s.error !== undefined ? { error: s.error } : {}) }));
}

/**
 * Types the inputs given to resume a Pause task against its `onResume` declarations (§3.12),
 * with the same rules as flow inputs.
 */
export function resolveResumeInputs(onResume: readonly FlowInput[], provided: Readonly<Record<string, unknown>>, options: ResolveInputsOptions = {}): ResolveInputsResult {
  return resolveInputs(onResume, provided, options);
}

/**
 * {@link resolveInputs}, throwing on failure.
 * @throws TroupeError `TROUPE_INPUT_INVALID`: one line `<id>: <message>` per failing input;
 *   `details.inputId` is the first failing input, `details.errors` all of them
 */
export function assertInputs(declared: readonly FlowInput[], provided: Readonly<Record<string, unknown>>, options: ResolveInputsOptions = {}): Record<string, unknown> {
  const result = resolveInputs(declared, provided, options);
  if (result.ok) return result.inputs;
  const message = result.errors.map((e) => `${e.inputId}: ${e.message}`).join('\n');
  throw new TroupeError('TROUPE_INPUT_INVALID', message, { inputId: result.errors[0]?.inputId, errors: result.errors });
}

/** Resolves one input after its dependencies, as Kestra's `resolveInputValue`. */
function resolveSlot(slot: Slot, r: Resolution): void {
  if (slot.state === 'done') return;
  // A dependency cycle (rejected by flow validation) disables the inputs on it.
  if (slot.state === 'resolving') {
    slot.enabled = false;
    return;
  }
  slot.state = 'resolving';
  const { input } = slot;
  const dependsOn = input.props['dependsOn'] as { inputs?: unknown; condition?: unknown } | undefined;
  const depIds = Array.isArray(dependsOn?.inputs) ? dependsOn.inputs.map(String).filter((id) => id !== input.id) : [];
  // Unknown dependencies are ignored, as in Kestra.
  const deps = depIds.flatMap((id) => (r.slots.has(id) ? [r.slots.get(id)!] : []));
  for (const dep of deps) resolveSlot(dep, r);
  slot.state = 'done';
  slot.enabled = deps.every((d) => d.enabled);
  if (!slot.enabled) return;
  let context: Record<string, unknown>;
  try {
    context = { ...r.options.context, inputs: nestInputs(deps.map((d) => [d.input.id, d.value] as const)) };
  } catch (err) {
    slot.error = invalidInput(input.id, causeOf(err), slot.value);
    return;
  }
  const render = (template: string): unknown => renderTyped(template, context, r.options.renderOptions);
  const condition = dependsOn?.condition;
  if (condition !== undefined && condition !== null) {
    // Only a rendered boolean `true` enables; a failing condition silently disables (Kestra records
    // an `Invalid condition` violation on the input, then drops it with the disabled input).
    try {
      slot.enabled = render(String(condition)) === true;
    } catch {
      slot.enabled = false;
    }
    if (!slot.enabled) return;
  }
  typeSlot(slot, render, r.env);
}

/** Renders SELECT values, checks `required`, then parses, validates and stores the value. */
function typeSlot(slot: Slot, render: (template: string) => unknown, env: ParseEnv): void {
  const raw = slot.value;
  const declared = slot.input;
  try {
    const input = withRenderedValues(declared, render);
    if (raw === null || raw === undefined) {
      if (input.required) slot.error = invalidInput(input.id, 'missing required input', null);
      slot.value = null;
      return;
    }
    const type = inputTypeNamed(input.type);
    if (!type) throw new InputReason(`unknown input type \`${input.type}\``);
    if (nestsDeeperThan(raw, MAX_INPUT_DEPTH)) {
      // Not quoted back: printing it would recurse as deep as it nests.
      slot.error = `Invalid input for \`${declared.id}\`, ${TOO_DEEP}`;
      return;
    }
    const notData = notDataIn(raw);
    if (notData !== undefined) {
      slot.error = `Invalid input for \`${declared.id}\`, it holds ${notData}, which is not data`;
      return;
    }
    let parsed: unknown;
    try {
      parsed = type.parse(raw, input, env);
    } catch (err) {
      if (err instanceof InputReason || err instanceof BareInputMessage) throw err;
      throw new InputReason(expectedType(input.type, raw, causeOf(err)));
    }
    if (nestsDeeperThan(parsed, MAX_INPUT_DEPTH)) throw new InputReason(TOO_DEEP);
    type.validate?.(parsed, input);
    slot.value = type.store(parsed, input, env);
  } catch (err) {
    if (err instanceof BareInputMessage) slot.error = err.message;
    else if (err instanceof InputReason) slot.error = invalidInput(declared.id, err.message, raw);
    else slot.error = invalidInput(declared.id, expectedType(declared.type, raw, causeOf(err)), raw);
  }
}

/**
 * The shape every input type implements: parse the provided value (or `defaults`), validate the
 * parsed value, and give the JSON form stored in the execution.
 */
import type { FlowInput } from '../model/index.js';

/** What parsing may need from outside this pure module. */
export interface ParseEnv {
  /** Stores a FILE input given as a local path; returns its `kestra://` URI. */
  readonly storeFile: ((inputId: string, value: string) => string) | undefined;
  /** Encrypts a SECRET input's clear text; absent → the clear text is kept. */
  readonly encryptSecret: ((plain: string) => string) | undefined;
  /** Parses and stores one ARRAY / MULTISELECT element as `type` (Kestra's recursive parseType). */
  readonly parseElement: (type: string, element: unknown, input: FlowInput) => unknown;
}

/**
 * One input type. `parse` throws an {@link InputReason} for a reason Kestra gives verbatim, any
 * other error for ``Expected `<TYPE>` but received …``; `validate` throws {@link InputReason}s.
 */
export interface InputType<T = unknown> {
  parse(current: unknown, input: FlowInput, env: ParseEnv): T;
  validate?(value: T, input: FlowInput): void;
  store(value: T, input: FlowInput, env: ParseEnv): unknown;
}

/** Builds an {@link InputType} with its type parameter inferred. */
export function inputType<T>(spec: InputType<T>): InputType {
  return spec as InputType;
}

/** A string-valued property of an input declaration, or undefined. */
export function stringProp(input: FlowInput, key: string): string | undefined {
  const v = input.props[key];
  return v === undefined || v === null ? undefined : String(v);
}

/** Describes a JavaScript value's kind for a cause message. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

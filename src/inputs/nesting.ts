/**
 * The nesting cap of input values. A JSON, YAML or ARRAY input is text from outside, and an
 * already structured value can come from an API caller; a value nested thousands deep overflows
 * the stack later, where it is cloned to a thread or encoded for the store. Input typing refuses it
 * first, with Kestra's invalid-input message.
 */

/** Deepest accepted nesting of lists and maps in an input value: Jackson's default, as Kestra reads JSON. */
export const MAX_INPUT_DEPTH = 1000;

/**
 * Whether `value` nests lists and maps deeper than `max` levels. Iterative, and linear in the
 * number of distinct lists and maps even when they are shared; a value that contains itself counts
 * as too deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (!isCollection(value)) return false;
  const height = new Map<object, number>();
  const open = new Set<object>();
  const stack: Array<{ node: object; children: unknown[]; next: number }> = [{ node: value, children: childrenOf(value), next: 0 }];
  open.add(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next < frame.children.length) {
      const child = frame.children[frame.next++];
      if (!isCollection(child) || height.has(child)) continue;
      if (open.has(child) || stack.length >= max) return true;
      open.add(child);
      stack.push({ node: child, children: childrenOf(child), next: 0 });
      continue;
    }
    stack.pop();
    open.delete(frame.node);
    let h = 0;
    for (const c of frame.children) if (isCollection(c)) h = Math.max(h, height.get(c) ?? 0);
    if (h + 1 + stack.length > max) return true;
    height.set(frame.node, h + 1);
  }
  return false;
}

/**
 * The first part of `value` that is not data (a function, a symbol, a promise, a class instance…):
 * what an API caller may pass in place of an input but no thread or store can carry. Iterative;
 * call it after {@link nestsDeeperThan} said the value is within the cap.
 * @returns its kind, or `undefined` when `value` is lists, maps, dates and scalars only
 */
export function notDataIn(value: unknown): string | undefined {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'function') return 'a function';
    if (typeof v === 'symbol') return 'a symbol';
    if (!isCollection(v) || seen.has(v)) continue;
    seen.add(v);
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null && !Array.isArray(v)) return `a ${(v as object).constructor?.name ?? 'class instance'}`;
    stack.push(...childrenOf(v));
  }
  return undefined;
}

function isCollection(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !(v instanceof Date);
}

function childrenOf(v: object): unknown[] {
  return Array.isArray(v) ? v : Object.values(v);
}

/** The reason given for a value past the cap. */
export const TOO_DEEP = `it nests lists and maps deeper than ${MAX_INPUT_DEPTH} levels`;

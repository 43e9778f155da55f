/**
 * Dotted input ids as nested maps (§6.2 step 6): `nested.more.int` → `{nested: {more: {int: …}}}`.
 */
/** Two ids that cannot both be nested (`a` and `a.b`): `inputId` is the second one. */
export class NestConflict extends Error {
  constructor(
    readonly inputId: string,
    message: string,
  ) {
    super(message);
    this.name = 'NestConflict';
  }
}

/** Sets an own property, safe for keys such as `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Nests flat `id → value` entries by the dots in their ids, as Kestra's `flattenToNestedMap`.
 * Only maps made here are merged into: a JSON input `a` and an input `a.b` conflict (Kestra would
 * write `b` into the JSON value).
 * @throws NestConflict when two ids collide, e.g. `a` and `a.b`
 */
export function nestInputs(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const ids = entries.map(([id]) => id);
  const made = new WeakSet<object>();
  for (const [id, value] of entries) {
    const keys = id.split('.');
    let current = result;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const last = i === keys.length - 1;
      const exists = Object.hasOwn(current, key);
      const existing = exists ? current[key] : undefined;
      if (exists && (last || typeof existing !== 'object' || existing === null || !made.has(existing))) {
        throw new NestConflict(id, `Conflict at key: '${keys.slice(0, i + 1).join('.')}', Map keys are: [${ids.join(', ')}]`);
      }
      if (last) {
        setOwn(current, key, value);
      } else {
        if (!exists) {
          const map: Record<string, unknown> = {};
          made.add(map);
          setOwn(current, key, map);
        }
        current = current[key] as Record<string, unknown>;
      }
    }
  }
  return result;
}

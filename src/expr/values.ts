/**
 * Template values: plain data plus {@link JFloat}, the marker for a floating-point number whose
 * value happens to be integral (`1.0`), so it prints as Java does. Any non-integral JS number is
 * a float already; any integral JS number is an integer (Pebble's Long).
 */
import { limitError, type Budget } from './budget.js';

/** An integral-valued float (`1.0`, `2.0 * 3`). */
export class JFloat {
  constructor(readonly value: number) {}
}

/** A float value: non-integral numbers stay plain, integral ones are wrapped. */
export function makeFloat(n: number): number | JFloat {
  return Number.isInteger(n) ? new JFloat(n) : n;
}

/** Whether `v` is a number (plain or {@link JFloat}). */
export function isNumber(v: unknown): v is number | JFloat {
  return typeof v === 'number' || v instanceof JFloat;
}

/** Whether `v` is a floating-point number (Java Double). */
export function isFloat(v: unknown): boolean {
  return v instanceof JFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** The JS number of a numeric value. */
export function num(v: number | JFloat): number {
  return typeof v === 'number' ? v : v.value;
}

/** Whether `v` is a plain map (object literal, JSON object, null-prototype object). */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JFloat || v instanceof Date) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Java's Double.toString. */
export function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exp.replace('+', '')}`;
}

/** Java-style text of a number value. */
export function formatNumber(v: number | JFloat): string {
  if (v instanceof JFloat) return formatDouble(v.value);
  return Number.isInteger(v) ? String(v) : formatDouble(v);
}

/** A Java-ish class name of a value, for type error messages. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return 'String';
  if (typeof v === 'boolean') return 'Boolean';
  if (v instanceof JFloat) return 'Double';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Long' : 'Double';
  if (Array.isArray(v)) return 'List';
  if (isMap(v)) return 'Map';
  return typeof v;
}

/**
 * Replaces {@link JFloat}s by plain numbers, deeply: what leaves the engine (typed render,
 * host-function arguments, jq input) is plain JSON-shaped data. Lists and maps without a float
 * inside are returned as they are. Walks the value as a tree (a shared part is visited once per
 * path), one step of `budget` per node, so a value too large to send anywhere fails here.
 */
export function toPlain(v: unknown, budget: Budget, depth = 0): unknown {
  if (v instanceof JFloat) return v.value;
  if (v === null || typeof v !== 'object') return v;
  budget.step(1);
  if (depth > 1000) throw limitError('Value nests deeper than 1000 levels (or is cyclic)');
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      const p = toPlain(x, budget, depth + 1);
      if (p !== x && !out) out = v.slice(0, i);
      if (out) out.push(p);
    }
    return out ?? v;
  }
  if (!isMap(v)) return v;
  let changed = false;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    const x = v[k];
    if (x !== null && typeof x === 'object' ? toPlain(x, budget, depth + 1) !== x : x instanceof JFloat) {
      changed = true;
      break;
    }
  }
  if (!changed) return v;
  const entries = Object.entries(v);
  budget.map(entries.length);
  return Object.fromEntries(entries.map(([k, x]) => [k, toPlain(x, budget, depth + 1)]));
}

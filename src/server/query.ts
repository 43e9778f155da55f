/**
 * Kestra's query-string conventions (kestra-api.md §0.2): paging, sort, repeated `labels`,
 * dates and ISO durations, and the JSON schemas that declare them.
 * @module
 */
import { TroupeError } from '../errors.js';
import type { Label } from '../model/execution.js';

/** `PagedResults` of Kestra. */
export interface Paged<T> {
  results: T[];
  total: number;
}

/** The schema of a repeatable string parameter (a single value is coerced to a list). */
export const stringList = { type: 'array', items: { type: 'string', maxLength: 4096 }, maxItems: 100 } as const;

/** Paging and sort parameters of every search route. */
export const pagingSchema = {
  page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
  size: { type: 'integer', minimum: 1, maximum: 10_000, default: 10 },
  sort: stringList,
} as const;

/** A page of `items` (1-based `page`). */
export function pageOf<T>(items: T[], page: number, size: number): Paged<T> {
  const start = (page - 1) * size;
  return { results: items.slice(start, start + size), total: items.length };
}

/** A sort of a search: field and direction. */
export interface Sort {
  field: string;
  desc: boolean;
}

/** Parses repeated `sort=field:asc|desc` against the fields a route sorts by. */
export function parseSort(values: readonly string[] | undefined, fields: readonly string[]): Sort[] {
  return (values ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '').map((v) => {
    const m = /^([^:]+):(asc|desc)$/i.exec(v.trim());
    if (!m || !fields.includes(m[1]!)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid sort parameter '${v}': expected field:asc|desc with field one of ${fields.join(', ')}`);
    return { field: m[1]!, desc: m[2]!.toLowerCase() === 'desc' };
  });
}

/** Sorts `items` by `sorts` (stable), reading each field with `get`. */
export function sortBy<T>(items: T[], sorts: Sort[], get: (item: T, field: string) => string | number | undefined): T[] {
  if (!sorts.length) return items;
  return items.sort((a, b) => {
    for (const s of sorts) {
      const x = get(a, s.field);
      const y = get(b, s.field);
      if (x === y) continue;
      const c = x === undefined ? -1 : y === undefined ? 1 : x < y ? -1 : 1;
      return s.desc ? -c : c;
    }
    return 0;
  });
}

/** Parses repeated `labels=key:value` (never comma-split; value trimmed). */
export function parseLabels(values: readonly string[] | undefined): Label[] {
  return (values ?? []).map((raw) => {
    const m = /[: ]/.exec(raw);
    const key = (m ? raw.slice(0, m.index) : raw).trim();
    const value = m ? raw.slice(m.index + 1).trim() : '';
    if (!key || !value) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Invalid queryString parameter: labels '${raw}' must be key:value`);
    return { key, value };
  });
}

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a query-string date (`yyyy-MM-ddTHH:mm[:ss][.SSS][XXX]`; no offset = UTC) to epoch ms. */
export function parseDate(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  const ms = DATE.test(v) ? Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`) : NaN;
  if (Number.isNaN(ms)) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Failed to convert argument [${name}] for value [${value}]: expected a date like 2024-12-20T10:00:00Z`);
  return ms;
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses an ISO-8601 duration of days, hours, minutes and seconds (`PT12H`, `P1D`) to ms. */
export function parseDuration(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = DURATION.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) throw new TroupeError('TROUPE_ILLEGAL_ARGUMENT', `Failed to convert argument [${name}] for value [${value}]: expected an ISO-8601 duration like PT12H or P1D`);
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

/** Whether `namespace` is `prefix` or lies under it (`prefix.*`). */
export function inNamespace(namespace: string, prefix: string | undefined): boolean {
  return prefix === undefined || namespace === prefix || namespace.startsWith(`${prefix}.`);
}

/** Whether `labels` hold every label of `wanted`. */
export function hasLabels(labels: readonly Label[] | undefined, wanted: readonly Label[]): boolean {
  return wanted.every((w) => labels?.some((l) => l.key === w.key && l.value === w.value));
}

/**
 * ../shared (the Kestra corpus and seed records) sits next to the repository in CI, not in every
 * clone. Suites that read it call {@link needsShared}: without it they skip, and say so in one line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The ../shared directory next to the repository. */
export const SHARED_DIR = resolve(import.meta.dirname, '../../../shared');

/** Whether ../shared is there. */
export const hasShared = existsSync(SHARED_DIR);

/**
 * True when ../shared is there; otherwise prints `skipped: WHAT (../shared is absent …)` once
 * and returns false, for `describe.skipIf(!needsShared('…'))` / `it.skipIf(…)`.
 */
export function needsShared(what: string): boolean {
  if (!hasShared) process.stderr.write(`skipped: ${what} — ${SHARED_DIR} is absent (a clone without ../shared; CI has it and runs this)\n`);
  return hasShared;
}

/** A JSON file of ../shared; undefined without ../shared. */
export function sharedJson<T>(path: string): T | undefined {
  return hasShared ? (JSON.parse(readFileSync(resolve(SHARED_DIR, path), 'utf8')) as T) : undefined;
}

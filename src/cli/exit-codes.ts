/** Exit codes of the CLI that do not come from an error (those come from src/errors.ts). */

/** An ended execution: 0 for SUCCESS and WARNING, 1 otherwise. */
export function exitCodeOfState(state: string): number {
  return state === 'SUCCESS' || state === 'WARNING' ? 0 : 1;
}

/** A stop by signal: 128 + the signal's number. */
export const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

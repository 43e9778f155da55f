/**
 * Work a flowable asks the pool for around its children (WorkingDirectory): `setup` before the
 * first child (the shared directory made and filled), `teardown` once its normal branch ended
 * (output files uploaded, cache saved, directory removed), `remove` when it is killed (the
 * directory removed). Pure data, carried by dispatch effects, pool jobs and their results.
 */
export type WorkPhase = 'setup' | 'teardown' | 'remove';

/** The directory a WorkingDirectory run and its children share: a name under the pool's work dir. */
export function workingDirName(runId: string): string {
  return `wd-${runId}`;
}

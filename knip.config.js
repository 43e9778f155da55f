/**
 * knip: dead exports, unused files and unused dependencies (`npm run lint`). Configuration hints
 * are errors, so an entry of ignoreDependencies that something now imports must be removed.
 * ALLOWLIST below is burnt down like eslint.config.js's; tools/lint/stale-allowlist.mjs runs knip
 * without it (KNIP_NO_ALLOWLIST=1) and fails when an entry no longer matches an issue.
 */

/**
 * Files whose dead exports belong to a part being rewritten now, by issue type, to burn down.
 * @type {Record<string, Array<'exports' | 'types'>>}
 */
export const ALLOWLIST = {}; // empty: every entry was burnt down

/** @type {import('knip').KnipConfig} */
export default {
  entry: [
    // bin/troupe.js (package.json bin) loads dist/cli/main.js, built from this file.
    'src/cli/main.ts',
    // The package's exports: "." and "./client".
    'src/index.ts',
    'src/client/index.ts',
    // Worker thread entries, loaded by URL (src/runtime/thread-entry.ts), not by import.
    'src/runtime/shard-thread.ts',
    'src/pool/task-thread.ts',
    'src/bench/noop-thread.ts',
    'bench/**/*.bench.ts',
    'test/**/*.test.ts',
    'test/crash/*.mjs',
    'tools/**/*.mjs',
  ],
  project: ['src/**/*.ts', 'bin/**/*.js', 'bench/**/*.ts', 'test/**/*.{ts,mjs}', 'tools/**/*.mjs'],
  // An export used in its own file is not dead: it documents the module's surface.
  ignoreExportsUsedInFile: true,
  treatConfigHintsAsErrors: true,
  // Installed for the open issues and not imported yet; remove each as the code starts using it
  // (none left: @kestra-io/libs is imported by test/tasks/scripts-libs.test.ts).
  ignoreDependencies: [],
  ...(process.env.KNIP_NO_ALLOWLIST === '1' ? {} : { ignoreIssues: ALLOWLIST }),
};

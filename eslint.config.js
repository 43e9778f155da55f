/**
 * The lint that holds Troupe's layering (docs/architecture.md, "Layering and lint"):
 * - no import cycles between files (import-x/no-cycle; folder cycles: tools/lint/folder-cycles.mjs);
 * - the pure core imports no Node builtin and nothing from runtime, store, pool, server or cli;
 * - the pure core reads no clock and uses no randomness, timers or process state.
 * `npm run lint` runs this, the folder-cycle check, knip and tsc. Known violations in code another
 * part is rewriting are listed in ALLOWLIST below, each with its owner and reason, and burnt down
 * as those parts land; tools/lint/stale-allowlist.mjs fails when an entry no longer matches.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** The pure core: deterministic code the executor step, validation and templating run on. */
export const PURE_CORE = ['src/model', 'src/yaml', 'src/expr', 'src/flow', 'src/inputs', 'src/executor', 'src/tasks'];

/** Pool-side behaviour of task types: run in pool threads, so they may do I/O and read clocks. */
export const POOL_SIDE = ['src/tasks/**/pool.ts', 'src/tasks/**/*.pool.ts'];

/** What the pure core may never import: the impure layers above it. */
const IMPURE_LAYERS = ['./src/runtime', './src/store', './src/pool', './src/server', './src/cli'];

/** Packages that do I/O or run servers: the pure core needs none of them. */
const IMPURE_PACKAGES = ['lmdb', 'piscina', 'fastify', '@fastify/*', 'pino', 'prom-client', 'playwright-core', 'commander', 'tinybench'];

const NO_CLOCK = 'the pure core reads no clock: take the time from the step input (env.now) or an injected clock';
const NO_RANDOM = 'the pure core uses no randomness: take ids and seeds from the step input';

/** Syntax the pure core may not use: clocks, randomness, timers, process state. */
const IMPURE_SYNTAX = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: `Date.now: ${NO_CLOCK}` },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `new Date() without arguments: ${NO_CLOCK}` },
  { selector: "CallExpression[callee.name='Date']", message: `Date() is the current time: ${NO_CLOCK}` },
  { selector: "MemberExpression[object.name='performance'][property.name='now']", message: `performance.now: ${NO_CLOCK}` },
  { selector: "MemberExpression[object.name='process'][property.name='hrtime']", message: `process.hrtime: ${NO_CLOCK}` },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: `Math.random: ${NO_RANDOM}` },
  { selector: "MemberExpression[object.name='crypto']", message: `crypto: ${NO_RANDOM}` },
  { selector: "MemberExpression[property.name='crypto']", message: `crypto: ${NO_RANDOM}` },
  { selector: "CallExpression[callee.name=/^(setTimeout|setInterval|setImmediate)$/]", message: 'the pure core schedules nothing: return a timer effect instead' },
  { selector: "MemberExpression[object.name='process']", message: 'the pure core does not read the process (env, argv, …): take it as input' },
  { selector: "ImportExpression > Literal[value=/^node:/]", message: 'the pure core imports no Node builtin' },
];

/**
 * The rules of the layering for the tree at `root`, without the allowlist (tools/lint/stale-allowlist.mjs
 * lints with these alone; test/lint lints a small tree of its own with them).
 */
export const layering = (root) => [
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    files: PURE_CORE.map((dir) => `${dir}/**/*.ts`),
    ignores: POOL_SIDE,
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: [{ target: PURE_CORE.map((dir) => `./${dir}`), from: IMPURE_LAYERS, message: 'the pure core imports nothing from runtime, store, pool, server or cli' }] }],
      'no-restricted-imports': ['error', { patterns: [{ group: IMPURE_PACKAGES, message: 'the pure core uses no I/O package' }] }],
      'no-restricted-syntax': ['error', ...IMPURE_SYNTAX],
    },
  },
];

/** The layering rules of this repository. */
export const LAYERING = layering(dirname(fileURLToPath(import.meta.url)));

/**
 * Known violations, to burn down. Each entry turns one rule off for one file; the lead removes
 * entries as their owners land (tools/lint/stale-allowlist.mjs fails on an entry that no longer
 * matches anything). Never add an entry for code you own: fix it.
 * @type {Array<{ file: string; rule: string; owner: string; reason: string }>}
 */
export const ALLOWLIST = [];

/**
 * Folder edges known to close a folder cycle (tools/lint/folder-cycles.mjs), to burn down the same
 * way: `{ from, to }` means "src/<from> imports src/<to>".
 * @type {Array<{ from: string; to: string; owner: string; reason: string }>}
 */
export const FOLDER_ALLOWLIST = [];

export default tseslint.config(
  ...LAYERING,
  ...ALLOWLIST.map(({ file, rule }) => ({ files: [file], rules: { [rule]: 'off' } })),
);

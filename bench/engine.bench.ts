/**
 * What do real flows cost through the whole engine, against the machine's own pool limit?
 * (bench/README.md, src/bench/engine.ts) The entry point of this question; `troupe bench --only
 * engine` runs it compiled (add scenario names to run only those: `--only kestra-03`).
 */
import { benchCommand } from '../src/cli/bench.js';

const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
process.exitCode = await benchCommand({ quick: process.argv.includes('--quick'), only: names.length ? names : ['engine'] }, console.log, console.error);

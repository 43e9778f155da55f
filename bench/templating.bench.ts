/**
 * What does rendering a typical Kestra expression cost, parsed for the first time versus served
 * from the compiled-template cache? (bench/README.md, src/bench/templating.ts)
 * The entry point of this question; `troupe bench --only templating` runs it compiled.
 */
import { benchCommand } from '../src/cli/bench.js';

process.exitCode = await benchCommand({ quick: process.argv.includes('--quick'), only: ['templating'] }, console.log, console.error);

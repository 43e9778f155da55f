/**
 * What does ONE state change cost as the execution grows? (bench/README.md, src/bench/serialization.ts)
 * The entry point of this question; `troupe bench --only serialization` runs it compiled.
 */
import { benchCommand } from '../src/cli/bench.js';

process.exitCode = await benchCommand({ quick: process.argv.includes('--quick'), only: ['serialization'] }, console.log, console.error);

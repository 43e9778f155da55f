#!/usr/bin/env -S node --max-semi-space-size=2
import { describeError, main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    const { line, code } = describeError(err);
    process.stderr.write(`${line}\n`);
    process.exitCode = code;
  },
);

#!/usr/bin/env node
import { describeError, main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    const { line, code } = describeError(err);
    process.stderr.write(`${line}\n`);
    process.exitCode = code;
  },
);

#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/src/cli/main.js (built by `npm run build`, or by `npm ci`
// through the `prepare` script).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`winscript: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

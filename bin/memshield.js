#!/usr/bin/env node
// The `memshield` command: runs the compiled CLI (dist/, made by `npm run build`).
import { main } from '../dist/src/cli.js';

process.exitCode = main(process.argv.slice(2));

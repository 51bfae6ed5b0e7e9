#!/usr/bin/env node
// Entry point for the `phantom` command. Runs the prebuilt bundle of the TypeScript sources
// (rebuilt by bundle.js whenever a source changed); falls back to running the sources through
// tsx's loader when no bundle can be built, or when PHANTOM_RUN_SOURCES=1 (debugging with
// TypeScript file names in stack traces).
import { pathToFileURL } from 'node:url';
import { freshBundle } from './bundle.js';

const bundle = await freshBundle();
let runCli;
if (bundle) {
  ({ runCli } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));

#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2 --heap-growing-percent=20
// Entry point for the `phantom` command. Runs the prebuilt bundle of the TypeScript sources
// (rebuilt by bundle.js whenever a source changed); falls back to running the sources through
// tsx's loader when no bundle can be built, or when PHANTOM_RUN_SOURCES=1 (debugging with
// TypeScript file names in stack traces).
//
// The shebang carries the server's memory tuning, so `phantom server` and `npm start` run with it
// (`node bin/phantom.js` bypasses it). The controller's garbage is short-lived per-domain work:
// 2 MB semi-spaces hold it (Node's default grows them to 16 MB each), old space grows by 20% over
// what is live instead of up to 4×, and two malloc arenas replace one per thread. Together they
// take a 10,000-instance server from ~170 MB steady / ~190 MB peak resident to ~120 / ~130 MB,
// at the same API CPU per request (bench/RESULTS.md, 2026-11-25; 1 MB semi-spaces saved no
// more and cost ~4% CPU per request).
import { pathToFileURL } from 'node:url';
import { freshBundle } from './bundle.js';

// The AWS SDK (the ec2 driver's client) prints a dozen-line warning on Node < 22; this is its
// documented switch (set it to anything but "true" to see the warning again).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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

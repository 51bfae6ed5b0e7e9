#!/usr/bin/env node
// Entry point for the `phantom` command. Sources are TypeScript, run through tsx's loader
// so an installed checkout needs no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));

#!/usr/bin/env node
// Entry point installed as `trailwarden`. Runs the compiled CLI (built by `npm ci` through the
// `prepare` script); inside a source checkout without dist/, falls back to the TypeScript source.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
process.exitCode = await mod.runCli(process.argv.slice(2));

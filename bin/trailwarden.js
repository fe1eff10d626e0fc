#!/usr/bin/env node
// Entry point installed as `trailwarden`. Runs the compiled CLI (built by `npm ci` through the
// `prepare` script); inside a source checkout without dist/, falls back to the TypeScript source.
// The version check comes first and uses nothing newer than the Node versions it turns away.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (!(major === 22 ? minor >= 12 : major >= 24)) {
  process.stderr.write(`trailwarden: needs Node.js 22 (22.12 or later) or 24 LTS; this is Node.js ${process.versions.node}\n`);
  process.exit(2);
}

// A scan and log verification run with a bounded heap (bin/runtime.js): the process is replaced
// by one with those flags before anything is loaded.
const { execForLogVerification } = await import('./runtime.js');
execForLogVerification(fileURLToPath(import.meta.url), process.argv.slice(2));

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let mod;
if (existsSync(compiled)) {
  mod = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
// The bin's process may be replaced by a fresh image of itself (a scan evaluates in one: src/cli/handoff.ts).
process.exitCode = await mod.runCli(process.argv.slice(2), mod.processIO({ replaceable: true }));

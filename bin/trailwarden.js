#!/usr/bin/env node
// Entry point installed as `trailwarden`. Runs the compiled CLI (built by `npm ci` through the
// `prepare` script); inside a source checkout without dist/, falls back to the TypeScript source.
// The version check comes first and uses nothing newer than the Node versions it turns away.
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (!(major === 22 ? minor >= 12 : major >= 24)) {
  process.stderr.write(`trailwarden: needs Node.js 22 (22.12 or later) or 24 LTS; this is Node.js ${process.versions.node}\n`);
  process.exit(2);
}

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

// `trailwarden demo`: evaluates the bundled demo organization (demo/snapshot.json, produced by a
// real scan of a seeded emulator; see scripts/make-demo.ts) and writes the reports, with no AWS
// account needed. The clock is the snapshot's own finishedAt, so the demo's reports never change.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSnapshot } from '../../inventory/load.js';
import { EXIT } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { checkOutDir, evaluateSnapshot, gate, prepare, writeReports, type EvaluationFlags } from '../../core/pipeline.js';
import { exitOnSignal } from '../signals.js';
import { findingsSummary } from '../summary.js';

/** One level above src/ and dist/, like rules/: shipped in the package ("files" in package.json). */
export const DEMO_SNAPSHOT = fileURLToPath(new URL('../../../demo/snapshot.json', import.meta.url));

export interface DemoFlags extends EvaluationFlags {
  out: string;
  quiet?: boolean;
}

export function runDemo(flags: DemoFlags, io: CliIO): Promise<number> {
  return exitOnSignal(io, () => demo(flags, io));
}

async function demo(flags: DemoFlags, io: CliIO): Promise<number> {
  const prepared = await prepare(flags, io.cwd);
  const outDir = resolve(io.cwd, flags.out);
  await checkOutDir(outDir, prepared.formats);
  const snapshot = await loadSnapshot(DEMO_SNAPSHOT);
  const asOf = new Date(snapshot.finishedAt);
  const outcome = evaluateSnapshot(snapshot, prepared, flags.framework, asOf);
  const written = await writeReports(outDir, outcome, prepared.formats);
  if (!flags.quiet) {
    const org = snapshot.organization.available ? `organization ${snapshot.organization.id}` : 'account';
    io.stderr(`trailwarden demo: the bundled example ${org}, ${snapshot.accounts.length} accounts, as scanned at ${snapshot.finishedAt}\n`);
    io.stderr(findingsSummary(outcome.report, written));
  }
  // A demo has nothing to gate: show the line a real run would end with, then succeed.
  const verdict = gate(outcome, snapshot, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
  io.stderr(`trailwarden: demo: a real run would end with "${verdict.line}"; the demo itself exits 0\n`);
  // Where to look, on stdout (even with --quiet), the most readable report first.
  const order = (p: string) => (p.endsWith('.html') ? 0 : p.endsWith('.json') ? 1 : 2);
  io.stdout(`Open the demo reports:\n${[...written].sort((a, b) => order(a) - order(b)).map((p) => `  ${p}\n`).join('')}`);
  return EXIT.ok;
}

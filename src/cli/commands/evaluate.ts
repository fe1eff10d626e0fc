import { resolve } from 'node:path';
import { loadSnapshotInput } from '../inputs.js';
import type { CliIO } from '../io.js';
import { checkOutDir, evaluateSnapshot, gate, prepare, spillDirFor, writeReports, type EvaluationFlags } from '../../core/pipeline.js';
import { exitOnSignal } from '../signals.js';
import { findingsSummary } from '../summary.js';

export interface EvaluateFlags extends EvaluationFlags {
  out: string;
  now?: string;
  quiet?: boolean;
}

/** Past this, judging a snapshot with --now is said to be judging after the scan. */
const LATE_MS = 24 * 3_600_000;

/** Re-evaluates a saved snapshot offline: the same snapshot and clock give the same report. */
export function runEvaluate(snapshotPath: string, flags: EvaluateFlags, io: CliIO): Promise<number> {
  return exitOnSignal(io, () => evaluateCommand(snapshotPath, flags, io));
}

async function evaluateCommand(snapshotPath: string, flags: EvaluateFlags, io: CliIO): Promise<number> {
  const prepared = await prepare(flags, io.cwd);
  const outDir = resolve(io.cwd, flags.out);
  await checkOutDir(outDir, prepared.formats);
  const snapshot = await loadSnapshotInput(resolve(io.cwd, snapshotPath));
  // Judged as of the scan by default: a snapshot says what the scanner saw then, and a rule that
  // measures an age (the last delivery, the last digest) asked today would invent failures about
  // deliveries the scan never saw. --now chooses another clock, and is told when that happens.
  const now = flags.now ? new Date(flags.now) : new Date(snapshot.finishedAt);
  const lateBy = now.getTime() - Date.parse(snapshot.finishedAt);
  const ageRules = prepared.pack.rules.filter((r) => /\b(hoursSince|daysSince)\(/.test(`${r.when ?? ''} ${r.assert}`)).map((r) => r.id);
  if (lateBy > LATE_MS && ageRules.length && !flags.quiet) {
    io.stderr(
      `trailwarden: note: judging a snapshot taken ${snapshot.finishedAt} as of ${now.toISOString()} (${Math.round(lateBy / 3_600_000)} h later): ` +
        `${ageRules.length} rule(s) that measure ages (${ageRules.slice(0, 3).join(', ')}${ageRules.length > 3 ? ', ...' : ''}) judge times the scan never saw; without --now the snapshot is judged as of its scan\n`,
    );
  }
  // The findings go to a file inside --out as they are evaluated, read back as each report is written.
  const outcome = evaluateSnapshot(snapshot, prepared, flags.framework, now, { spillDir: spillDirFor(outDir, prepared.formats) });
  let written;
  try {
    written = await writeReports(outDir, outcome, prepared.formats);
  } finally {
    outcome.dispose();
  }
  const verdict = gate({ findings: outcome.notable }, snapshot, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
  if (!flags.quiet) io.stderr(findingsSummary(outcome.report, written));
  io.stderr(`trailwarden: ${verdict.line}\n`);
  return verdict.code;
}

import { resolve } from 'node:path';
import { loadSnapshotInput } from '../inputs.js';
import type { CliIO } from '../io.js';
import { checkOutDir, evaluateSnapshot, gate, prepare, writeReports, type EvaluationFlags } from '../../core/pipeline.js';
import { exitOnSignal } from '../signals.js';
import { findingsSummary } from '../summary.js';

export interface EvaluateFlags extends EvaluationFlags {
  out: string;
  now?: string;
  quiet?: boolean;
}

/** Re-evaluates a saved snapshot offline: the same snapshot and clock give the same report. */
export function runEvaluate(snapshotPath: string, flags: EvaluateFlags, io: CliIO): Promise<number> {
  return exitOnSignal(io, () => evaluateCommand(snapshotPath, flags, io));
}

async function evaluateCommand(snapshotPath: string, flags: EvaluateFlags, io: CliIO): Promise<number> {
  const prepared = await prepare(flags, io.cwd);
  const outDir = resolve(io.cwd, flags.out);
  await checkOutDir(outDir, prepared.formats);
  const snapshot = await loadSnapshotInput(resolve(io.cwd, snapshotPath));
  const now = flags.now ? new Date(flags.now) : new Date();
  const outcome = evaluateSnapshot(snapshot, prepared, flags.framework, now);
  const written = await writeReports(outDir, outcome, prepared.formats);
  const verdict = gate(outcome, snapshot, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
  if (!flags.quiet) io.stderr(findingsSummary(outcome.report, written));
  io.stderr(`trailwarden: ${verdict.line}\n`);
  return verdict.code;
}

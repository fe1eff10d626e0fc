import { resolve } from 'node:path';
import { loadSnapshotInput } from '../inputs.js';
import type { CliIO } from '../io.js';
import { evaluateSnapshot, gate, prepare, writeReports, type EvaluationFlags } from '../../core/pipeline.js';
import { findingsSummary } from '../summary.js';

export interface EvaluateFlags extends EvaluationFlags {
  out: string;
  now?: string;
  quiet?: boolean;
}

/** Re-evaluates a saved snapshot offline: the same snapshot and clock give the same report. */
export async function runEvaluate(snapshotPath: string, flags: EvaluateFlags, io: CliIO): Promise<number> {
  const prepared = await prepare(flags, io.cwd);
  const snapshot = await loadSnapshotInput(resolve(io.cwd, snapshotPath));
  const now = flags.now ? new Date(flags.now) : new Date();
  const outcome = evaluateSnapshot(snapshot, prepared, flags.framework, now);
  const written = await writeReports(resolve(io.cwd, flags.out), outcome, prepared.formats);
  const verdict = gate(outcome, snapshot, prepared.failOn, !!flags.allowIncomplete, prepared.baseline);
  if (!flags.quiet) io.stderr(findingsSummary(outcome.report, written));
  io.stderr(`trailwarden: ${verdict.line}\n`);
  return verdict.code;
}

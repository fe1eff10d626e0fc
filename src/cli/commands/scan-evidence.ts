// scan --evidence DIR: the glue between the scan command and src/evidence (kept out of scan.ts).
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { EvidenceBundle } from '../../evidence/bundle.js';
import type { Snapshot } from '../../inventory/schema.js';
import { TOOL_VERSION } from '../../version.js';
import type { CliIO } from '../io.js';
import { BUILTIN_RULES, type EvaluationFlags, type Prepared } from '../../core/pipeline.js';

export interface EvidenceFlags extends EvaluationFlags {
  evidence?: string;
  quiet?: boolean;
}

/** Opens the bundle (or nothing without --evidence) before the first AWS call. */
export async function openEvidence(flags: EvidenceFlags, prepared: Prepared, outDir: string, cwd: string): Promise<EvidenceBundle | undefined> {
  if (flags.evidence === undefined) return undefined;
  const dir = flags.evidence;
  // verify renders a bundle's reports again from what the bundle holds; the earlier reports behind
  // --history are not in it, so its report.html could never be checked.
  if (flags.history) throw new UsageError('--evidence and --history together: a bundle\'s reports are rendered again by verify from the bundle alone, and the earlier reports --history reads are not in it; write the bundle without --history (and the trend with a separate evaluate)');
  return EvidenceBundle.open(dir, cwd, outDir, {
    rulesDirs: [{ dir: BUILTIN_RULES, source: '(built-in rules pack)' }, ...(flags.rules ?? []).map((d) => ({ dir: resolve(cwd, d), source: d }))],
    pack: prepared.pack,
    config: flags.config ? { file: resolve(cwd, flags.config), source: flags.config, value: prepared.config } : null,
    waivers: flags.waivers && prepared.waivers ? { file: resolve(cwd, flags.waivers), value: prepared.waivers } : null,
    baseline: flags.baseline ? { file: resolve(cwd, flags.baseline), source: flags.baseline } : null,
  }).catch((err: NodeJS.ErrnoException) => {
    // A directory that cannot be created or written (under a file, read-only, no permission) is a
    // usage error found before any AWS call, not a bug.
    if (typeof err?.code !== 'string') throw err;
    throw new UsageError(`--evidence: ${dir} cannot be written (${err.code}: ${err.message.replace(/^\w+: /, '')})`);
  });
}

export async function finishEvidence(
  bundle: EvidenceBundle,
  run: { flags: EvidenceFlags; prepared: Prepared; snapshot: Snapshot; outDir: string; evaluatedAt: Date; scanOptions: Record<string, unknown> },
  io: CliIO,
): Promise<void> {
  const result = await bundle.finish({
    snapshot: run.snapshot,
    snapshotFile: resolve(run.outDir, 'snapshot.json'),
    outDir: run.outDir,
    formats: run.prepared.formats,
    evaluatedAt: run.evaluatedAt,
    framework: run.flags.framework ?? null,
    failOn: run.prepared.failOn,
    allowIncomplete: !!run.flags.allowIncomplete,
    ...(run.prepared.selection ? { selection: run.prepared.selection } : {}),
    scanOptions: run.scanOptions,
    toolVersion: TOOL_VERSION,
  });
  if (!run.flags.quiet) {
    io.stderr(`evidence    ${result.dir}: ${result.files} files, ${bundle.recorder.count} API calls recorded; manifest.json sha256 ${result.manifestSha256}\n`);
  }
}

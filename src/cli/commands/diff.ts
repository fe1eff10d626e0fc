// trailwarden diff OLD NEW: drift between two report.json files. Exits 0 whatever changed,
// unless --fail-on-new SEVERITY asks for exit 1 on a new, non-waived FAIL at or above it.
import { resolve } from 'node:path';
import { SEVERITIES, type Severity } from '../../engine/rule-schema.js';
import { diffReports, diffText, newFailsAtOrAbove } from '../../report/diff.js';
import { loadReport } from '../../report/load.js';
import { EXIT, UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export interface DiffFlags {
  json?: boolean;
  failOnNew?: string;
}

export async function runDiff(oldFile: string, newFile: string, flags: DiffFlags, io: CliIO): Promise<number> {
  const failOnNew = flags.failOnNew as Severity | undefined;
  if (failOnNew !== undefined && !SEVERITIES.includes(failOnNew)) {
    throw new UsageError(`--fail-on-new: "${flags.failOnNew}" is not a severity (${SEVERITIES.join(', ')})`);
  }
  const older = await loadReport(resolve(io.cwd, oldFile));
  const newer = await loadReport(resolve(io.cwd, newFile));
  const diff = diffReports(older, newer);
  // "Resolved" only means "gone from NEW": say so when the two reports did not judge the same thing.
  for (const note of scopeDifferences(older, newer)) io.stderr(`trailwarden: note: ${note}; findings outside the narrower one show as resolved or new\n`);
  if (flags.json) {
    const side = (file: string, r: typeof older) => ({ file, generatedAt: r.generatedAt, snapshotTakenAt: r.snapshotTakenAt, findings: r.findings.length });
    const summary = { new: diff.new.length, resolved: diff.resolved.length, changed: diff.changed.length };
    io.stdout(`${JSON.stringify({ old: side(oldFile, older), new: side(newFile, newer), summary, findings: diff }, null, 2)}\n`);
  } else {
    io.stdout(diffText(diff, { old: oldFile, new: newFile }));
  }
  if (failOnNew === undefined) return EXIT.ok;
  const failing = newFailsAtOrAbove(diff, failOnNew);
  if (failing.length) {
    io.stderr(`trailwarden: exit 1: ${failing.length} new FAIL(s) at or above ${failOnNew} (not waived), e.g. ${failing[0]!.ruleId} on ${failing[0]!.resource.name}\n`);
    return EXIT.gateFailed;
  }
  io.stderr(`trailwarden: exit 0: no new FAIL at or above ${failOnNew}\n`);
  return EXIT.ok;
}

type LoadedReport = Awaited<ReturnType<typeof loadReport>>;

export function scopeDifferences(older: LoadedReport, newer: LoadedReport): string[] {
  const notes: string[] = [];
  if (older.rulesPack.sha256 !== newer.rulesPack.sha256) notes.push(`the rules packs differ (${older.rulesPack.rules} rules, sha256 ${older.rulesPack.sha256.slice(0, 12)}… vs ${newer.rulesPack.rules} rules, ${newer.rulesPack.sha256.slice(0, 12)}…)`);
  if (older.framework !== newer.framework) notes.push(`--framework differs (${older.framework ?? 'all'} vs ${newer.framework ?? 'all'})`);
  if (older.scope.organizationId !== newer.scope.organizationId) notes.push(`the organizations differ (${older.scope.organizationId ?? 'none'} vs ${newer.scope.organizationId ?? 'none'})`);
  if (older.scope.regions.join(',') !== newer.scope.regions.join(',')) notes.push(`the scanned regions differ (${older.scope.regions.length} vs ${newer.scope.regions.length})`);
  const ids = (r: LoadedReport) => r.accounts.filter((a) => a.status === 'scanned').map((a) => a.id).sort().join(',');
  if (ids(older) !== ids(newer)) notes.push(`the scanned accounts differ (${older.accounts.filter((a) => a.status === 'scanned').length} vs ${newer.accounts.filter((a) => a.status === 'scanned').length})`);
  return notes;
}

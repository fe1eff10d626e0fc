// The one-screen summary printed after a scan: what was covered, what was not, and what it cost.
import { SEVERITIES } from '../engine/rule-schema.js';
import { evaluatedReport, type AnyReport, type Report } from '../report/report.js';
import type { Snapshot } from '../inventory/schema.js';

export interface ScanCost {
  retries: number;
  seconds: number;
}

function count<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export function scanSummary(s: Snapshot, cost: ScanCost, opts: { verbose: boolean; snapshotPath: string }): string {
  const out: string[] = [];
  const inScope = s.accounts.filter((a) => a.inScope || a.status !== 'skipped');
  const byStatus = count(inScope, (a) => a.status);
  const skipped = s.accounts.filter((a) => a.status === 'skipped');
  const regions = count(s.accounts.filter((a) => a.inScope).flatMap((a) => a.regions), (r) => r.status);
  const org = s.organization.available
    ? `organization ${s.organization.id} (management account ${s.organization.managementAccountId})`
    : `the caller's account only: ${s.organization.reason}`;
  out.push(`trailwarden scan of ${org}`);
  out.push(`  caller     ${s.caller.arn}`);
  out.push(
    `  accounts   ${byStatus.get('scanned') ?? 0} scanned · ${skipped.length} skipped · ${byStatus.get('error') ?? 0} error`,
  );
  for (const a of s.accounts.filter((x) => x.status === 'error')) out.push(`             error ${a.id} (${a.name}): ${a.reason}`);
  const skipReasons = count(skipped, (a) => a.reason ?? 'skipped');
  for (const [reason, n] of skipReasons) out.push(`             skipped ${n}: ${reason}`);
  out.push(
    `  regions    ${regions.get('scanned') ?? 0} scanned · ${regions.get('unreachable') ?? 0} unreachable · ${regions.get('not-opted-in') ?? 0} not opted in · ${regions.get('excluded') ?? 0} excluded (account-regions)`,
  );
  const orgTrails = s.trails.filter((t) => t.isOrganizationTrail).length;
  const multi = s.trails.filter((t) => t.isMultiRegionTrail).length;
  out.push(`  trails     ${s.trails.length} (${orgTrails} organization, ${multi} multi-region)`);
  out.push(`  resources  ${s.buckets.length} bucket(s) · ${s.keys.length} key(s) · ${s.topics.length} topic(s) · ${s.logGroups.length} log group(s)`);
  const codes = [...count(s.errors, (e) => e.code)].sort((a, b) => b[1] - a[1]);
  out.push(`  errors     ${s.errors.length}${codes.length ? ` (${codes.map(([c, n]) => `${c} ${n}`).join(', ')})` : ''}`);
  const shown = opts.verbose ? s.errors : s.errors.slice(0, 8);
  for (const e of shown) {
    const where = [e.accountId, e.region, e.resource?.id].filter(Boolean).join(' ');
    out.push(`             ${e.service}:${e.operation} ${where}: ${e.code}: ${e.message}`);
  }
  if (shown.length < s.errors.length) out.push(`             … ${s.errors.length - shown.length} more (--verbose, or "errors" in the snapshot)`);
  const perCell = s.stats.apiCalls.map((c) => c.calls).sort((a, b) => a - b);
  const total = perCell.reduce((a, b) => a + b, 0);
  out.push(
    `  API calls  ${total} in ${cost.seconds.toFixed(1)} s, ${cost.retries} retried; per account-region: median ${percentile(perCell, 0.5)}, p95 ${percentile(perCell, 0.95)}, max ${perCell.at(-1) ?? 0} over ${perCell.length}`,
  );
  const busiest = [...s.stats.apiCalls].sort((a, b) => b.calls - a.calls).slice(0, opts.verbose ? 20 : 3);
  for (const c of busiest) out.push(`             ${c.accountId} ${c.region}: ${c.calls}`);
  out.push(`  snapshot   ${opts.snapshotPath}${s.complete ? '' : ' (INCOMPLETE: ' + s.incompleteReason + ')'}`);
  return `${out.join('\n')}\n`;
}

/** After evaluation: verdict counts, the worst failures, and where the reports are. */
export function findingsSummary(report: AnyReport, written: string[]): string {
  const s = report.summary;
  const out = [
    `findings   ${s.byStatus.PASS} PASS · ${s.byStatus.FAIL} FAIL · ${s.byStatus.ERROR} ERROR · ${s.byStatus.NOT_APPLICABLE} not applicable (${report.rulesPack.rules} rules${report.framework ? `, ${report.framework}` : ''})`,
    `  failing  ${Object.entries(s.bySeverity).filter(([, n]) => n > 0).map(([sev, n]) => `${n} ${sev}`).join(' · ') || 'none'}`,
  ];
  // The most severe first, unwaived before waived: the first lines a person reads are the ones to act on.
  const worst = evaluatedReport(report).findings.notable
    .filter((f) => f.status === 'FAIL')
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || Number(!!a.waiver) - Number(!!b.waiver))
    .slice(0, 5);
  for (const f of worst) out.push(`           ${f.severity} ${f.ruleId} ${f.accountId} ${f.resource.name}${f.waiver ? ` (waived until ${f.waiver.expires})` : ''}`);
  // The fix plan's top five: the changes that resolve the most, in the order to make them.
  const actions = report.actions ?? [];
  if (actions.length) out.push(`  fix first ${actions.length} action(s); the top ${Math.min(5, actions.length)} by impact:`);
  for (const a of actions.slice(0, 5)) out.push(`           ${a.impact} · ${a.findings.length} finding(s) · ${a.title}`);
  if (report.waivers) out.push(...waiversSummary(report.waivers));
  for (const w of written) out.push(`  report   ${w}`);
  return `${out.join('\n')}\n`;
}

/** Expired and unmatched waivers are named one by one: a waiver must never stop matching silently. */
function waiversSummary(w: NonNullable<Report['waivers']>): string[] {
  const out = [`  waivers  ${w.applied} FAIL(s) waived · ${w.expired.length} expired · ${w.unmatched.length} unmatched (${w.total} in ${w.file})`];
  const at = (line: number | null) => `${w.file}${line ? `:${line}` : ''}`;
  for (const x of w.expired) out.push(`           expired ${x.expires}: ${x.rule} on ${x.resource} (${at(x.line)}, owner ${x.owner})${x.fail ? `; ${x.fail} FAIL(s) no longer waived` : ''}`);
  for (const x of w.unmatched) out.push(`           unmatched: ${x.rule} on ${x.resource} (${at(x.line)}, owner ${x.owner}) matches no FAIL finding`);
  for (const x of w.matchedErrors) out.push(`           not applied to ${x.error} ERROR finding(s): ${x.rule} on ${x.resource} (${at(x.line)}); a waiver never hides an ERROR`);
  return out;
}

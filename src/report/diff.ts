// Drift between two reports, matched by finding fingerprint (rule + resource): what newly FAILs,
// what was fixed, and what else changed. Pure: two reports in, one diff out.
import { SEVERITIES, type Severity } from '../engine/rule-schema.js';
import type { Report } from './report.js';

type ReportFinding = Report['findings'][number];

export interface FindingState {
  status: ReportFinding['status'];
  severity: Severity;
  waiver: ReportFinding['waiver'];
}

export interface DiffEntry {
  fingerprint: string;
  ruleId: string;
  title: string;
  accountId: string;
  accountName: string;
  region: string | null;
  resource: ReportFinding['resource'];
  /** null: the finding is not in that report. */
  before: FindingState | null;
  after: FindingState | null;
  changes: ('status' | 'severity' | 'waiver')[];
}

export interface ReportDiff {
  /** FAIL in the new report, and absent or not FAIL in the old one. */
  new: DiffEntry[];
  /** FAIL in the old report, and PASS, NOT_APPLICABLE or absent in the new one. */
  resolved: DiffEntry[];
  /** In both, neither new nor resolved, with a different status, severity or waiver (FAIL -> ERROR is here: unseen is not fixed). */
  changed: DiffEntry[];
}

const state = (f: ReportFinding): FindingState => ({ status: f.status, severity: f.severity, waiver: f.waiver });
const sameWaiver = (a: FindingState['waiver'], b: FindingState['waiver']) =>
  a === b || (a !== null && b !== null && a.reason === b.reason && a.owner === b.owner && a.expires === b.expires);
const rank = (s: Severity) => SEVERITIES.indexOf(s);

export function diffReports(older: Report, newer: Report): ReportDiff {
  const before = new Map(older.findings.map((f) => [f.fingerprint, f]));
  const after = new Map(newer.findings.map((f) => [f.fingerprint, f]));
  const out: ReportDiff = { new: [], resolved: [], changed: [] };
  for (const fingerprint of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(fingerprint);
    const a = after.get(fingerprint);
    const subject = (a ?? b)!;
    const changes: DiffEntry['changes'] = [];
    if (a && b) {
      if (a.status !== b.status) changes.push('status');
      if (a.severity !== b.severity) changes.push('severity');
      if (!sameWaiver(a.waiver, b.waiver)) changes.push('waiver');
    }
    const entry: DiffEntry = {
      fingerprint,
      ruleId: subject.ruleId,
      title: subject.title,
      accountId: subject.accountId,
      accountName: subject.accountName,
      region: subject.region,
      resource: subject.resource,
      before: b ? state(b) : null,
      after: a ? state(a) : null,
      changes,
    };
    if (a?.status === 'FAIL' && b?.status !== 'FAIL') out.new.push(entry);
    else if (b?.status === 'FAIL' && (!a || a.status === 'PASS' || a.status === 'NOT_APPLICABLE')) out.resolved.push(entry);
    else if (changes.length) out.changed.push(entry);
  }
  const order = (x: DiffEntry, y: DiffEntry) =>
    rank((x.after ?? x.before)!.severity) - rank((y.after ?? y.before)!.severity) || x.ruleId.localeCompare(y.ruleId) || x.resource.id.localeCompare(y.resource.id);
  out.new.sort(order);
  out.resolved.sort(order);
  out.changed.sort(order);
  return out;
}

/** The new FAILs that would fail a gate at `failOn`: not waived, at or above that severity. */
export function newFailsAtOrAbove(diff: ReportDiff, failOn: Severity): DiffEntry[] {
  return diff.new.filter((e) => e.after!.waiver === null && rank(e.after!.severity) <= rank(failOn));
}

const waiverText = (w: FindingState['waiver']) => (w ? `waived "${w.reason}" (${w.owner}, until ${w.expires})` : 'not waived');

function describeChange(e: DiffEntry): string {
  const b = e.before!;
  const a = e.after!;
  const parts: string[] = [];
  if (e.changes.includes('status')) parts.push(`status ${b.status} -> ${a.status}`);
  if (e.changes.includes('severity')) parts.push(`severity ${b.severity} -> ${a.severity}`);
  if (e.changes.includes('waiver')) parts.push(`${waiverText(b.waiver)} -> ${waiverText(a.waiver)}`);
  return parts.join('; ');
}

export function diffText(diff: ReportDiff, names: { old: string; new: string }): string {
  const line = (e: DiffEntry, note: string) =>
    `  ${(e.after ?? e.before)!.severity.padEnd(13)} ${e.ruleId}  ${e.accountId} (${e.accountName})${e.region ? ` ${e.region}` : ''}  ${e.resource.name}  ${note}`;
  const out = [`trailwarden diff ${names.old} -> ${names.new}`];
  out.push(`new FAIL (${diff.new.length})`);
  for (const e of diff.new) out.push(line(e, `${e.before ? `was ${e.before.status}` : 'not in the old report'}${e.after!.waiver ? `; ${waiverText(e.after!.waiver)}` : ''}`));
  out.push(`resolved (${diff.resolved.length})`);
  for (const e of diff.resolved) out.push(line(e, e.after ? `now ${e.after.status}` : 'not in the new report'));
  out.push(`changed (${diff.changed.length})`);
  for (const e of diff.changed) out.push(line(e, describeChange(e)));
  out.push(`${diff.new.length} new, ${diff.resolved.length} resolved, ${diff.changed.length} changed`);
  return `${out.join('\n')}\n`;
}

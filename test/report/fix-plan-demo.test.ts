// The fix plan on the demo organization, read back from report.json: one change to the
// organization trail's log group resolves the CIS monitoring FAILs of every account, and the
// account whose role was refused is one access action (docs/reports.md, "Fix plan").
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsSummary } from '../../src/cli/summary.js';
import { evaluateSnapshot, prepare, writeReports, type Outcome } from '../../src/core/pipeline.js';
import { renderHtml } from '../../src/report/formats/html.js';
import { renderMarkdown } from '../../src/report/formats/markdown.js';
import { Snapshot } from '../../src/inventory/schema.js';
import { Report } from '../../src/report/report.js';

const ROOT = new URL('../../', import.meta.url).pathname;
let dir: string;
let report: Report;
let snapshot: Snapshot;
let outcome: Outcome;

beforeAll(async () => {
  snapshot = Snapshot.parse(JSON.parse(await readFile(join(ROOT, 'demo/snapshot.json'), 'utf8')));
  const prepared = await prepare({ format: ['json'] }, ROOT);
  outcome = evaluateSnapshot(snapshot, prepared, undefined, new Date(snapshot.finishedAt));
  dir = await mkdtemp(join(tmpdir(), 'tw-fix-plan-'));
  await writeReports(dir, outcome, ['json']);
  report = Report.parse(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the fix plan of the demo organization (report.json)', () => {
  it('puts the organization trail\'s log group first, resolving the CIS monitoring FAILs of every account', () => {
    const actions = report.actions!;
    const [first] = actions;
    const mgmt = report.scope.managementAccountId!;
    expect(first!.kind).toBe('log-group');
    expect(first!.accountId).toBe(mgmt);
    const monitoringFails = report.findings.filter((f) => f.status === 'FAIL' && f.ruleId.startsWith('monitoring-'));
    expect(monitoringFails.length).toBeGreaterThan(100);
    for (const f of monitoringFails) expect(first!.findings, `${f.ruleId} ${f.accountName}`).toContain(f.fingerprint);
    // every scanned account's monitoring FAILs, at once
    const scanned = report.accounts.filter((a) => a.status === 'scanned').map((a) => a.id).sort();
    expect(first!.accounts).toEqual(scanned);
    expect(first!.title).toMatch(/^Add the CIS metric filters and alarms to log group \S+ in account/);
    // the log group is the one the organization trail delivers to
    const orgTrails = snapshot.trails.filter((t) => t.isOrganizationTrail && t.ownerAccountId === mgmt);
    expect(orgTrails.map((t) => t.cloudWatchLogsLogGroupArn)).toContain(first!.target);
    expect(first!.impact).toBe(Math.max(...actions.map((a) => a.impact)));
  });

  it('makes the denied account exactly one access action, with the trust-policy fix', () => {
    const denied = report.accounts.find((a) => a.name === 'denied-access')!;
    const ofDenied = report.actions!.filter((a) => a.accounts.includes(denied.id));
    expect(ofDenied.map((a) => a.kind)).toEqual(['access']);
    const [access] = ofDenied;
    const errors = report.findings.filter((f) => f.accountId === denied.id && f.status === 'ERROR');
    expect(errors.length).toBeGreaterThan(1);
    // Its own ERRORs, and those of other accounts that needed its facts: the bucket of
    // outside-bucket-trail is owned by no account that could be listed, and the denied account
    // could not be, so granting that access is what lets the bucket's owner be found.
    const needingIt = report.findings.filter((f) => f.accountId !== denied.id && f.status === 'ERROR' && f.message.includes(`could not be listed: ${denied.id}`));
    expect(needingIt.map((f) => f.ruleId)).toEqual(['trail-bucket-in-organization']);
    expect([...access!.findings].sort()).toEqual([...errors, ...needingIt].map((f) => f.fingerprint).sort());
    expect(needingIt[0]!.remediation!.summary).toMatch(new RegExp(`^Let trailwarden assume arn:aws:iam::${denied.id}:role/OrganizationAccountAccessRole in account denied-access`));
    // Every ERROR of the demo is that one action: none is left with a FAIL's remediation.
    expect(report.findings.filter((f) => f.status === 'ERROR').length).toBe(access!.findings.length);
    expect(access!.title).toBe(`Let trailwarden assume OrganizationAccountAccessRole in account denied-access (${denied.id})`);
    expect(access!.remediation).toContain('trust policy');
    // each ERROR says how to grant what could not be read, not how to fix a FAIL
    for (const f of errors) {
      expect(f.remediation!.summary, f.ruleId).toMatch(/^Let trailwarden assume arn:aws:iam::\d+:role\/OrganizationAccountAccessRole/);
      expect(f.remediation!.cli, f.ruleId).toContain('update-assume-role-policy');
    }
  });

  it('gives every FAIL and ERROR not waived to exactly one action', () => {
    const inActions = report.actions!.flatMap((a) => a.findings);
    expect(new Set(inActions).size).toBe(inActions.length);
    const open = report.findings.filter((f) => (f.status === 'FAIL' || f.status === 'ERROR') && !f.waiver).map((f) => f.fingerprint);
    expect(inActions.sort()).toEqual(open.sort());
  });

  it('every renderer shows the actions first: report.md, the terminal summary (top five), the HTML (before the heatmap)', () => {
    const input = { report, snapshot, rules: outcome.rules };
    const first = report.actions![0]!;
    const md = renderMarkdown(input);
    expect(md.indexOf('### Fix these first')).toBeGreaterThan(0);
    expect(md.indexOf('### Fix these first')).toBeLessThan(md.indexOf('### Accounts'));
    expect(md).toContain('| 1 | Add the CIS metric filters and alarms to log group');
    // Then the FAILs counted by rule, before the counts and the per-finding tables.
    const byRule = md.indexOf('### FAIL by rule');
    expect(byRule).toBeGreaterThan(md.indexOf('### Fix these first'));
    expect(byRule).toBeLessThan(md.indexOf('### Accounts'));
    const open = report.findings.filter((f) => f.status === 'FAIL' && !f.waiver);
    const rows = md.slice(byRule, md.indexOf('### Accounts')).split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.length).toBe(new Set(open.map((f) => f.ruleId)).size);
    const counted = rows.map((l) => l.split(' | ')).map((c) => [c[0]!.slice(3, -1), Number(c[2])] as const);
    for (const [ruleId, n] of counted) expect(n, ruleId).toBe(open.filter((f) => f.ruleId === ruleId).length);
    expect(counted.reduce((a, [, n]) => a + n, 0)).toBe(open.length);
    const summary = findingsSummary(report, []);
    const lines = summary.split('\n').filter((l) => / · \d+ finding\(s\) · /.test(l));
    expect(lines).toHaveLength(5);
    expect(lines[0]).toContain(first.title);
    const html = renderHtml(input);
    const actions = html.indexOf('<section id="actions"');
    expect(actions).toBeGreaterThan(0);
    expect(actions).toBeLessThan(html.indexOf('<section id="summary"'));
    expect(actions).toBeLessThan(html.indexOf('<section id="heatmap"'));
    expect(html).toContain(`data-action-id="${first.id}"`);
  });
});

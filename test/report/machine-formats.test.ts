// The machine-readable report formats (csv, sarif, junit, md, ocsf, asff), rendered from findings
// of a really evaluated snapshot (FAIL, ERROR, NOT_APPLICABLE and PASS, hostile names), each
// checked against its published schema or XSD and for the escaping its consumers need.
import { materialize } from '../../src/report/report.js';
import { findingList } from '../../src/findings/store.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InMemoryOutcome as Outcome } from '../../src/core/pipeline.js';
import { CSV_COLUMNS, csvField, neutralizeFormula, renderCsv } from '../../src/report/formats/csv.js';
import { reportFormat, type RenderInput } from '../../src/report/formats/index.js';
import { renderJunit, xmlText } from '../../src/report/formats/junit.js';
import { GITHUB_COMMENT_LIMIT, MAX_FAIL_ROWS, mdCell, renderMarkdown } from '../../src/report/formats/markdown.js';
import { renderOcsf } from '../../src/report/formats/ocsf.js';
import { MAX_RESULTS, MAX_TAGS, renderSarif } from '../../src/report/formats/sarif.js';
import { renderAsff } from '../../src/report/formats/asff.js';
import {
  AT_ACCOUNT_NAME,
  evaluatedFixture,
  HOSTILE_ACCOUNT_NAME,
  HOSTILE_TRAIL_NAME,
  METRIC_FILTERS_NOT_COLLECTED,
  MINUS_ACCOUNT_NAME,
  TRAIL_ARN,
  validateAsff,
  validateJunit,
  validateOcsf,
  validateSarif,
  withWaiver,
} from './formats-fixture.js';

let outcome: Outcome;
let input: RenderInput;
beforeAll(async () => {
  outcome = await evaluatedFixture();
  input = { report: outcome.report, snapshot: outcome.snapshot, rules: outcome.rules };
});

const byStatus = (status: string) => outcome.report.findings.filter((f) => f.status === status);

describe('the fixture', () => {
  it('really evaluates to every status, hostile names included', () => {
    for (const s of ['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE']) expect(byStatus(s).length, s).toBeGreaterThan(0);
    expect(outcome.report.findings.some((f) => f.accountName === HOSTILE_ACCOUNT_NAME)).toBe(true);
    expect(outcome.report.findings.some((f) => f.resource.name === HOSTILE_TRAIL_NAME && f.status === 'FAIL')).toBe(true);
  });
});

/** RFC 4180 reader, strict enough to fail on a malformed file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

describe('the validators', () => {
  it('reject what their schema forbids, so a pass means something', async () => {
    expect(await validateJunit('<testsuites><testsuite name="x"><testcase classname="r"/></testsuite></testsuites>')).not.toEqual([]);
    expect(await validateJunit('<testsuites><testsuite name="x" tests="1"><testcase name="a" classname="r"/></testsuite></testsuites>')).toEqual([]);
    const sarif = JSON.parse(renderSarif(input));
    delete sarif.runs[0].results[0].message;
    expect(validateSarif(JSON.stringify(sarif))).not.toEqual([]);
    sarif.runs[0].results[0].message = { text: 'x' };
    sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'has spaces and %zz';
    expect(validateSarif(JSON.stringify(sarif)).join()).toContain('must match format "uri-reference"');
    const ocsf = JSON.parse(renderOcsf(input));
    ocsf[0].compliance.status_id = 7;
    expect(validateOcsf(JSON.stringify(ocsf))).not.toEqual([]);
    const asff = JSON.parse(renderAsff(input));
    asff[0].Title = 'x'.repeat(257);
    expect(validateAsff(JSON.stringify(asff)).join()).toContain('must NOT have more than 256 characters');
  });
});

describe('csv', () => {
  it('is one RFC 4180 row per finding with the useful columns', () => {
    const rows = parseCsv(renderCsv(outcome));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.length - 1).toBe(outcome.report.findings.length);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const fail = rows.find((r) => r[col('rule_id')] === 'trail-log-file-validation')!;
    expect(fail[col('status')]).toBe('FAIL');
    expect(fail[col('resource_arn')]).toBe(TRAIL_ARN);
    expect(fail[col('frameworks')]).toContain('aws-fsbp:CloudTrail.4');
    expect(fail[col('rules_pack_sha256')]).toBe(outcome.report.rulesPack.sha256);
    expect(fail[col('tool_version')]).toBe(outcome.report.tool.version);
    expect(fail[col('generated_at')]).toBe('2026-11-21T12:00:00.000Z');
    // What a ticket needs: why it matters, what to run, where to read, and the resource's tags.
    const rule = outcome.rules.find((r) => r.id === 'trail-log-file-validation')!;
    expect(fail[col('risk')]).toBe(rule.rationale);
    expect(fail[col('remediation_summary')]).toMatch(/Turn on log file validation/);
    expect(fail[col('remediation_cli')]).toContain(`aws cloudtrail update-trail --name ${TRAIL_ARN}`);
    expect(fail[col('references')]).toBe(rule.references.join(' '));
    const trailTags = outcome.snapshot.trails.find((t) => t.arn === TRAIL_ARN)!.tags!;
    expect(fail[col('resource_tags')]).toBe(Object.entries(trailTags).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('; '));
    expect(Object.keys(trailTags).length).toBeGreaterThan(0);
    // Nothing to fix on a PASS: no remediation in its row.
    const pass = rows.find((r) => r[col('status')] === 'PASS')!;
    expect([pass[col('remediation_summary')], pass[col('remediation_cli')]]).toEqual(['', '']);
    const logArchive = rows.find((r) => r[col('account_id')] === '222222222222')!;
    expect(logArchive[col('ou_path')]).toBe('Root/Security');
    expect(rows.slice(1).map((r) => r[col('status')])[0]).toBe('FAIL');
  });

  it('neutralizes every cell a spreadsheet would run as a formula, hostile account and resource names included', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r']) expect(neutralizeFormula(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(neutralizeFormula('safe =1')).toBe('safe =1');
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    const rows = parseCsv(renderCsv(outcome));
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const hostileAccount = rows.filter((r) => r[col('account_id')] === '333333333333');
    expect(hostileAccount.length).toBeGreaterThan(0);
    for (const r of hostileAccount) expect(r[col('account_name')]).toBe(`'${HOSTILE_ACCOUNT_NAME}`);
    const accountResource = hostileAccount.find((r) => r[col('resource_type')] === 'account')!;
    expect(accountResource[col('resource_name')]).toBe(`'${HOSTILE_ACCOUNT_NAME}`);
    const trail = rows.find((r) => r[col('resource_arn')] === TRAIL_ARN)!;
    expect(trail[col('resource_name')]).toBe(`'${HOSTILE_TRAIL_NAME}`);
    expect(rows.find((r) => r[col('account_id')] === '222222222222')![col('account_name')]).toBe(`'${MINUS_ACCOUNT_NAME}`);
    expect(rows.find((r) => r[col('account_id')] === '111111111111')![col('account_name')]).toBe(`'${AT_ACCOUNT_NAME}`);
    // No cell anywhere may start a formula.
    for (const r of rows) for (const cell of r) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('names the waiver of a waived FAIL', () => {
    const rows = parseCsv(renderCsv(withWaiver(outcome, 'trail-log-file-validation')));
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const waived = rows.find((r) => r[col('rule_id')] === 'trail-log-file-validation')!;
    expect([waived[col('waived')], waived[col('waiver_reason')], waived[col('waiver_owner')], waived[col('waiver_expires')]]).toEqual([
      'yes',
      'accepted <risk> | see TICKET-1',
      'sec@example.com',
      '2027-01-31',
    ]);
  });
});

describe('sarif', () => {
  const log = () => JSON.parse(renderSarif(input)) as { runs: [SarifRun] };
  interface SarifResult {
    ruleId: string;
    ruleIndex: number;
    kind: string;
    level: string;
    message: { text: string };
    locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> }; logicalLocations: { fullyQualifiedName: string }[] }[];
    partialFingerprints: Record<string, string>;
    suppressions?: { kind: string; justification: string }[];
  }
  interface SarifRun {
    tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string; markdown: string }; defaultConfiguration: { level: string }; properties: Record<string, unknown> }[] } };
    results: SarifResult[];
    properties: { rulesPack: { sha256: string }; generatedAt: string };
    invocations: { executionSuccessful: boolean }[];
  }

  it('is valid against the official SARIF 2.1.0 schema', () => {
    expect(validateSarif(renderSarif(input))).toEqual([]);
    expect(validateSarif(renderSarif(withWaiver(outcome, 'trail-log-file-validation')))).toEqual([]);
  });

  it('meets what GitHub code scanning requires of every rule and result', () => {
    const run = log().runs[0];
    expect(run.tool.driver.name).toBe('trailwarden');
    for (const rule of run.tool.driver.rules) {
      expect(rule.id).not.toBe('');
      for (const text of [rule.shortDescription.text, rule.fullDescription.text, rule.help.text]) expect(text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeLessThanOrEqual(1024);
    }
    expect(run.results.length).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(r.locations).toHaveLength(1);
      const { uri } = r.locations[0]!.physicalLocation.artifactLocation;
      expect(uri).toMatch(/^aws\/[0-9]{12}\/[A-Za-z0-9._-]+\/[a-z-]+\/[A-Za-z0-9._-]+$/);
      expect(r.locations[0]!.physicalLocation.region).toMatchObject({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 });
      expect(r.partialFingerprints.primaryLocationLineHash).toMatch(/^[0-9a-f]{32}:1$/);
      expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    }
  });

  it('has one result per FAIL and ERROR, with the level and kind each needs', () => {
    const { results } = log().runs[0];
    expect(results).toHaveLength(byStatus('FAIL').length + byStatus('ERROR').length);
    const trail = results.find((r) => r.ruleId === 'trail-log-file-validation')!;
    expect([trail.kind, trail.level]).toEqual(['fail', 'note']);
    expect(trail.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(TRAIL_ARN);
    expect(trail.message.text).toContain('Remediation: Turn on log file validation');
    const org = results.find((r) => r.ruleId === 'organization-trail')!;
    expect([org.kind, org.level]).toEqual(['fail', 'error']);
    const errors = results.filter((r) => r.kind === 'open');
    expect(errors).toHaveLength(byStatus('ERROR').length);
    for (const e of errors) {
      expect(e.level).toBe('none');
      expect(e.message.text).toContain('logGroup.metricFilters was not collected');
    }
  });

  it('describes every evaluated rule with help, severity and framework tags', () => {
    const run = log().runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(outcome.rules.map((r) => r.id).sort());
    const rule = run.tool.driver.rules.find((r) => r.id === 'organization-trail')!;
    expect(rule.properties['security-severity']).toBe('8.0');
    expect(rule.defaultConfiguration.level).toBe('error');
    expect(rule.properties.tags).toEqual(expect.arrayContaining(['security']));
    const lfv = run.tool.driver.rules.find((r) => r.id === 'trail-log-file-validation')!;
    expect(lfv.properties.tags).toEqual(expect.arrayContaining(['aws-fsbp/CloudTrail.4', 'nist-800-53-r5/AU-9']));
    expect(lfv.help.markdown).toContain('## Remediation');
    expect(lfv.help.markdown).toContain('aws cloudtrail update-trail --name <trail.arn> --enable-log-file-validation');
    expect(lfv.help.text).toContain('Why it matters:');
  });

  it('keeps fingerprints stable across runs and names the run', async () => {
    const later = await evaluatedFixture();
    later.report.generatedAt = '2027-06-01T00:00:00.000Z';
    const prints = (text: string) => (JSON.parse(text) as { runs: SarifRun[] }).runs[0]!.results.map((r) => r.partialFingerprints.primaryLocationLineHash).sort();
    expect(prints(renderSarif({ report: later.report, snapshot: later.snapshot, rules: later.rules }))).toEqual(prints(renderSarif(input)));
    const run = log().runs[0];
    expect(run.tool.driver.version).toBe(outcome.report.tool.version);
    expect(run.properties.rulesPack.sha256).toBe(outcome.report.rulesPack.sha256);
    expect(run.properties.generatedAt).toBe('2026-11-21T12:00:00.000Z');
  });

  it('stays within GitHub\'s limits: at most 20 tags a rule, at most 25,000 results, the least severe dropped first', () => {
    const rules = outcome.rules.map((r) => (r.id === 'trail-log-file-validation' ? { ...r, frameworks: { ...r.frameworks, 'x-many': Array.from({ length: 30 }, (_, i) => `C${i}`) } } : r));
    const tagged = JSON.parse(renderSarif({ ...input, rules })) as { runs: SarifRun[] };
    const tags = tagged.runs[0]!.tool.driver.rules.find((r) => r.id === 'trail-log-file-validation')!.properties.tags as string[];
    expect(tags).toHaveLength(MAX_TAGS);
    expect(tags).toEqual(expect.arrayContaining(['security', 'aws-fsbp', 'x-many', 'aws-fsbp/CloudTrail.4']));

    const report = structuredClone(materialize(outcome.report));
    const template = report.findings.find((f) => f.ruleId === 'trail-log-file-validation')!;
    const clone = (i: number, severity: 'high' | 'informational') => ({ ...template, severity, fingerprint: `${severity}-${i}`, resource: { ...template.resource, id: `${severity}-${i}` } });
    report.findings = [...Array.from({ length: 10 }, (_, i) => clone(i, 'informational')), ...Array.from({ length: MAX_RESULTS }, (_, i) => clone(i, 'high'))];
    const run = (JSON.parse(renderSarif({ ...input, report })) as { runs: (SarifRun & { invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] })[] }).runs[0]!;
    expect(run.results).toHaveLength(MAX_RESULTS);
    expect(run.results.some((r) => r.partialFingerprints['trailwarden/fingerprint/v1']!.startsWith('informational'))).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toContainEqual(expect.stringContaining('10 of 25010 FAIL/ERROR results were left out'));
  });

  it('marks a waived FAIL as an accepted external suppression', () => {
    const run = (JSON.parse(renderSarif(withWaiver(outcome, 'trail-log-file-validation'))) as { runs: SarifRun[] }).runs[0]!;
    const waived = run.results.find((r) => r.ruleId === 'trail-log-file-validation')!;
    expect(waived.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'accepted <risk> | see TICKET-1 (owner sec@example.com, expires 2027-01-31)' }]);
  });
});

describe('junit', () => {
  it('is valid against the JUnit XSD, hostile names included', async () => {
    expect(await validateJunit(renderJunit(input))).toEqual([]);
    expect(await validateJunit(renderJunit(withWaiver(outcome, 'trail-log-file-validation')))).toEqual([]);
  });

  it('has one suite per rule and one testcase per rule x resource, with the right outcome', () => {
    const xml = renderJunit(input);
    const suites = xml.match(/<testsuite /g) ?? [];
    expect(suites).toHaveLength(new Set(outcome.report.findings.map((f) => f.ruleId)).size);
    expect(xml.match(/<testcase /g)).toHaveLength(outcome.report.findings.length);
    expect(xml.match(/<failure /g)).toHaveLength(byStatus('FAIL').length);
    expect(xml.match(/<error /g)).toHaveLength(byStatus('ERROR').length);
    expect(xml.match(/<skipped /g)).toHaveLength(byStatus('NOT_APPLICABLE').length);
    const root = xml.match(/<testsuites [^>]*>/)![0];
    expect(root).toContain(`tests="${outcome.report.findings.length}" failures="${byStatus('FAIL').length}" errors="${byStatus('ERROR').length}"`);
    expect(xml).toMatch(/<testsuite name="trail-log-file-validation" tests="1" failures="1" errors="0" skipped="0"/);
    expect(xml).toContain('<testcase classname="trail-log-file-validation" name="+cmd|&apos; /C calc&apos;!A0 ]]&gt;&lt;script&gt;');
    expect(xml).toContain(`<property name="rulesPack.sha256" value="${outcome.report.rulesPack.sha256}"/>`);
  });

  it('escapes markup and strips the characters XML 1.0 forbids', () => {
    const xml = renderJunit(input);
    // eslint-disable-next-line no-control-regex -- the characters XML 1.0 forbids
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
    expect(xml).not.toContain(']]>');
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('<script');
    expect(xmlText('a\u0001b\u0008c]]>\ud800d\uffff')).toBe('abc]]&gt;d');
  });

  it('reports a waived FAIL as skipped, never as passed or failed', () => {
    const xml = renderJunit(withWaiver(outcome, 'trail-log-file-validation'));
    const suite = xml.slice(xml.indexOf('<testsuite name="trail-log-file-validation"'));
    const testcase = suite.slice(0, suite.indexOf('</testcase>'));
    expect(testcase).toContain('<skipped message="waived: accepted &lt;risk&gt; | see TICKET-1 (owner sec@example.com, expires 2027-01-31)"/>');
    expect(testcase).not.toContain('<failure');
    expect(suite).toMatch(/^<testsuite name="trail-log-file-validation" tests="1" failures="0" errors="0" skipped="1"/);
  });
});

/** Cells of a GitHub table row: split on pipes that are not backslash-escaped. */
const cells = (line: string) => line.slice(1, -1).split(/(?<!\\)\|/);

describe('markdown', () => {
  it('leads with the verdict and counts, lists FAILs by severity and ERRORs with reasons', () => {
    const md = renderMarkdown(input);
    expect(md.split('\n')[0]).toMatch(/^## trailwarden: ❌ \*\*FAIL\*\*: 2 check\(s\) failed \(worst: high\)/);
    expect(md).toContain(`rules pack \`${outcome.report.rulesPack.sha256.slice(0, 12)}\``);
    expect(md).toContain('organization o-example123');
    expect(md).toContain('### Accounts\n\n3 scanned, 0 skipped, 0 not scanned (error).');
    expect(md).toContain(`### Could not judge (${byStatus('ERROR').length} ERROR)`);
    expect(md).toContain('logGroup.metricFilters was not collected');
    const failRows = md.slice(md.indexOf('### Failing checks')).split('\n').filter((l) => l.startsWith('| high') || l.startsWith('| low'));
    expect(failRows.map((l) => cells(l)[0]!.trim())).toEqual(['high', 'low']);
  });

  it('escapes names so they neither break the table nor inject HTML or mentions', () => {
    const md = renderMarkdown(input);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('<script');
    expect(md).not.toMatch(/(^|[^\\])@octocat/);
    expect(md).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    for (const block of md.split('\n\n').filter((b) => b.startsWith('| '))) {
      const lines = block.split('\n').filter((l) => l.startsWith('|'));
      const width = cells(lines[0]!).length;
      for (const line of lines) expect(cells(line), line).toHaveLength(width);
    }
    expect(mdCell('a|b\nc<d>@e')).toBe('a\\|b c&lt;d&gt;&#64;e');
  });

  it('says PASS only when every applicable check passed', async () => {
    const clean = await evaluatedFixture({});
    const md = renderMarkdown({ report: clean.report, snapshot: clean.snapshot, rules: clean.rules });
    expect(md.split('\n')[0]).toBe('## trailwarden: ✅ **PASS**: every applicable check passed');
    const incomplete = await evaluatedFixture(METRIC_FILTERS_NOT_COLLECTED);
    expect(incomplete.report.summary.byStatus.FAIL).toBe(0);
    expect(renderMarkdown({ report: incomplete.report, snapshot: incomplete.snapshot, rules: incomplete.rules }).split('\n')[0]).toBe(
      `## trailwarden: ⚠️ **INCOMPLETE**: no failing check, but ${incomplete.report.summary.byStatus.ERROR} could not be judged and 0 account(s) were not scanned`,
    );
  });

  it('lists the accounts that were skipped or not scanned, with their reasons, and counts them in the verdict', () => {
    const report = structuredClone(materialize(outcome.report));
    report.accounts[1] = { ...report.accounts[1]!, status: 'error', reason: 'sts:AssumeRole AccessDenied | <b>role</b> missing' };
    report.accounts.push({ id: '444444444444', name: 'closed', ouPath: 'Root', status: 'skipped', reason: 'SUSPENDED' });
    report.summary.accounts = { scanned: 2, skipped: 1, error: 1 };
    const md = renderMarkdown({ ...input, report });
    expect(md.split('\n')[0]).toContain('1 account(s) not scanned');
    expect(md).toContain('2 scanned, 1 skipped, 1 not scanned (error).');
    expect(md).toContain(`| 222222222222 | ${mdCell(MINUS_ACCOUNT_NAME)} | not scanned | sts:AssumeRole AccessDenied \\| &lt;b&gt;role&lt;/b&gt; missing |`);
    expect(md).toContain('| 444444444444 | closed | skipped | SUSPENDED |');
    const sarif = JSON.parse(renderSarif({ ...input, report })) as { runs: { invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string } }[] }[] }[] };
    const invocation = sarif.runs[0]!.invocations[0]!;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      { level: 'error', message: { text: 'Account 222222222222 (-2+3) was not scanned: sts:AssumeRole AccessDenied | <b>role</b> missing' } },
      { level: 'note', message: { text: 'Account 444444444444 (closed) was skipped: SUSPENDED' } },
    ]);
  });

  it('stays under GitHub\'s 65,536-character comment limit, cutting finding rows first and saying what it cut', () => {
    const report = structuredClone(materialize(outcome.report));
    const template = report.findings.find((f) => f.status === 'FAIL')!;
    const long = 'x'.repeat(5000);
    report.findings = Array.from({ length: 5000 }, (_, i) => ({ ...template, fingerprint: `f${i}`, accountName: long, message: long, resource: { ...template.resource, id: `r${i}`, name: long } }));
    report.summary.byStatus = { PASS: 0, FAIL: 5000, ERROR: 0, NOT_APPLICABLE: 0 };
    const md = renderMarkdown({ report, snapshot: outcome.snapshot, rules: outcome.rules });
    expect([...md].length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    const rows = md.split('\n').filter((l) => l.startsWith(`| ${template.severity} |`)).length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(MAX_FAIL_ROWS);
    expect(md).toContain(`…and ${5000 - rows} more failing checks`);
    expect(md).toMatch(new RegExp(`Shortened to stay under GitHub's 65,536-character comment limit: failing checks to ${rows} rows`));
    // The headline, the by-rule count and the summary tables survive the cut.
    expect(md.split('\n')[0]).toContain('5000 check(s) failed');
    expect(md).toContain(`| \`${template.ruleId}\` | ${template.severity} | 5000 | 1 |`);
  });

  it('leaves a page that fits as it is, with no cut note', () => {
    const md = renderMarkdown(input);
    expect([...md].length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(md).not.toContain('Shortened to stay under');
  });
});

describe('ocsf', () => {
  interface OcsfEvent {
    class_uid: number;
    severity_id: number;
    time: number;
    status_id: number;
    finding_info: { uid: string; title: string };
    compliance: { status_id: number; status: string; standards: string[]; requirements: string[]; control: string };
    cloud: { account: { uid: string }; region?: string };
    resources: { uid: string; type: string }[];
    metadata: { product: { name: string; version: string }; version: string };
    unmapped: { rules_pack_sha256: string; trailwarden_status: string };
  }
  const events = () => JSON.parse(renderOcsf(input)) as OcsfEvent[];

  it('is valid against the OCSF Compliance Finding schema, one event per finding', () => {
    expect(validateOcsf(renderOcsf(input))).toEqual([]);
    expect(events()).toHaveLength(outcome.report.findings.length);
  });

  it('maps status, severity, identity, account, region, resource and frameworks', () => {
    const all = events();
    const status = (s: string) => all.filter((e) => e.unmapped.trailwarden_status === s).map((e) => [e.compliance.status_id, e.compliance.status]);
    expect(new Set(status('PASS').map(String))).toEqual(new Set(['1,Pass']));
    expect(new Set(status('FAIL').map(String))).toEqual(new Set(['3,Fail']));
    expect(new Set(status('ERROR').map(String))).toEqual(new Set(['2,Warning']));
    expect(new Set(status('NOT_APPLICABLE').map(String))).toEqual(new Set(['99,Not Applicable']));
    const finding = outcome.report.findings.find((f) => f.ruleId === 'trail-log-file-validation')!;
    const e = all.find((x) => x.finding_info.uid === finding.fingerprint)!;
    expect(e).toMatchObject({
      class_uid: 2003,
      severity_id: 2,
      time: Date.parse('2026-11-21T12:00:00.000Z'),
      finding_info: { title: 'Trail validates the integrity of its log files' },
      cloud: { account: { uid: '111111111111' }, region: 'us-east-1' },
      resources: [{ uid: TRAIL_ARN, type: 'AWS::CloudTrail::Trail' }],
      metadata: { product: { name: 'trailwarden', version: outcome.report.tool.version }, version: '1.3.0' },
      unmapped: { rules_pack_sha256: outcome.report.rulesPack.sha256 },
      compliance: { control: 'trail-log-file-validation' },
    });
    expect(e.compliance.standards).toEqual(['aws-fsbp', 'cis-aws-v1.4.0', 'cis-aws-v3.0.0', 'cis-aws-v5.0.0', 'nist-800-53-r5']);
    expect(e.compliance.requirements).toContain('aws-fsbp:CloudTrail.4');
  });

  it('marks a waived FAIL Suppressed but keeps its compliance status Fail', () => {
    const e = (JSON.parse(renderOcsf(withWaiver(outcome, 'trail-log-file-validation'))) as OcsfEvent[]).find((x) => x.finding_info.title.startsWith('Trail validates'))!;
    expect([e.status_id, e.compliance.status]).toEqual([3, 'Fail']);
  });
});

describe('asff', () => {
  interface AsffFinding {
    Id: string;
    ProductArn: string;
    AwsAccountId: string;
    Title: string;
    Description: string;
    Severity: { Label: string };
    Resources: { Type: string; Id: string; Region: string }[];
    Compliance: { Status: string; RelatedRequirements?: string[] };
    RecordState: string;
    Workflow: { Status: string };
    ProductFields: Record<string, string>;
  }
  const findings = (text: string) => JSON.parse(text) as AsffFinding[];

  it('is valid against the ASFF shape Security Hub requires, one finding per finding', () => {
    expect(validateAsff(renderAsff(input))).toEqual([]);
    expect(findings(renderAsff(input))).toHaveLength(outcome.report.findings.length);
  });

  it('maps the finding onto the required fields', () => {
    const finding = outcome.report.findings.find((f) => f.ruleId === 'trail-log-file-validation')!;
    const a = findings(renderAsff(input)).find((x) => x.Id === `trailwarden/${finding.fingerprint}`)!;
    expect(a).toMatchObject({
      ProductArn: 'arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default',
      AwsAccountId: '111111111111',
      Severity: { Label: 'LOW' },
      Resources: [{ Type: 'AwsCloudTrailTrail', Id: TRAIL_ARN, Region: 'us-east-1' }],
      Compliance: { Status: 'FAILED' },
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
    });
    expect(a.Compliance.RelatedRequirements).toContain('aws-fsbp CloudTrail.4');
    expect(a.ProductFields['trailwarden/rulesPackSha256']).toBe(outcome.report.rulesPack.sha256);
    const statuses = new Set(findings(renderAsff(input)).map((x) => `${x.ProductFields['trailwarden/status']}->${x.Compliance.Status}`));
    expect(statuses).toEqual(new Set(['PASS->PASSED', 'FAIL->FAILED', 'ERROR->WARNING', 'NOT_APPLICABLE->NOT_AVAILABLE']));
    const account = findings(renderAsff(input)).find((x) => x.Resources[0]!.Type === 'AwsAccount')!;
    expect(account.Resources[0]!.Id).toMatch(/^AWS::::Account:[0-9]{12}$/);
    // No region of its own: imported in the partition's global-API region, which was scanned.
    expect(account.ProductArn).toBe('arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default');
    expect(account.Resources[0]!.Region).toBe('us-east-1');
  });

  it('truncates Title to 256 and Description to 1024 characters, and stays valid', () => {
    const report = structuredClone(materialize(outcome.report));
    const f = report.findings.find((x) => x.status === 'FAIL')!;
    f.title = 'T'.repeat(400);
    f.message = 'D'.repeat(3000);
    f.remediation!.summary = 'R'.repeat(900);
    const text = renderAsff({ report, snapshot: outcome.snapshot, rules: outcome.rules });
    expect(validateAsff(text)).toEqual([]);
    const a = findings(text).find((x) => x.Id === `trailwarden/${f.fingerprint}`)!;
    expect([a.Title.length, a.Description.length]).toEqual([256, 1024]);
    expect(a.Title.endsWith('…')).toBe(true);
  });

  it('is registered as --format asff writing report.asff.json', () => {
    expect(reportFormat('asff')?.file).toBe('report.asff.json');
    expect(['csv', 'sarif', 'junit', 'ocsf', 'md'].map((n) => reportFormat(n)?.file)).toEqual(['report.csv', 'report.sarif', 'report.junit.xml', 'report.ocsf.json', 'report.md']);
  });
});

describe('a large report', () => {
  it('is written by csv, junit, ocsf and asff as chunks of a few megabytes, never as one string (at 10,000 accounts each is larger than a string can be)', async () => {
    // The fixture's findings again and again, each copy a resource of its own: more than two chunks of every format.
    const copies = Math.ceil((13 << 20) / Math.min(renderCsv(input).length, renderJunit(input).length, renderOcsf(input).length, renderAsff(input).length));
    const many = Array.from({ length: copies }, (_, k) =>
      outcome.report.findings.map((f) => ({ ...f, fingerprint: `${f.fingerprint}${k}`, resource: { ...f.resource, id: `${f.resource.id}/${k}` } })),
    ).flat();
    const large: RenderInput = { ...input, report: { ...outcome.report, findings: findingList(many) } };
    const texts: Record<string, string> = {};
    for (const name of ['csv', 'junit', 'ocsf', 'asff']) {
      const rendered = await reportFormat(name)!.render(large);
      expect(typeof rendered, name).not.toBe('string');
      const chunks = [...(rendered as Iterable<string>)];
      expect(chunks.length, name).toBeGreaterThan(2);
      // A chunk is closed past 4 M characters: at most one piece (a row, a test case, an item) beyond.
      for (const c of chunks) expect(c.length, name).toBeLessThan((4 << 20) + (1 << 16));
      texts[name] = chunks.join('');
    }
    // Whole again, each is what its consumers read, with every finding in it.
    expect(parseCsv(texts.csv!)).toHaveLength(many.length + 1);
    expect(JSON.parse(texts.ocsf!)).toHaveLength(many.length);
    expect(validateAsff(texts.asff!)).toEqual([]);
    expect(JSON.parse(texts.asff!)).toHaveLength(many.length);
    expect(await validateJunit(texts.junit!)).toEqual([]);
    expect(texts.junit!.match(/<testcase /g)).toHaveLength(many.length);
  });
});

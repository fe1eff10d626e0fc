// report.junit.xml: the findings as a test report, for CI systems that chart JUnit results
// (Jenkins, GitLab, Azure DevOps, CircleCI). One <testsuite> per rule, one <testcase> per rule x
// resource: classname = rule id, name = the resource.
//   FAIL           -> <failure>
//   ERROR          -> <error>   (the scanner could not see the fact; never shown as passed)
//   NOT_APPLICABLE -> <skipped>
//   waived FAIL    -> <skipped message="waived: ..."> — a waived FAIL is not a pass, so it is
//                     never reported as one; skipped keeps it visible and out of the failure count.
//   PASS           -> a plain <testcase>
import type { Report } from '../report.js';
import { chunked, compareText } from './shared.js';
import { inMemory, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

/** Characters XML 1.0 forbids anywhere in a document (C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(value: string): string {
  return value.replace(ILLEGAL_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also escape quotes, and keep tabs and line breaks (a parser would fold them to spaces). */
export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

const attrs = (pairs: Record<string, string | number>) =>
  Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');

export function testcaseName(f: Finding): string {
  return `${f.resource.name} (${f.resource.type}, account ${f.accountId}${f.region ? `, ${f.region}` : ''})`;
}

function details(f: Finding): string {
  const lines = [
    `Rule: ${f.ruleId} - ${f.title} (${f.severity})`,
    `Account: ${f.accountId} (${f.accountName})`,
    `Region: ${f.region ?? 'global'}`,
    `Resource: ${f.resource.type} ${f.resource.arn ?? f.resource.id}`,
    `Message: ${f.message}`,
  ];
  if (f.status === 'FAIL' && f.remediation) lines.push(`Remediation: ${f.remediation.summary}`, `CLI: ${f.remediation.cli}`);
  const frameworks = Object.entries(f.frameworks).map(([fw, ids]) => `${fw} ${ids.join(', ')}`);
  if (frameworks.length) lines.push(`Frameworks: ${frameworks.join('; ')}`);
  if (f.waiver) lines.push(`Waiver: ${f.waiver.reason} (owner ${f.waiver.owner}, expires ${f.waiver.expires})`);
  lines.push(`Fingerprint: ${f.fingerprint}`);
  return lines.join('\n');
}

function testcase(f: Finding): string {
  const head = `    <testcase${attrs({ classname: f.ruleId, name: testcaseName(f), time: '0' })}>`;
  const body = xmlText(details(f));
  let outcome = '';
  if (f.status === 'FAIL' && f.waiver) outcome = `      <skipped${attrs({ message: `waived: ${f.waiver.reason} (owner ${f.waiver.owner}, expires ${f.waiver.expires})` })}/>\n`;
  else if (f.status === 'FAIL') outcome = `      <failure${attrs({ message: f.message, type: f.severity })}>${body}</failure>\n`;
  else if (f.status === 'ERROR') outcome = `      <error${attrs({ message: f.message, type: 'ERROR' })}>${body}</error>\n`;
  else if (f.status === 'NOT_APPLICABLE') outcome = `      <skipped${attrs({ message: f.message })}/>\n`;
  return `${head}\n${outcome}      <system-out>${body}</system-out>\n    </testcase>`;
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export function junitCounts(findings: Finding[]): Counts {
  return {
    tests: findings.length,
    failures: findings.filter((f) => f.status === 'FAIL' && !f.waiver).length,
    errors: findings.filter((f) => f.status === 'ERROR').length,
    skipped: findings.filter((f) => f.status === 'NOT_APPLICABLE' || (f.status === 'FAIL' && f.waiver)).length,
  };
}

export function renderJunit(input: RenderInput): string {
  return [...junitChunks(input)].join('');
}

/** The JUnit XML as chunks: each test case written as it is made, never the whole file as one string. */
export function junitChunks({ report: given }: RenderInput): Iterable<string> {
  // Grouped by rule and sorted by account: every finding is held while the file is rendered.
  const report = inMemory(given);
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const timestamp = report.generatedAt.replace(/\.\d+Z$/, 'Z');
  const provenance = {
    'trailwarden.version': report.tool.version,
    'rulesPack.sha256': report.rulesPack.sha256,
    'rulesPack.rules': String(report.rulesPack.rules),
    'scope.organizationId': report.scope.organizationId ?? '',
    'scope.managementAccountId': report.scope.managementAccountId ?? '',
    'scope.regions': report.scope.regions.join(','),
    generatedAt: report.generatedAt,
    snapshotTakenAt: report.snapshotTakenAt,
  };
  const total = junitCounts(report.findings);
  const root = attrs({ name: `trailwarden ${report.tool.version}`, tests: total.tests, failures: total.failures, errors: total.errors, time: '0' });
  const rules = [...byRule.entries()].sort(([a], [b]) => compareText(a, b));
  return chunked(
    (function* () {
      yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${root}>\n`;
      for (const [i, [ruleId, findings]] of rules.entries()) {
        const first = findings[0]!;
        const cases = [...findings].sort((a, b) => compareText(a.accountId, b.accountId) || compareText(a.resource.id, b.resource.id));
        const props = { ...provenance, 'rule.title': first.title, 'rule.severity': first.severity };
        const properties = Object.entries(props)
          .map(([name, value]) => `      <property${attrs({ name, value })}/>`)
          .join('\n');
        // One suite's lines, each after a newline but the first of the file's suites.
        yield `${i ? '\n' : ''}  <testsuite${attrs({ name: ruleId, ...junitCounts(findings), time: '0', timestamp })}>`;
        yield `\n    <properties>\n${properties}\n    </properties>`;
        for (const c of cases) yield `\n${testcase(c)}`;
        yield '\n  </testsuite>';
      }
      yield '\n</testsuites>\n';
    })(),
  );
}

export const junitFormat: ReportFormat = {
  name: 'junit',
  file: 'report.junit.xml',
  render: junitChunks,
  holdsFindings: true,
};

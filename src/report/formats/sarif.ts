// report.sarif: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer). One result per
// FAIL or ERROR finding (rule x resource); PASS and NOT_APPLICABLE are not problems and are
// left out. Cloud resources have no source file, yet GitHub rejects a result without a
// physicalLocation.artifactLocation.uri ("expected artifact location"), so every result gets a
// stable repository-relative pseudo-path naming the resource (GitHub shows the alert under that
// path, as it does for container-image scanners), and the resource's ARN as a logical location.
import type { Rule } from '../../engine/load.js';
import type { Severity } from '../../engine/rule-schema.js';
import type { Report } from '../report.js';
import { compareFindings, compareText, SEVERITY_ORDER } from './shared.js';
import { notableOnly, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/trailwarden/trailwarden';

/** SARIF level for a FAIL of each severity (GitHub filters and sorts alerts by it). */
export const SEVERITY_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  informational: 'note',
};

/**
 * GitHub's security-severity score (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9
 * low). Informational rules carry none: GitHub then lists them as plain notes, not as security
 * alerts with a severity.
 */
export const SECURITY_SEVERITY: Record<Severity, string | null> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  informational: null,
};

/** GitHub code scanning rejects a file over these (docs: "SARIF data" limits). */
export const MAX_TAGS = 20;
export const MAX_RESULTS = 25_000;

/** GitHub shows at most 1024 characters of a rule's short and full descriptions. */
const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Rule-level help cannot name a finding's resources: placeholders read as <trail.name>. */
const placeholders = (template: string) => template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, '<$1>');
const mdEscape = (text: string) => text.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`);

function helpText(rule: Rule): string {
  return [
    rule.description,
    `Why it matters: ${rule.rationale}`,
    `Remediation: ${placeholders(rule.remediation.summary)}`,
    `CLI: ${placeholders(rule.remediation.cli)}`,
    `References: ${rule.references.join(' ')}`,
  ].join('\n\n');
}

function helpMarkdown(rule: Rule): string {
  const frameworks = Object.entries(rule.frameworks).map(([fw, ids]) => `- ${mdEscape(fw)}: ${ids.map(mdEscape).join(', ')}`);
  return [
    mdEscape(rule.description),
    '## Why it matters',
    mdEscape(rule.rationale),
    '## Remediation',
    mdEscape(placeholders(rule.remediation.summary)),
    '### Console',
    ...rule.remediation.console.map((step, i) => `${i + 1}. ${mdEscape(placeholders(step))}`),
    '### AWS CLI',
    '```sh',
    placeholders(rule.remediation.cli),
    '```',
    '### Terraform',
    '```hcl',
    placeholders(rule.remediation.terraform),
    '```',
    '### CloudFormation',
    '```yaml',
    placeholders(rule.remediation.cloudformation),
    '```',
    ...(frameworks.length ? ['## Frameworks', ...frameworks] : []),
    '## References',
    ...rule.references.map((r) => `- <${r}>`),
  ].join('\n\n');
}

function ruleDescriptor(rule: Rule) {
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  const frameworkTags = Object.entries(rule.frameworks).flatMap(([fw, ids]) => ids.map((id) => `${fw}/${id}`));
  return {
    id: rule.id,
    name: rule.id,
    shortDescription: { text: clip(rule.title, 1024) },
    fullDescription: { text: clip(rule.description, 1024) },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    helpUri: rule.references[0],
    defaultConfiguration: { level: SEVERITY_LEVEL[rule.severity] },
    properties: {
      // GitHub rejects a rule with more than 20 tags: frameworks first, then as many controls
      // as fit (every control is still in properties.frameworks).
      tags: [...new Set(['security', 'cloudtrail', rule.scope, ...Object.keys(rule.frameworks), ...frameworkTags])].slice(0, MAX_TAGS),
      frameworks: rule.frameworks,
      precision: 'very-high',
      severity: rule.severity,
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
    },
  };
}

/** A stable, repository-relative path per resource: [A-Za-z0-9._-] only, so it needs no encoding. */
export function resourcePath(f: Finding): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || '_';
  return ['aws', safe(f.accountId), safe(f.region ?? 'global'), safe(f.resource.type), safe(f.resource.id)].join('/');
}

function result(f: Finding, ruleIndex: number | undefined) {
  const failed = f.status === 'FAIL';
  const text = failed
    ? `${f.message}${f.remediation ? ` Remediation: ${f.remediation.summary}` : ''}`
    : `${f.message} trailwarden could not see the fact this rule needs, so it cannot say PASS; fix the access or collection problem and scan again.`;
  return {
    ruleId: f.ruleId,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    // ERROR is not a FAIL the scanner proved, but it must not pass silently either: SARIF's
    // "open" kind means exactly "could not decide for lack of information", and the spec then
    // requires level "none". GitHub ignores `kind` and still raises the alert with the rule's
    // security-severity, so an unseen critical fact stays visible.
    kind: failed ? 'fail' : 'open',
    level: failed ? SEVERITY_LEVEL[f.severity] : 'none',
    message: { text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: resourcePath(f) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
        },
        logicalLocations: [{ name: f.resource.name, fullyQualifiedName: f.resource.arn ?? f.resource.id, kind: 'resource' }],
      },
    ],
    // GitHub matches alerts across runs by primaryLocationLineHash; the finding fingerprint
    // (rule + resource) is exactly that identity.
    partialFingerprints: { primaryLocationLineHash: `${f.fingerprint}:1`, 'trailwarden/fingerprint/v1': f.fingerprint },
    ...(f.waiver
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${f.waiver.reason} (owner ${f.waiver.owner}, expires ${f.waiver.expires})` }] }
      : {}),
    properties: {
      status: f.status,
      severity: f.severity,
      accountId: f.accountId,
      accountName: f.accountName,
      region: f.region,
      resourceType: f.resource.type,
      resourceId: f.resource.id,
      resourceArn: f.resource.arn,
      frameworks: f.frameworks,
      remediation: f.remediation,
    },
  };
}

export function renderSarif({ report: given, snapshot, rules }: RenderInput): string {
  // Results are FAIL and ERROR findings only.
  const report = notableOnly(given);
  const ordered = [...rules].sort((a, b) => compareText(a.id, b.id));
  const index = new Map(ordered.map((r, i) => [r.id, i]));
  // Most severe first, so that if GitHub's per-run limit bites, what is dropped is the least severe.
  const problems = report.findings
    .filter((f) => f.status === 'FAIL' || f.status === 'ERROR')
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || compareFindings(a, b));
  const kept = problems.slice(0, MAX_RESULTS);
  const unscanned = report.accounts.filter((a) => a.status !== 'scanned');
  const notifications = unscanned.map((a) => ({
    level: a.status === 'error' ? 'error' : 'note',
    message: { text: `Account ${a.id} (${a.name}) was ${a.status === 'error' ? 'not scanned' : 'skipped'}: ${a.reason ?? 'no reason recorded'}` },
  }));
  if (kept.length < problems.length) {
    notifications.push({
      level: 'warning',
      message: { text: `${problems.length - kept.length} of ${problems.length} FAIL/ERROR results were left out (the least severe): GitHub code scanning rejects more than ${MAX_RESULTS} results per run. report.json and report.csv have all of them.` },
    });
  }
  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'trailwarden',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: ordered.map(ruleDescriptor),
          },
        },
        automationDetails: { id: `trailwarden/${report.scope.organizationId ?? snapshot.caller.accountId}/` },
        invocations: [
          {
            executionSuccessful: snapshot.complete && report.summary.accounts.error === 0,
            startTimeUtc: snapshot.startedAt,
            endTimeUtc: snapshot.finishedAt,
            toolExecutionNotifications: notifications,
          },
        ],
        columnKind: 'utf16CodeUnits',
        results: kept.map((f) => result(f, index.get(f.ruleId))),
        properties: {
          generatedAt: report.generatedAt,
          snapshotTakenAt: report.snapshotTakenAt,
          rulesPack: report.rulesPack,
          framework: report.framework,
          scope: report.scope,
          summary: report.summary,
          resultsOmitted: problems.length - kept.length,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

export const sarifFormat: ReportFormat = {
  name: 'sarif',
  file: 'report.sarif',
  render: renderSarif,
};

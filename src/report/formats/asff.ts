// report.asff.json (--format asff): the findings in the AWS Security Finding Format, as the
// `Findings` array of Security Hub's BatchImportFindings (at most 100 per call: the importer
// slices). One finding per rule x resource, PASS included so Security Hub can resolve a
// finding once it is fixed.
// Field limits enforced here (Security Hub rejects the whole finding otherwise): Id and
// GeneratorId 512, Title 256, Description 1024, Remediation.Recommendation.Text 512,
// ProductFields at most 50 pairs (key 128, value 2048), RelatedRequirements at most 32.
import type { Severity } from '../../engine/rule-schema.js';
import type { Report } from '../report.js';
import { compareFindings, jsonArrayChunks } from './shared.js';
import { inMemory, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

export const ASFF_LIMITS = { id: 512, generatorId: 512, title: 256, description: 1024, recommendation: 512, productFieldKey: 128, productFieldValue: 2048, relatedRequirements: 32 };

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
};

/** ERROR is WARNING: Security Hub's own word for "could not evaluate". NOT_APPLICABLE has no result to state. */
const COMPLIANCE_STATUS: Record<Finding['status'], string> = {
  PASS: 'PASSED',
  FAIL: 'FAILED',
  ERROR: 'WARNING',
  NOT_APPLICABLE: 'NOT_AVAILABLE',
};

/** ASFF resource types (the AwsSecurityFinding `Resources[].Type` values); others are `Other`. */
const RESOURCE_TYPE: Record<Finding['resource']['type'], string> = {
  organization: 'Other',
  account: 'AwsAccount',
  'account-region': 'AwsAccount',
  trail: 'AwsCloudTrailTrail',
  bucket: 'AwsS3Bucket',
  key: 'AwsKmsKey',
  topic: 'AwsSnsTopic',
  'log-group': 'Other',
  // The logs one trail wrote for one account and region: named by the trail's ARN.
  'log-stream': 'AwsCloudTrailTrail',
  // ASFF has no CloudTrail Lake type.
  'event-data-store': 'Other',
};

function resourceId(f: Finding, partition: string): string {
  if (f.resource.arn) return f.resource.arn;
  // Security Hub's own control findings name an account this way.
  if (f.resource.type === 'account' || f.resource.type === 'account-region') return `AWS::::Account:${f.accountId}`;
  return `arn:${partition}:trailwarden:::${f.resource.type}/${f.resource.id}`;
}

function finding(f: Finding, report: Report, opts: { partition: string; importer: string; homeRegion: string }) {
  const region = f.region ?? opts.homeRegion;
  const controls = Object.entries(f.frameworks).flatMap(([fw, ids]) => ids.map((id) => `${fw} ${id}`));
  const productFields: Record<string, string> = {
    'trailwarden/ruleId': f.ruleId,
    'trailwarden/status': f.status,
    'trailwarden/fingerprint': f.fingerprint,
    'trailwarden/version': report.tool.version,
    'trailwarden/rulesPackSha256': report.rulesPack.sha256,
    'trailwarden/organizationId': report.scope.organizationId ?? '',
    'trailwarden/resourceName': f.resource.name,
    'trailwarden/accountName': f.accountName,
    ...(f.remediation ? { 'trailwarden/remediationCli': f.remediation.cli } : {}),
    ...(f.waiver ? { 'trailwarden/waiver': `${f.waiver.reason} (owner ${f.waiver.owner}, expires ${f.waiver.expires})` } : {}),
  };
  const fields = Object.fromEntries(
    Object.entries(productFields)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => [clip(k, ASFF_LIMITS.productFieldKey), clip(v, ASFF_LIMITS.productFieldValue)]),
  );
  return {
    SchemaVersion: '2018-10-08',
    Id: clip(`trailwarden/${f.fingerprint}`, ASFF_LIMITS.id),
    ProductArn: `arn:${opts.partition}:securityhub:${region}:${opts.importer}:product/${opts.importer}/default`,
    ProductName: 'trailwarden',
    CompanyName: 'trailwarden',
    GeneratorId: clip(`trailwarden/${f.ruleId}`, ASFF_LIMITS.generatorId),
    AwsAccountId: f.accountId,
    // AwsAccountName and Region are filled in by Security Hub itself; the names travel in ProductFields.
    Types: ['Software and Configuration Checks/Industry and Regulatory Standards/CloudTrail audit'],
    CreatedAt: report.generatedAt,
    UpdatedAt: report.generatedAt,
    FirstObservedAt: report.snapshotTakenAt,
    LastObservedAt: report.snapshotTakenAt,
    Severity: { Label: SEVERITY_LABEL[f.severity], Original: f.severity },
    Title: clip(f.title, ASFF_LIMITS.title),
    Description: clip(f.message, ASFF_LIMITS.description),
    ...(f.remediation ? { Remediation: { Recommendation: { Text: clip(f.remediation.summary, ASFF_LIMITS.recommendation) } } } : {}),
    ProductFields: fields,
    Resources: [{ Type: RESOURCE_TYPE[f.resource.type], Id: resourceId(f, opts.partition), Partition: opts.partition, Region: region }],
    Compliance: {
      Status: COMPLIANCE_STATUS[f.status],
      ...(controls.length ? { RelatedRequirements: controls.slice(0, ASFF_LIMITS.relatedRequirements) } : {}),
      ...(f.status === 'ERROR' ? { StatusReasons: [{ ReasonCode: 'trailwarden/ERROR', Description: clip(f.message, 2048) }] } : {}),
    },
    // PASS and NOT_APPLICABLE close any earlier FAIL of the same Id; a waiver is a suppression.
    RecordState: f.status === 'PASS' || f.status === 'NOT_APPLICABLE' ? 'ARCHIVED' : 'ACTIVE',
    Workflow: { Status: f.waiver ? 'SUPPRESSED' : f.status === 'PASS' || f.status === 'NOT_APPLICABLE' ? 'RESOLVED' : 'NEW' },
  };
}

/** Where a finding with no region (organization, account) is imported: the partition's global-API region when it was scanned. */
function homeRegion(scanned: string[], partition: string): string {
  const global = partition === 'aws-us-gov' ? 'us-gov-west-1' : partition === 'aws-cn' ? 'cn-north-1' : 'us-east-1';
  return scanned.includes(global) || !scanned.length ? global : scanned[0]!;
}

export function renderAsff(input: RenderInput): string {
  return [...asffChunks(input)].join('');
}

/** The ASFF array as chunks: each finding converted as it is written, never the whole file as one string. */
export function asffChunks({ report: given, snapshot }: RenderInput): Iterable<string> {
  // Sorted by status first: every finding is held while the file is rendered.
  const report = inMemory(given);
  const opts = {
    partition: snapshot.partition,
    // The default product of the account whose credentials ran the scan: it imports the findings.
    importer: snapshot.caller.accountId,
    homeRegion: homeRegion(report.scope.regions, snapshot.partition),
  };
  return jsonArrayChunks([...report.findings].sort(compareFindings), (f) => finding(f, report, opts));
}

export const asffFormat: ReportFormat = {
  name: 'asff',
  file: 'report.asff.json',
  render: asffChunks,
  holdsFindings: true,
};

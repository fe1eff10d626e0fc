// report.ocsf.json: every finding as an OCSF 1.3 Compliance Finding event (class_uid 2003,
// category Findings), in one JSON array, for security lakes and SIEMs that ingest OCSF (Amazon
// Security Lake custom sources, Splunk, ...). One event per finding, PASS included: a
// compliance feed needs the passes to show a control as met.
// Attribute names follow the OCSF schema (ocsf/ocsf-schema: events/findings/compliance_finding.json,
// finding.json, base_event.json, objects/compliance.json, finding_info.json, resource_details.json).
import type { Severity } from '../../engine/rule-schema.js';
import type { Report } from '../report.js';
import { compareFindings, jsonArrayChunks } from './shared.js';
import { inMemory, type RenderInput, type ReportFormat } from './types.js';

type Finding = Report['findings'][number];

export const OCSF_VERSION = '1.3.0';
const CLASS_UID = 2003;
const CATEGORY_UID = 2;
const ACTIVITY_CREATE = 1;

/** base_event.severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical. */
const SEVERITY_ID: Record<Severity, [number, string]> = {
  informational: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};

/**
 * compliance.status_id: 1 Pass, 2 Warning ("did not yield a result due to missing
 * information" — exactly an ERROR), 3 Fail, 99 Other (NOT_APPLICABLE has no OCSF value).
 */
const COMPLIANCE_STATUS: Record<Finding['status'], [number, string]> = {
  PASS: [1, 'Pass'],
  ERROR: [2, 'Warning'],
  FAIL: [3, 'Fail'],
  NOT_APPLICABLE: [99, 'Not Applicable'],
};

/** OCSF resource types follow the AWS CloudFormation names where one exists. */
const RESOURCE_TYPE: Record<Finding['resource']['type'], string> = {
  organization: 'AWS::Organizations::Organization',
  account: 'AWS::Account',
  'account-region': 'AWS::Account',
  trail: 'AWS::CloudTrail::Trail',
  bucket: 'AWS::S3::Bucket',
  key: 'AWS::KMS::Key',
  topic: 'AWS::SNS::Topic',
  'log-group': 'AWS::Logs::LogGroup',
  // The logs one trail wrote for one account and region: named by the trail's ARN.
  'log-stream': 'AWS::CloudTrail::Trail',
  'event-data-store': 'AWS::CloudTrail::EventDataStore',
};

const epochMs = (iso: string) => Date.parse(iso);

function event(f: Finding, report: Report, partition: string, references: string[]) {
  const [severityId, severity] = SEVERITY_ID[f.severity];
  const [complianceStatusId, complianceStatus] = COMPLIANCE_STATUS[f.status];
  const time = epochMs(report.generatedAt);
  const controls = Object.entries(f.frameworks).flatMap(([fw, ids]) => ids.map((id) => `${fw}:${id}`));
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: CATEGORY_UID,
    category_name: 'Findings',
    class_uid: CLASS_UID,
    class_name: 'Compliance Finding',
    type_uid: CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Compliance Finding: Create',
    severity_id: severityId,
    severity,
    time,
    time_dt: report.generatedAt,
    // Finding lifecycle: a waived FAIL is Suppressed (reviewed, accepted), everything else New.
    status_id: f.waiver ? 3 : 1,
    status: f.waiver ? 'Suppressed' : 'New',
    message: f.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'trailwarden', vendor_name: 'trailwarden', version: report.tool.version, url_string: 'https://github.com/trailwarden/trailwarden' },
      // One event per finding per evaluation; finding_info.uid is the finding's stable identity.
      uid: `${f.fingerprint}-${time}`,
      logged_time: time,
    },
    finding_info: {
      uid: f.fingerprint,
      title: f.title,
      desc: f.message,
      types: ['CloudTrail audit', f.ruleId],
      analytic: { uid: f.ruleId, name: f.ruleId, type_id: 1, type: 'Rule' },
      created_time: time,
      first_seen_time: epochMs(report.snapshotTakenAt),
      last_seen_time: epochMs(report.snapshotTakenAt),
    },
    compliance: {
      status_id: complianceStatusId,
      status: complianceStatus,
      ...(f.status === 'ERROR' || f.status === 'NOT_APPLICABLE' ? { status_detail: f.message } : {}),
      standards: Object.keys(f.frameworks).length ? Object.keys(f.frameworks).sort() : ['trailwarden'],
      requirements: controls.length ? controls : [f.ruleId],
      control: f.ruleId,
    },
    cloud: {
      provider: 'AWS',
      account: { uid: f.accountId, name: f.accountName, type_id: 10, type: 'AWS Account' },
      ...(f.region ? { region: f.region } : {}),
      ...(report.scope.organizationId ? { org: { uid: report.scope.organizationId } } : {}),
    },
    resources: [
      {
        uid: f.resource.arn ?? f.resource.id,
        name: f.resource.name,
        type: RESOURCE_TYPE[f.resource.type],
        cloud_partition: partition,
        ...(f.region ? { region: f.region } : {}),
        owner: { account: { uid: f.accountId, name: f.accountName, type_id: 10, type: 'AWS Account' } },
      },
    ],
    ...(f.remediation ? { remediation: { desc: `${f.remediation.summary} CLI: ${f.remediation.cli}`, references } } : {}),
    // What OCSF has no attribute for: the report's provenance and the trailwarden verdict.
    unmapped: {
      trailwarden_status: f.status,
      rules_pack_sha256: report.rulesPack.sha256,
      scope_regions: report.scope.regions,
      management_account_id: report.scope.managementAccountId,
      ...(f.waiver ? { waiver: f.waiver } : {}),
    },
  };
}

export function renderOcsf(input: RenderInput): string {
  return [...ocsfChunks(input)].join('');
}

/** The OCSF array as chunks: each event made as it is written, never the whole file as one string. */
export function ocsfChunks({ report: given, snapshot, rules }: RenderInput): Iterable<string> {
  // Sorted by status first: every finding is held while the file is rendered.
  const report = inMemory(given);
  const references = new Map(rules.map((r) => [r.id, r.references]));
  return jsonArrayChunks([...report.findings].sort(compareFindings), (f) => event(f, report, snapshot.partition, references.get(f.ruleId) ?? []));
}

export const ocsfFormat: ReportFormat = {
  name: 'ocsf',
  file: 'report.ocsf.json',
  render: ocsfChunks,
  holdsFindings: true,
};

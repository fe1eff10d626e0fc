// The CIS AWS Foundations Benchmark "Monitoring" filter patterns (section 4 in v1.4.0, v3.0.0 and
// v5.0.0), keyed by trailwarden rule id. Only the pattern strings and item numbers are recorded;
// they are facts, the benchmark's prose is not reproduced.
//
// Verification: the CIS PDFs themselves were not available. Item numbers and texts were checked
// against secondary copies of the PDFs (every item in Prowler; spot checks in Steampipe):
//   - prowler-cloud/prowler prowler/compliance/aws/cis_1.4_aws.json, cis_3.0_aws.json, cis_5.0_aws.json
//     (remediation and audit text of each item; the v5.0 file drops every double quote, which
//     leaves 4.6 syntactically invalid, so quoting is taken from the v1.4/v3 texts where the
//     v5 text is otherwise identical);
//   - turbot/steampipe-mod-aws-compliance cis_v500/section_4.pp (item numbers and titles, v5.0.0),
//     cis_v500/docs/cis_v500_4_1.md (quoted 4.1 text, v5.0.0), cis_v140/docs/cis_v140_4_3.md.
// Numbering: 4.1-4.15 are the same items in all three versions; v3.0.0 and v5.0.0 add 4.16
// (Security Hub enabled), which is not a metric filter. Nothing was removed or renumbered.
import { covers, type Coverage } from './filter-pattern.js';

export type CisVersion = 'cis-aws-v1.4.0' | 'cis-aws-v3.0.0' | 'cis-aws-v5.0.0';

export type CisMonitoringRuleId =
  | 'monitoring-unauthorized-api-calls'
  | 'monitoring-console-signin-without-mfa'
  | 'monitoring-root-usage'
  | 'monitoring-iam-policy-changes'
  | 'monitoring-cloudtrail-changes'
  | 'monitoring-console-auth-failures'
  | 'monitoring-kms-key-disable-or-deletion'
  | 'monitoring-s3-bucket-policy-changes'
  | 'monitoring-config-changes'
  | 'monitoring-security-group-changes'
  | 'monitoring-nacl-changes'
  | 'monitoring-network-gateway-changes'
  | 'monitoring-route-table-changes'
  | 'monitoring-vpc-changes'
  | 'monitoring-organizations-changes';

export interface CisMonitoringPattern {
  title: string;
  cisItem: Record<CisVersion, string | null>;
  /** The pattern as published in the latest version (v5.0.0). */
  pattern: string;
  /** Other published variants a filter may match instead (e.g. a benchmark's "Or" alternative). */
  acceptedVariants?: string[];
  /** An older version's text where it differs in meaning from `pattern`; used by coversCisMonitoring when given that version. */
  patternsByVersion?: Partial<Record<CisVersion, string>>;
  /** Discrepancies found while verifying. */
  notes?: string;
  source: string;
}

const PROWLER = 'prowler-cloud/prowler prowler/compliance/aws/cis_{1.4,3.0,5.0}_aws.json';
const STEAMPIPE_V5 = 'turbot/steampipe-mod-aws-compliance cis_v500/section_4.pp';
const same = (item: string): Record<CisVersion, string> => ({ 'cis-aws-v1.4.0': item, 'cis-aws-v3.0.0': item, 'cis-aws-v5.0.0': item });

const SG_V3 =
  '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }';

export const CIS_MONITORING_PATTERNS: Record<CisMonitoringRuleId, CisMonitoringPattern> = {
  'monitoring-unauthorized-api-calls': {
    title: 'Unauthorized API calls',
    cisItem: same('4.1'),
    pattern:
      '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    notes:
      'Under AWS precedence (&& before ||) this is *UnauthorizedOperation from any source, or AccessDenied* excluding delivery.logs and HeadBucket. ' +
      'The v1.4.0 and v3.0.0 texts as transcribed by Prowler (and in Tenable policy AC_AWS_0559) join all four terms with ||, which matches almost every event: ' +
      '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }. ' +
      'Another public copy of the audit text (version not identified) shows the && text. Not resolvable without the PDFs; the v5.0.0 text is used for every version, ' +
      'and a filter equal to the all-|| text also covers it (it is broader).',
    source: `${PROWLER} (4.1); ${STEAMPIPE_V5}, cis_v500/docs/cis_v500_4_1.md (quoted v5.0.0 text)`,
  },
  'monitoring-console-signin-without-mfa': {
    title: 'Management Console sign-in without MFA',
    cisItem: same('4.2'),
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    acceptedVariants: [
      '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ],
    notes:
      'All three versions print both patterns, the second as the alternative "to reduce false positives" when SSO is used; it is narrower, hence an accepted variant. ' +
      'The Additional Information paragraph of each version repeats it with a missing ")" (does not parse).',
    source: `${PROWLER} (4.2, remediation and audit text)`,
  },
  'monitoring-root-usage': {
    title: "Usage of the 'root' account",
    cisItem: same('4.3'),
    pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    source: `${PROWLER} (4.3); turbot/steampipe-mod-aws-compliance cis_v140/docs/cis_v140_4_3.md`,
  },
  'monitoring-iam-policy-changes': {
    title: 'IAM policy changes',
    cisItem: same('4.4'),
    pattern:
      '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
    source: `${PROWLER} (4.4)`,
  },
  'monitoring-cloudtrail-changes': {
    title: 'CloudTrail configuration changes',
    cisItem: same('4.5'),
    pattern: '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
    source: `${PROWLER} (4.5)`,
  },
  'monitoring-console-auth-failures': {
    title: 'Management Console authentication failures',
    cisItem: same('4.6'),
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    source: `${PROWLER} (4.6; quotes as in v1.4.0/v3.0.0, the v5.0 transcription lost them)`,
  },
  'monitoring-kms-key-disable-or-deletion': {
    title: 'Disabling or scheduled deletion of customer-created CMKs',
    cisItem: same('4.7'),
    pattern: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
    source: `${PROWLER} (4.7)`,
  },
  'monitoring-s3-bucket-policy-changes': {
    title: 'S3 bucket policy changes',
    cisItem: same('4.8'),
    pattern:
      '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
    source: `${PROWLER} (4.8)`,
  },
  'monitoring-config-changes': {
    title: 'AWS Config configuration changes',
    cisItem: same('4.9'),
    pattern:
      '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
    source: `${PROWLER} (4.9)`,
  },
  'monitoring-security-group-changes': {
    title: 'Security group changes',
    cisItem: same('4.10'),
    pattern:
      '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }',
    patternsByVersion: { 'cis-aws-v1.4.0': SG_V3, 'cis-aws-v3.0.0': SG_V3 },
    notes: 'v5.0.0 adds ModifySecurityGroupRules; v1.4.0 and v3.0.0 list the other six event names only.',
    source: `${PROWLER} (4.10)`,
  },
  'monitoring-nacl-changes': {
    title: 'Network ACL changes',
    cisItem: same('4.11'),
    pattern:
      '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
    source: `${PROWLER} (4.11)`,
  },
  'monitoring-network-gateway-changes': {
    title: 'Network gateway changes',
    cisItem: same('4.12'),
    pattern:
      '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
    source: `${PROWLER} (4.12)`,
  },
  'monitoring-route-table-changes': {
    title: 'Route table changes',
    cisItem: same('4.13'),
    pattern:
      '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
    acceptedVariants: [
      '{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
    ],
    notes:
      'v3.0.0 and v5.0.0 print this text in the remediation step but an audit-step text prefixed with ($.eventSource = ec2.amazonaws.com) && and no extra ' +
      'parentheses, which by precedence scopes only CreateRoute to ec2.amazonaws.com; that audit text is the accepted variant. v1.4.0 prints only this text.',
    source: `${PROWLER} (4.13, remediation vs audit text)`,
  },
  'monitoring-vpc-changes': {
    title: 'VPC changes',
    cisItem: same('4.14'),
    pattern:
      '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
    source: `${PROWLER} (4.14)`,
  },
  'monitoring-organizations-changes': {
    title: 'AWS Organizations changes',
    cisItem: same('4.15'),
    pattern:
      '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    source: `${PROWLER} (4.15; event names quoted as in v1.4.0/v3.0.0)`,
  },
};

/**
 * CloudTrail event names used by the CIS patterns, mapped to the one eventSource that records
 * them, so that a filter scoped by eventSource (`$.eventSource = "cloudtrail.amazonaws.com"`) can
 * cover an eventName-only item. trailwarden's own assumption, not checked against a published
 * list. Names that other services also use are left out (CreateRoute and DeleteRoute: API Gateway
 * v2 and App Mesh; CreatePolicy, DeletePolicy, CreatePolicyVersion, DeletePolicyVersion: IAM,
 * Organizations, IoT and others), as is everything the CIS patterns already scope by eventSource.
 */
export const CIS_EVENT_SOURCES: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'].map((n) => [n, 'cloudtrail.amazonaws.com'])),
  ...Object.fromEntries(
    ['DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'AttachRolePolicy', 'DetachRolePolicy',
      'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy'].map((n) => [n, 'iam.amazonaws.com']),
  ),
  ...Object.fromEntries(
    ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup',
      'DeleteSecurityGroup', 'ModifySecurityGroupRules', 'CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry',
      'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation', 'CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway',
      'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation',
      'DeleteRouteTable', 'DisassociateRouteTable', 'CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection',
      'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc',
      'DisableVpcClassicLink', 'EnableVpcClassicLink'].map((n) => [n, 'ec2.amazonaws.com']),
  ),
});

/**
 * Whether a metric filter pattern covers a CIS monitoring item: its published pattern (or, with
 * `version`, that version's text where it differs) or one of its accepted variants.
 * `via` is the pattern text that was covered, or null.
 */
export function coversCisMonitoring(filter: string, ruleId: CisMonitoringRuleId, version?: CisVersion): Coverage & { via: string | null } {
  // Pure in its three strings, and an organization repeats the same few filters for every
  // account its trails cover: parsing them again each time was most of evaluate's time on a
  // large organization's snapshot (docs/performance.md). Results are frozen, so sharing is safe.
  // Keyed by the filter text itself first: a snapshot's string is hashed once, where a key built
  // by concatenating it (a kilobyte a pattern) was hashed anew on every call.
  let byRule = coverageCache.get(filter);
  if (!byRule) {
    if (coverageCache.size >= COVERAGE_CACHE_LIMIT) coverageCache.clear();
    coverageCache.set(filter, (byRule = new Map()));
  }
  const key = version ? `${ruleId}\u0000${version}` : ruleId;
  let result = byRule.get(key);
  if (!result) {
    result = Object.freeze(coverage(filter, ruleId, version));
    byRule.set(key, result);
  }
  return result;
}

const COVERAGE_CACHE_LIMIT = 10_000;
const coverageCache = new Map<string, Map<string, Coverage & { via: string | null }>>();

function coverage(filter: string, ruleId: CisMonitoringRuleId, version?: CisVersion): Coverage & { via: string | null } {
  const entry = CIS_MONITORING_PATTERNS[ruleId];
  const base = (version && entry.patternsByVersion?.[version]) || entry.pattern;
  const options = { eventSources: CIS_EVENT_SOURCES };
  const primary = covers(filter, base, options);
  if (primary.covered) return { ...primary, via: base };
  for (const variant of entry.acceptedVariants ?? []) {
    const r = covers(filter, variant, options);
    if (r.covered) return { ...r, via: variant };
  }
  return { ...primary, via: null };
}

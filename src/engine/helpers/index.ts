// The typed helpers registered in CEL. Each is a plain function tested on its own; here they get
// a CEL signature. `deps` carries the evaluation's clock, so helpers stay pure.
import { CannotJudge } from './cannot-judge.js';
import type { AccountRecord, EventSelectors, OrganizationRecord } from '../../inventory/schema.js';
import type { Bucket, PublicAccessBlock } from '../../inventory/schema.js';
import type { LogGroupView } from '../view.js';
import { daysSince, hoursSince } from './durations.js';
import { bucketPublicExposure, cloudTrailWritesWithoutSourceCondition, deniesInsecureTransport } from './policy.js';
import type { CisVersion } from './cis-monitoring-patterns.js';
import { monitoringVerdict } from './monitoring.js';
import { accountsUnprotectedByScp, scpProtection } from './scp.js';
import { recordsAllManagementEvents, recordsManagementEvents } from './trails.js';
import { recordsDataEventTypes, unmetDataEvents, unmetNetworkActivity, type DataEventRequirement, type NetworkActivityRequirement } from './data-events.js';
import type { Recorder } from '../recorders.js';

export interface HelperDeps {
  now: Date;
  /** Whose CIS monitoring patterns `monitors` requires: --framework when it is a CIS version, else the config. */
  cisVersion?: CisVersion;
}

export interface Helper {
  signature: string;
  description: string;
  // Arguments arrive from CEL as dynamic values; each helper states the shapes it accepts.
  handler: (deps: HelperDeps, ...args: unknown[]) => unknown;
}

const helper = <A extends unknown[]>(signature: string, description: string, handler: (deps: HelperDeps, ...args: A) => unknown): Helper => ({
  signature,
  description,
  handler: handler as unknown as Helper["handler"],
});

export const HELPERS: Helper[] = [
  helper('cannotJudge(string): bool', 'stops the evaluation: the verdict is ERROR with this reason (for facts a rule sees but cannot decide on)', (_d, reason: string) => {
    throw new CannotJudge(reason);
  }),
  helper('hoursSince(dyn): double', 'hours from an ISO timestamp to the evaluation time (infinite when null)', (d, iso: string | null) => hoursSince(iso, d.now)),
  helper('daysSince(dyn): double', 'days from an ISO timestamp to the evaluation time (infinite when null)', (d, iso: string | null) => daysSince(iso, d.now)),
  helper('recordsAllManagementEvents(dyn): bool', 'event selectors record read and write management events from every source', (_d, s: EventSelectors | null) =>
    recordsAllManagementEvents(s),
  ),
  helper('recordsManagementEvents(dyn): bool', 'event selectors record some management events', (_d, s: EventSelectors | null) => recordsManagementEvents(s)),
  helper('recordsDataEventTypes(dyn, string): bool', 'event selectors record, read and write and for all resources, a data-event resource type starting with the prefix (e.g. "AWS::Bedrock::")', (_d, s: EventSelectors | null, prefix: string) =>
    recordsDataEventTypes(s, prefix),
  ),
  helper('unmetDataEvents(dyn, dyn): list<string>', 'each required data event (resourceType, arnPrefix, read, write) that no multi-region, recording trail or event data store of the list records', (_d, recorders: Recorder[], required: DataEventRequirement[]) =>
    unmetDataEvents(recorders ?? [], required ?? []),
  ),
  helper('unmetNetworkActivity(dyn, dyn): list<string>', 'each required VPC endpoint service (eventSource, read, write) whose network activity events no multi-region, recording recorder of the list records in full', (_d, recorders: Recorder[], required: NetworkActivityRequirement[]) =>
    unmetNetworkActivity(recorders ?? [], required ?? []),
  ),
  helper('accountsUnprotectedByScp(dyn, dyn): list<string>', 'member accounts whose SCPs do not deny trail tampering', (_d, org: OrganizationRecord, accounts: AccountRecord[]) => {
    const r = accountsUnprotectedByScp(org, accounts);
    if (r === null) throw new CannotJudge('service control policies were not collected');
    return r;
  }),
  helper('scpProtectionGaps(dyn, dyn): list<string>', 'each member account left open to trail tampering, with the actions no SCP denies it', (_d, org: OrganizationRecord, accounts: AccountRecord[]) => {
    const p = scpProtection(org, accounts);
    if (p === null) throw new CannotJudge('service control policies were not collected');
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    return p.unprotected.map((u) => `${u.accountId} (${names.get(u.accountId) ?? '?'}): ${u.missing.map((a) => a.replace('cloudtrail:', '')).join(', ')} not denied`);
  }),
  helper('bucketPublicReasons(dyn, dyn): list<string>', 'why the bucket is public after Block Public Access (bucket and owner account); empty when it is not', (_d, bucket: Bucket, account: { s3PublicAccessBlock: PublicAccessBlock | null } | null) =>
    exposure(bucket, account).public ? exposure(bucket, account).reasons : [],
  ),
  helper('monitors(dyn, string): bool', 'the log group has a metric filter covering the CIS pattern of the monitoring rule, with an enabled alarm notifying an existing SNS topic', (d, logGroup: LogGroupView | null, ruleId: string) =>
    monitoringVerdict(logGroup, ruleId, d.cisVersion).monitored,
  ),
  helper('deniesInsecureTransport(dyn): bool', 'the bucket policy denies every request made without TLS', (_d, bucket: Bucket) =>
    deniesInsecureTransport(bucket.policy?.document ?? null, bucket.arn),
  ),
  helper('cloudTrailGrantsWithoutSourceCondition(dyn): list<string>', 'statements granting CloudTrail PutObject without aws:SourceArn/SourceAccount/SourceOrgID', (_d, bucket: Bucket) =>
    cloudTrailWritesWithoutSourceCondition(bucket.policy?.document ?? null).map((s) => s.sid ?? `statement ${s.index}`),
  ),
];

function exposure(bucket: Bucket, account: { s3PublicAccessBlock: PublicAccessBlock | null } | null) {
  return bucketPublicExposure({
    policy: bucket.policy?.document ?? null,
    acl: bucket.acl,
    bucketBlock: bucket.publicAccessBlock,
    accountBlock: account?.s3PublicAccessBlock ?? null,
    policyStatusIsPublic: bucket.policyStatus?.isPublic ?? null,
  });
}

// The inventory (snapshot.json): everything the scanner saw, and everything it could not.
//
// Convention for facts: a fact the scanner failed to collect is `null`, and an entry in
// `errors` names it (resource + fact path). A fact that was collected and found absent has an
// explicit value (`{ exists: false }`, `configured: false`, an empty list). Rules rely on that
// distinction to say ERROR instead of PASS or FAIL.
import { z } from 'zod';

export const SNAPSHOT_SCHEMA_VERSION = '1.2';
/**
 * Versions this release reads: 1.1 added logIntegrity (scan --verify-logs); a 1.0 snapshot has none.
 * 1.2 added CloudTrail Lake event data stores, channels, and every data-event type and network
 * activity in the normalized selectors; an older snapshot has none of them (read as empty lists,
 * and rules that need the per-type selectors say ERROR on it).
 */
export const READABLE_SNAPSHOT_VERSIONS = ['1.0', '1.1', '1.2'] as const;

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');
const accountId = z.string().regex(/^\d{12}$/);
const tags = z.record(z.string(), z.string());

export const ResourceType = z.enum([
  'organization',
  'account',
  'account-region',
  'trail',
  'bucket',
  'key',
  'topic',
  'log-group',
  'log-stream',
  'event-data-store',
  'channel',
]);
export type ResourceType = z.infer<typeof ResourceType>;

export const CollectionError = z
  .object({
    accountId: accountId.nullable(),
    region: z.string().nullable(),
    resource: z.object({ type: ResourceType, id: z.string() }).nullable(),
    facts: z.array(z.string()).describe('fact paths this failure left uncollected, e.g. "bucket.policy"'),
    service: z.string(),
    operation: z.string(),
    code: z.string(),
    message: z.string(),
  })
  .strict();
export type CollectionError = z.infer<typeof CollectionError>;

export const RegionRecord = z
  .object({
    name: z.string(),
    status: z.enum(['scanned', 'not-opted-in', 'excluded', 'unreachable']),
    reason: z.string().nullable(),
  })
  .strict();
export type RegionRecord = z.infer<typeof RegionRecord>;

export const PublicAccessBlock = z
  .object({
    configured: z.boolean(),
    blockPublicAcls: z.boolean(),
    ignorePublicAcls: z.boolean(),
    blockPublicPolicy: z.boolean(),
    restrictPublicBuckets: z.boolean(),
  })
  .strict();
export type PublicAccessBlock = z.infer<typeof PublicAccessBlock>;

export const OuRef = z.object({ id: z.string(), name: z.string() }).strict();

export const AccountRecord = z
  .object({
    id: accountId,
    name: z.string(),
    email: z.string().nullable(),
    organizationStatus: z.string().nullable().describe('ACTIVE | SUSPENDED | PENDING_CLOSURE, null without an organization'),
    isManagementAccount: z.boolean(),
    status: z.enum(['scanned', 'skipped', 'error']),
    reason: z.string().nullable(),
    inScope: z.boolean().describe('selected by the filters; out-of-scope accounts are read only for organization-wide facts'),
    ouPath: z.array(OuRef).describe('from the root down to the parent OU'),
    tags: tags.nullable(),
    access: z.enum(['caller', 'assumed-role']).nullable(),
    roleArn: z.string().nullable(),
    regions: z.array(RegionRecord),
    bucketNames: z.array(z.string()).nullable().describe('ListBuckets: buckets this account owns (only trail-linked ones are kept)'),
    s3PublicAccessBlock: PublicAccessBlock.nullable().describe('account-level Block Public Access; read for bucket-owning accounts only'),
    coveringTrailArns: z.array(z.string()).describe('derived: own trails plus the organization trails covering this account'),
    coveringEventDataStoreArns: z
      .array(z.string())
      .default([])
      .describe('derived: own event data stores plus the organization event data stores of the organization covering this account'),
  })
  .strict();
export type AccountRecord = z.infer<typeof AccountRecord>;

export const Scp = z
  .object({
    id: z.string(),
    arn: z.string(),
    name: z.string(),
    awsManaged: z.boolean(),
    document: z.unknown().nullable().describe('parsed policy JSON; null when not collected'),
    targets: z
      .array(z.object({ id: z.string(), type: z.string(), name: z.string() }).strict())
      .nullable(),
  })
  .strict();
export type Scp = z.infer<typeof Scp>;

export const OrganizationRecord = z
  .object({
    available: z.boolean(),
    reason: z.string().nullable(),
    id: z.string().nullable(),
    arn: z.string().nullable(),
    managementAccountId: accountId.nullable(),
    featureSet: z.string().nullable(),
    roots: z.array(OuRef),
    organizationalUnits: z.array(
      z.object({ id: z.string(), name: z.string(), parentId: z.string() }).strict(),
    ),
    serviceControlPolicies: z.array(Scp).nullable(),
  })
  .strict();
export type OrganizationRecord = z.infer<typeof OrganizationRecord>;

export const TrailStatus = z
  .object({
    isLogging: z.boolean(),
    latestDeliveryTime: isoTime.nullable(),
    latestDeliveryError: z.string().nullable(),
    latestDigestDeliveryTime: isoTime.nullable(),
    latestDigestDeliveryError: z.string().nullable(),
    latestCloudWatchLogsDeliveryTime: isoTime.nullable(),
    latestCloudWatchLogsDeliveryError: z.string().nullable(),
    latestNotificationError: z.string().nullable(),
    startLoggingTime: isoTime.nullable(),
    stopLoggingTime: isoTime.nullable(),
  })
  .strict();
export type TrailStatus = z.infer<typeof TrailStatus>;

const DataScope = z.enum(['all', 'some', 'none']);

export const ManagementEvents = z
  .object({
    read: z.boolean().describe('read-only management events are recorded (subject to the source filters below)'),
    write: z.boolean(),
    excludedSources: z.array(z.string()).describe('event sources excluded from the recorded management events'),
    onlySources: z.array(z.string()).nullable().describe('when set, only these event sources are recorded'),
  })
  .strict();

export const DataEvents = z
  .object({
    resourceType: z.string().describe('the resources.type, e.g. AWS::Lambda::Function'),
    read: DataScope.describe('read-only data events: all resources of the type, some, or none'),
    readResources: z
      .array(z.string())
      .describe('when read is "some": what is recorded; a plain string is an ARN prefix, "resources.ARN=<arn>" one resource, anything else (" & ", field<op>values) a narrowing'),
    write: DataScope,
    writeResources: z.array(z.string()).describe('the same, for write'),
  })
  .strict();
export type DataEvents = z.infer<typeof DataEvents>;

export const NetworkActivity = z
  .object({
    eventSource: z.string().describe('the VPC endpoint service whose network activity is recorded, e.g. s3.amazonaws.com'),
    read: DataScope.describe('"all": every network activity event of the source; "some": narrowed (errorCode, vpcEndpointId, ...)'),
    write: DataScope,
    conditions: z.array(z.string()).describe('the narrowing of the "some" directions, as field<op>values'),
  })
  .strict();
export type NetworkActivity = z.infer<typeof NetworkActivity>;

export const EventSelectors = z
  .object({
    source: z.enum(['default', 'basic', 'advanced']),
    management: ManagementEvents,
    s3Data: z
      .object({
        read: DataScope,
        write: DataScope,
        resources: z.array(z.string()).describe('ARN prefixes when the scope is "some"'),
      })
      .strict(),
    otherDataResourceTypes: z.array(z.string()),
    dataEvents: z
      .array(DataEvents)
      .optional()
      .describe('every data-event resource type recorded (S3 included), one entry per resources.type; absent in snapshots before 1.2'),
    networkActivity: z
      .array(NetworkActivity)
      .optional()
      .describe('network activity events (eventCategory NetworkActivity) recorded, one entry per VPC endpoint event source; absent in snapshots before 1.2'),
    raw: z.object({ eventSelectors: z.array(z.unknown()), advancedEventSelectors: z.array(z.unknown()) }).strict(),
  })
  .strict();
export type EventSelectors = z.infer<typeof EventSelectors>;
export type ManagementEvents = z.infer<typeof ManagementEvents>;

export const Trail = z
  .object({
    arn: z.string(),
    name: z.string(),
    homeRegion: z.string(),
    ownerAccountId: accountId,
    isOrganizationTrail: z.boolean(),
    isMultiRegionTrail: z.boolean(),
    includeGlobalServiceEvents: z.boolean(),
    logFileValidationEnabled: z.boolean(),
    s3BucketName: z.string().nullable(),
    s3KeyPrefix: z.string().nullable(),
    snsTopicArn: z.string().nullable(),
    kmsKeyId: z.string().nullable(),
    cloudWatchLogsLogGroupArn: z.string().nullable(),
    cloudWatchLogsRoleArn: z.string().nullable(),
    hasCustomEventSelectors: z.boolean(),
    hasInsightSelectors: z.boolean(),
    status: TrailStatus.nullable(),
    eventSelectors: EventSelectors.nullable(),
    insightTypes: z.array(z.string()).nullable().describe('Insights types recorded; empty when Insights is off'),
    tags: tags.nullable(),
  })
  .strict();
export type Trail = z.infer<typeof Trail>;

export const EventDataStore = z
  .object({
    arn: z.string(),
    name: z.string(),
    ownerAccountId: accountId.describe('the account in the ARN: it reads the data store'),
    homeRegion: z.string().describe('the region in the ARN'),
    configuration: z
      .object({
        status: z.string().describe('CREATED | ENABLED | PENDING_DELETION | STARTING_INGESTION | STOPPING_INGESTION | STOPPED_INGESTION'),
        multiRegionEnabled: z.boolean(),
        organizationEnabled: z.boolean(),
        retentionPeriodDays: z.number().int().nullable(),
        terminationProtectionEnabled: z.boolean(),
        kmsKeyId: z.string().nullable().describe('the customer managed KMS key; null: encrypted with a key AWS owns'),
        billingMode: z.string().nullable().describe('EXTENDABLE_RETENTION_PRICING | FIXED_RETENTION_PRICING'),
        federationStatus: z.string().nullable().describe('Lake query federation: ENABLING | ENABLED | DISABLING | DISABLED'),
        federationRoleArn: z.string().nullable(),
        createdTimestamp: isoTime.nullable(),
        updatedTimestamp: isoTime.nullable(),
      })
      .strict()
      .nullable()
      .describe('GetEventDataStore, as the owner in the home region; null when it could not be read'),
    eventSelectors: EventSelectors.nullable().describe('the advanced event selectors of GetEventDataStore, normalized'),
    insightTypes: z.array(z.string()).nullable().describe('Insights types of this (source) data store; empty when Insights is off'),
    insightsDestination: z.string().nullable().describe('the data store Insights events go to'),
  })
  .strict();
export type EventDataStore = z.infer<typeof EventDataStore>;

export const Channel = z
  .object({
    arn: z.string(),
    name: z.string(),
    ownerAccountId: accountId,
    region: z.string(),
    configuration: z
      .object({
        source: z.string().nullable().describe('Default for a CloudTrail-managed channel, or the integration partner\'s source'),
        applyToAllRegions: z.boolean().nullable(),
        destinations: z.array(z.object({ type: z.string(), location: z.string() }).strict()),
        latestIngestionSuccessTime: isoTime.nullable(),
        latestIngestionErrorCode: z.string().nullable(),
      })
      .strict()
      .nullable()
      .describe('GetChannel; null when it could not be read'),
  })
  .strict();
export type Channel = z.infer<typeof Channel>;

export const PolicyFact = z
  .object({ exists: z.boolean(), document: z.unknown().nullable(), parseError: z.string().nullable() })
  .strict();

export const Bucket = z
  .object({
    name: z.string(),
    arn: z.string(),
    ownerAccountId: accountId.nullable(),
    ownership: z.enum(['organization', 'outside-organization', 'unknown']),
    ownershipReason: z.string(),
    usedByTrailArns: z.array(z.string()),
    readAs: accountId.nullable().describe('the account whose credentials read the bucket'),
    exists: z.boolean().nullable(),
    region: z.string().nullable(),
    policy: PolicyFact.nullable(),
    policyStatus: z.object({ isPublic: z.boolean().nullable() }).strict().nullable(),
    acl: z
      .object({
        ownerId: z.string().nullable(),
        grants: z.array(
          z
            .object({
              granteeType: z.string(),
              uri: z.string().nullable(),
              id: z.string().nullable(),
              permission: z.string(),
            })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
    publicAccessBlock: PublicAccessBlock.nullable(),
    versioning: z
      .object({ status: z.enum(['Enabled', 'Suspended', 'Disabled']), mfaDelete: z.enum(['Enabled', 'Disabled']) })
      .strict()
      .nullable(),
    objectLock: z
      .object({
        enabled: z.boolean(),
        defaultRetention: z
          .object({ mode: z.string().nullable(), days: z.number().nullable(), years: z.number().nullable() })
          .strict()
          .nullable(),
      })
      .strict()
      .nullable(),
    logging: z
      .object({ enabled: z.boolean(), targetBucket: z.string().nullable(), targetPrefix: z.string().nullable() })
      .strict()
      .nullable(),
    encryption: z
      .object({
        configured: z.boolean(),
        rules: z.array(
          z
            .object({ algorithm: z.string().nullable(), kmsKeyId: z.string().nullable(), bucketKeyEnabled: z.boolean() })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
    lifecycle: z
      .object({
        configured: z.boolean(),
        rules: z.array(
          z
            .object({
              id: z.string().nullable(),
              enabled: z.boolean(),
              prefix: z.string().nullable(),
              expirationDays: z.number().nullable(),
              expirationDate: z
                .string()
                .nullable()
                .optional()
                .describe('Expiration.Date: every object expires on that date (absent in snapshots written before 0.1 collected it)'),
              noncurrentExpirationDays: z.number().nullable(),
            })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type Bucket = z.infer<typeof Bucket>;

export const Key = z
  .object({
    arn: z.string().describe('as the trail names it'),
    keyId: z.string().nullable(),
    ownerAccountId: accountId.nullable(),
    region: z.string(),
    usedByTrailArns: z.array(z.string()),
    readAs: accountId.nullable(),
    exists: z.boolean().nullable(),
    metadata: z
      .object({
        keyArn: z.string(),
        keyState: z.string(),
        keyManager: z.string(),
        keySpec: z.string().nullable(),
        keyUsage: z.string().nullable(),
        origin: z.string().nullable(),
        deletionDate: isoTime.nullable(),
        description: z.string().nullable(),
      })
      .strict()
      .nullable(),
    rotation: z.object({ enabled: z.boolean(), periodDays: z.number().nullable() }).strict().nullable(),
    policy: PolicyFact.nullable(),
  })
  .strict();
export type Key = z.infer<typeof Key>;

export const Topic = z
  .object({
    arn: z.string(),
    name: z.string(),
    ownerAccountId: accountId,
    region: z.string(),
    usedByTrailArns: z.array(z.string()),
    usedByAlarmArns: z.array(z.string()),
    readAs: accountId.nullable(),
    exists: z.boolean().nullable(),
    attributes: z
      .object({
        kmsMasterKeyId: z.string().nullable(),
        subscriptionsConfirmed: z.number().nullable(),
        policy: z.unknown().nullable(),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type Topic = z.infer<typeof Topic>;

export const Alarm = z
  .object({
    arn: z.string(),
    name: z.string(),
    metricName: z.string().nullable(),
    namespace: z.string().nullable(),
    actionsEnabled: z.boolean(),
    alarmActions: z.array(z.string()),
    stateValue: z.string().nullable(),
  })
  .strict();
export type Alarm = z.infer<typeof Alarm>;

export const LogGroup = z
  .object({
    arn: z.string().describe('as the trail names it'),
    name: z.string(),
    ownerAccountId: accountId,
    region: z.string(),
    usedByTrailArns: z.array(z.string()),
    readAs: accountId.nullable(),
    exists: z.boolean().nullable(),
    retentionInDays: z.number().nullable().describe('null: never expire (only meaningful when exists is true)'),
    kmsKeyId: z.string().nullable(),
    metricFilters: z
      .array(
        z
          .object({
            name: z.string(),
            pattern: z.string(),
            metrics: z.array(z.object({ name: z.string(), namespace: z.string() }).strict()),
          })
          .strict(),
      )
      .nullable(),
    alarms: z.array(Alarm).nullable().describe('alarms on the metrics of this group\'s filters'),
  })
  .strict();
export type LogGroup = z.infer<typeof LogGroup>;

const LogIntegrityCounts = z
  .object({
    digests: z
      .object({
        valid: z.number().int(),
        invalid: z.number().int().describe('read but not to be trusted: bad signature or format, moved, unknown key, or not what its successor links to'),
        missing: z.number().int().describe('named by a successor as its previous digest, but gone'),
      })
      .strict(),
    logs: z
      .object({
        valid: z.number().int().describe('listed by a verified digest, present, and (depth logs) its uncompressed SHA-256 matches'),
        invalid: z.number().int().describe('hash mismatch or not a readable gzip file'),
        missing: z.number().int().describe('listed by a verified digest, but not in the bucket'),
        unchecked: z.number().int().describe('present but not hashed (depth digests)'),
        unlisted: z.number().int().describe('in the stream\'s prefix inside the verified span, but in no digest'),
        unlistedInChain: z.number().int().describe('unlisted log files delivered while the chain was unbroken: planted, or written outside CloudTrail'),
      })
      .strict(),
  })
  .strict();

export const LogDefect = z
  .object({
    kind: z.enum([
      'digest-missing',
      'digest-invalid-format',
      'digest-invalid-signature',
      'digest-moved',
      'digest-unknown-key',
      'digest-link-mismatch',
      'log-missing',
      'log-hash-mismatch',
      'log-invalid-format',
      'log-unlisted',
    ]),
    key: z.string().describe('the S3 key of the object'),
    reason: z.string(),
    time: isoTime.nullable(),
  })
  .strict();
export type LogDefect = z.infer<typeof LogDefect>;

export const LogGap = z
  .object({
    start: isoTime.describe('end of the last digest before the gap'),
    end: isoTime.describe('start of the first digest after it'),
    hours: z.number(),
    reason: z.string().nullable().describe('what the trail status or the bucket shows about it'),
    unlistedLogs: z.number().int().describe('log files delivered inside the gap that no digest lists (validation off)'),
  })
  .strict();
export type LogGap = z.infer<typeof LogGap>;

export const LogSpan = z
  .object({ start: isoTime, end: isoTime, state: z.enum(['verified', 'gap', 'tampered', 'unread']) })
  .strict();

export const LogStream = z
  .object({
    id: z.string().describe('<trail ARN>|<account>|<region>'),
    trailArn: z.string(),
    trailName: z.string(),
    trailHomeRegion: z.string(),
    accountId: accountId.describe('the account whose logs these are'),
    region: z.string().describe('the region whose logs these are'),
    bucket: z.string().nullable(),
    keyPrefix: z.string().nullable(),
    organizationId: z.string().nullable().describe('set for an organization trail: its keys carry it'),
    readerAccountId: z.string().nullable().describe('the account whose role read the bucket (its owner)'),
    validationEnabled: z.boolean().describe('the trail validates its log files; false: nothing was verified'),
    verified: z.boolean().describe('the stream was walked (it may still hold read errors)'),
    ...LogIntegrityCounts.shape,
    firstDigestTime: isoTime.nullable().describe('start of the oldest verified digest'),
    lastDigestTime: isoTime.nullable().describe('end of the newest verified digest'),
    gaps: z.array(LogGap),
    openingGap: LogGap.nullable()
      .default(null)
      .describe('the chain starts inside the window with no link, and an older digest of the stream exists before the window: logging was off from that digest (start) to the first one in the window (end); hours counts the part inside the window'),
    spans: z.array(LogSpan).describe('the window drawn as verified, gap, tampered and unread spans'),
    defects: z.array(LogDefect).describe('the first defects, capped; defectCount is exact'),
    defectCount: z.number().int(),
    readErrors: z
      .array(z.object({ key: z.string().nullable(), operation: z.string(), code: z.string(), message: z.string() }).strict())
      .describe('what could not be read, capped; readErrorCount is exact'),
    readErrorCount: z.number().int(),
  })
  .strict();
export type LogStream = z.infer<typeof LogStream>;

export const LogIntegrity = z
  .object({
    since: isoTime,
    until: isoTime,
    depth: z.enum(['digests', 'logs']),
    streams: z.array(LogStream),
    objects: z.number().int().describe('S3 objects read (digests and log files)'),
    bytes: z.number().int().describe('bytes read'),
  })
  .strict();
export type LogIntegrity = z.infer<typeof LogIntegrity>;

export const ApiCallStats = z
  .object({
    accountId: z.string(),
    region: z.string(),
    calls: z.number().int(),
    byOperation: z.record(z.string(), z.number().int()),
  })
  .strict();
export type ApiCallStats = z.infer<typeof ApiCallStats>;

export const Snapshot = z
  .object({
    schemaVersion: z.enum(READABLE_SNAPSHOT_VERSIONS),
    tool: z.object({ name: z.literal('trailwarden'), version: z.string() }).strict(),
    startedAt: isoTime,
    finishedAt: isoTime,
    complete: z.boolean(),
    incompleteReason: z.string().nullable(),
    shard: z
      .object({ index: z.number().int().min(1), count: z.number().int().min(1) })
      .strict()
      .optional()
      .describe('scan --shard K/N: this snapshot covers only the accounts of shard K (trailwarden merge joins the shards); absent for a whole scan'),
    partition: z.string(),
    caller: z.object({ accountId, arn: z.string() }).strict(),
    scope: z
      .object({
        roleName: z.string(),
        regions: z.array(z.string()).nullable().describe('--regions, null for every enabled region'),
        accounts: z.array(z.string()).nullable(),
        ous: z.array(z.string()).nullable(),
        excludeAccounts: z.array(z.string()),
      })
      .strict(),
    organization: OrganizationRecord,
    accounts: z.array(AccountRecord),
    trails: z.array(Trail),
    eventDataStores: z.array(EventDataStore).default([]).describe('CloudTrail Lake event data stores, read once by their owner'),
    channels: z.array(Channel).default([]).describe('CloudTrail Lake channels (integrations and service-linked channels)'),
    buckets: z.array(Bucket),
    keys: z.array(Key),
    topics: z.array(Topic),
    logGroups: z.array(LogGroup),
    errors: z.array(CollectionError),
    stats: z.object({ apiCalls: z.array(ApiCallStats) }).strict(),
    logIntegrity: LogIntegrity.optional().describe('scan --verify-logs: the digest chains and log files of every validated stream over the window'),
  })
  .strict();
export type Snapshot = z.infer<typeof Snapshot>;

export function snapshotJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/trailwarden/trailwarden/schemas/snapshot.schema.json',
    title: 'trailwarden inventory snapshot',
    ...z.toJSONSchema(Snapshot, { target: 'draft-2020-12', unrepresentable: 'any' }),
  };
}

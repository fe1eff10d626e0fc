// A generated AWS Organization for the scan benchmark: N accounts x R regions with the mix a
// real organization has (one organization trail, account trails of both kinds, their buckets,
// keys, topics, log groups with CIS metric filters and alarms). Pure data, deterministic in N
// and R, so the endpoint that serves it and the test that checks a scan of it agree.

/** The 17 commercial regions enabled by default, us-east-1 first (the scan's home region). */
export const DEFAULT_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'sa-east-1',
] as const;
/** Opt-in regions, listed by DescribeRegions (AllRegions) as not opted in. */
export const OPT_IN_REGIONS = ['af-south-1', 'ap-east-1', 'eu-south-1', 'me-south-1', 'il-central-1'] as const;

export const PAGE_SIZE = 20;
export const ORGANIZATION_ID = 'o-bench0000001';
export const ROOT_ID = 'r-bnch';

export interface SyntheticAccount {
  id: string;
  name: string;
  email: string;
  state: 'ACTIVE' | 'SUSPENDED';
  parentId: string;
  tags: Record<string, string>;
}

export interface SyntheticTrail {
  arn: string;
  name: string;
  owner: string;
  homeRegion: string;
  organization: boolean;
  multiRegion: boolean;
  logFileValidation: boolean;
  logging: boolean;
  bucket: string;
  kmsKeyArn: string | null;
  logGroupArn: string | null;
  topicArn: string | null;
  insights: string[];
  advancedSelectors: boolean;
}

/** A CloudTrail Lake event data store (GetEventDataStore facts) and the Insights on it. */
export interface SyntheticEventDataStore {
  arn: string;
  name: string;
  owner: string;
  homeRegion: string;
  organization: boolean;
  multiRegion: boolean;
  kmsKeyArn: string | null;
  retentionDays: number;
  terminationProtection: boolean;
  insights: string[];
}

export interface SyntheticChannel {
  arn: string;
  name: string;
  owner: string;
  region: string;
  source: string;
  destinationArn: string;
}

export interface SyntheticBucket {
  name: string;
  owner: string;
  region: string;
  /** Trail ARNs allowed to write; null: no bucket policy. */
  policyFor: string[] | null;
  versioning: boolean;
  objectLockDays: number | null;
  encryptionKeyArn: string | null;
  lifecycleDays: number | null;
  logging: boolean;
}

export interface SyntheticKey {
  arn: string;
  id: string;
  owner: string;
  region: string;
  rotation: boolean;
}

export interface SyntheticLogGroup {
  arn: string;
  name: string;
  owner: string;
  region: string;
  retentionDays: number | null;
  /** Metric filters with an alarm each, notifying alarmTopicArn. */
  filters: { name: string; pattern: string; metric: string }[];
  alarmTopicArn: string;
}

export interface SyntheticTopic {
  arn: string;
  owner: string;
  region: string;
  encrypted: boolean;
  subscriptions: number;
}

export interface SyntheticOrg {
  managementAccountId: string;
  accounts: SyntheticAccount[];
  /** OU id -> name and parent. */
  units: { id: string; name: string; parentId: string }[];
  /** Enabled regions every account has, home region first. */
  regions: string[];
  trails: SyntheticTrail[];
  eventDataStores: SyntheticEventDataStore[];
  channels: SyntheticChannel[];
  buckets: Map<string, SyntheticBucket>;
  keys: Map<string, SyntheticKey>;
  logGroups: Map<string, SyntheticLogGroup>;
  topics: Map<string, SyntheticTopic>;
  scps: { id: string; name: string; awsManaged: boolean; content: string; targets: string[] }[];
}

// CIS AWS Foundations monitoring metrics (facts: metric names and the events they match).
const CIS_FILTERS = [
  { name: 'unauthorized-api-calls', pattern: '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }' },
  { name: 'root-usage', pattern: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }' },
  { name: 'cloudtrail-changes', pattern: '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }' },
  { name: 'console-signin-failures', pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' },
  { name: 'cmk-disable-or-deletion', pattern: '{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }' },
] as const;

export function accountIdAt(index: number): string {
  return String(100_000_000_000 + index);
}

function uuidFor(seed: number): string {
  const h = (seed * 2654435761) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-8${hex.slice(4, 7)}-${hex}${hex.slice(0, 4)}`;
}

/**
 * The mix, by member index i (i >= 3; 0 is the management account, 1 log archive, 2 audit):
 * every 97th is suspended; every 5th has its own multi-region trail with its own bucket
 * (every 15th also a KMS key, every 20th a log group with CIS alarms and a topic); every 7th
 * has a single-region trail delivering to the log-archive account's shared bucket.
 */
export function buildSyntheticOrg(accountCount: number, regionCount: number): SyntheticOrg {
  if (accountCount < 3) throw new Error('the synthetic organization needs at least 3 accounts (management, log archive, audit)');
  if (regionCount < 1 || regionCount > DEFAULT_REGIONS.length) throw new Error(`regions must be 1..${DEFAULT_REGIONS.length}`);
  const regions = DEFAULT_REGIONS.slice(0, regionCount);
  const mgmt = accountIdAt(0);
  const logArchive = accountIdAt(1);
  const audit = accountIdAt(2);
  const units = [
    { id: 'ou-bnch-security', name: 'Security', parentId: ROOT_ID },
    { id: 'ou-bnch-workloads', name: 'Workloads', parentId: ROOT_ID },
    { id: 'ou-bnch-prod', name: 'Prod', parentId: 'ou-bnch-workloads' },
    { id: 'ou-bnch-dev', name: 'Dev', parentId: 'ou-bnch-workloads' },
  ];
  const accounts: SyntheticAccount[] = [];
  for (let i = 0; i < accountCount; i++) {
    const id = accountIdAt(i);
    const name = i === 0 ? 'management' : i === 1 ? 'log-archive' : i === 2 ? 'audit' : `workload-${String(i).padStart(4, '0')}`;
    const parentId = i === 0 ? ROOT_ID : i < 3 ? 'ou-bnch-security' : i % 2 ? 'ou-bnch-prod' : 'ou-bnch-dev';
    accounts.push({
      id,
      name,
      email: `${name}@bench.example`,
      state: i >= 3 && i % 97 === 96 ? 'SUSPENDED' : 'ACTIVE',
      parentId,
      tags: { owner: `team-${i % 12}`, environment: parentId === 'ou-bnch-prod' ? 'prod' : 'dev' },
    });
  }

  const trails: SyntheticTrail[] = [];
  const buckets = new Map<string, SyntheticBucket>();
  const keys = new Map<string, SyntheticKey>();
  const logGroups = new Map<string, SyntheticLogGroup>();
  const topics = new Map<string, SyntheticTopic>();
  const home = regions[0]!;

  const addTopic = (owner: string, region: string, name: string): string => {
    const arn = `arn:aws:sns:${region}:${owner}:${name}`;
    topics.set(arn, { arn, owner, region, encrypted: topics.size % 2 === 0, subscriptions: topics.size % 3 });
    return arn;
  };
  const addKey = (owner: string, region: string, seed: number): string => {
    const id = uuidFor(seed);
    const arn = `arn:aws:kms:${region}:${owner}:key/${id}`;
    keys.set(arn, { arn, id, owner, region, rotation: seed % 2 === 0 });
    return arn;
  };
  const addLogGroup = (owner: string, region: string, name: string, topicArn: string, filterCount: number): string => {
    const arn = `arn:aws:logs:${region}:${owner}:log-group:${name}:*`;
    logGroups.set(arn, {
      arn,
      name,
      owner,
      region,
      retentionDays: logGroups.size % 2 ? 365 : null,
      filters: CIS_FILTERS.slice(0, filterCount).map((f) => ({ name: f.name, pattern: f.pattern, metric: `${f.name}-${owner}` })),
      alarmTopicArn: topicArn,
    });
    return arn;
  };
  const trailArn = (owner: string, region: string, name: string) => `arn:aws:cloudtrail:${region}:${owner}:trail/${name}`;

  // The organization trail: management account, log archive bucket, audit key.
  const orgTrailArn = trailArn(mgmt, home, 'org-trail');
  const orgBucket = `bench-org-trail-${logArchive}`;
  const orgTopic = addTopic(mgmt, home, 'org-trail-alerts');
  trails.push({
    arn: orgTrailArn,
    name: 'org-trail',
    owner: mgmt,
    homeRegion: home,
    organization: true,
    multiRegion: true,
    logFileValidation: true,
    logging: true,
    bucket: orgBucket,
    kmsKeyArn: addKey(logArchive, home, 1),
    logGroupArn: addLogGroup(mgmt, home, 'org-trail', orgTopic, CIS_FILTERS.length),
    topicArn: orgTopic,
    insights: ['ApiCallRateInsight'],
    advancedSelectors: false,
  });
  const sharedBucket = `bench-regional-trails-${logArchive}`;
  const regionalTrailArns: string[] = [];

  for (let i = 3; i < accountCount; i++) {
    const a = accounts[i]!;
    if (a.state !== 'ACTIVE') continue;
    if (i % 5 === 0) {
      const region = regions[i % regions.length]!;
      const arn = trailArn(a.id, region, 'account-trail');
      const bucket = `bench-trail-${a.id}`;
      const kmsKeyArn = i % 15 === 0 ? addKey(a.id, region, i) : null;
      let logGroupArn: string | null = null;
      let topicArn: string | null = null;
      if (i % 20 === 0) {
        topicArn = addTopic(a.id, region, 'trail-alerts');
        logGroupArn = addLogGroup(a.id, region, 'account-trail', topicArn, 1 + (i % CIS_FILTERS.length));
      }
      trails.push({
        arn,
        name: 'account-trail',
        owner: a.id,
        homeRegion: region,
        organization: false,
        multiRegion: true,
        logFileValidation: i % 10 === 0,
        logging: i % 11 !== 0,
        bucket,
        kmsKeyArn,
        logGroupArn,
        topicArn,
        insights: [],
        advancedSelectors: i % 25 === 0,
      });
      buckets.set(bucket, {
        name: bucket,
        owner: a.id,
        region,
        policyFor: [arn],
        versioning: i % 10 === 0,
        objectLockDays: i % 30 === 0 ? 365 : null,
        encryptionKeyArn: kmsKeyArn,
        lifecycleDays: i % 4 === 0 ? 400 : null,
        logging: i % 6 === 0,
      });
    }
    if (i % 7 === 0) {
      const region = regions[(i + 1) % regions.length]!;
      const arn = trailArn(a.id, region, 'regional-trail');
      regionalTrailArns.push(arn);
      trails.push({
        arn,
        name: 'regional-trail',
        owner: a.id,
        homeRegion: region,
        organization: false,
        multiRegion: false,
        logFileValidation: false,
        logging: true,
        bucket: sharedBucket,
        kmsKeyArn: null,
        logGroupArn: null,
        topicArn: null,
        insights: [],
        advancedSelectors: false,
      });
    }
  }
  buckets.set(orgBucket, {
    name: orgBucket,
    owner: logArchive,
    region: home,
    policyFor: [orgTrailArn],
    versioning: true,
    objectLockDays: 730,
    encryptionKeyArn: trails[0]!.kmsKeyArn,
    lifecycleDays: 2555,
    logging: true,
  });
  if (regionalTrailArns.length) {
    buckets.set(sharedBucket, {
      name: sharedBucket,
      owner: logArchive,
      region: home,
      policyFor: regionalTrailArns,
      versioning: true,
      objectLockDays: null,
      encryptionKeyArn: null,
      lifecycleDays: 365,
      logging: false,
    });
  }
  // Buckets unrelated to any trail: ListBuckets shows them, the scanner must ignore them.
  for (const a of accounts) {
    for (let k = 0; k < 2; k++) {
      const name = `bench-app-${a.id}-${k}`;
      buckets.set(name, { name, owner: a.id, region: home, policyFor: null, versioning: false, objectLockDays: null, encryptionKeyArn: null, lifecycleDays: null, logging: false });
    }
  }

  const denyTrailChanges = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'ProtectCloudTrail', Effect: 'Deny', Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail'], Resource: '*' }],
  };
  const scps = [
    {
      id: 'p-FullAWSAccess',
      name: 'FullAWSAccess',
      awsManaged: true,
      content: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      targets: [ROOT_ID],
    },
    { id: 'p-bnchdeny1', name: 'ProtectCloudTrail', awsManaged: false, content: JSON.stringify(denyTrailChanges), targets: ['ou-bnch-workloads'] },
  ];
  // CloudTrail Lake: an organization event data store with Insights in the management account, and
  // a channel from a partner source into it.
  const orgStore: SyntheticEventDataStore = {
    arn: `arn:aws:cloudtrail:${home}:${mgmt}:eventdatastore/bench-org-lake-0000-0000-000000000001`,
    name: 'org-lake',
    owner: mgmt,
    homeRegion: home,
    organization: true,
    multiRegion: true,
    kmsKeyArn: trails[0]!.kmsKeyArn,
    retentionDays: 2557,
    terminationProtection: true,
    insights: ['ApiCallRateInsight'],
  };
  const channels: SyntheticChannel[] = [
    { arn: `arn:aws:cloudtrail:${home}:${mgmt}:channel/bench-partner-0000-0000-000000000001`, name: 'partner-events', owner: mgmt, region: home, source: 'Custom', destinationArn: orgStore.arn },
  ];
  void audit;
  return { managementAccountId: mgmt, accounts, units, regions: [...regions], trails, eventDataStores: [orgStore], channels, buckets, keys, logGroups, topics, scps };
}

/** Trails DescribeTrails (with shadow trails) lists for one account in one region. */
export function trailsVisibleIn(org: SyntheticOrg, accountId: string, region: string): SyntheticTrail[] {
  const account = org.accounts.find((a) => a.id === accountId);
  if (!account) return [];
  return org.trails.filter(
    (t) => (t.organization && t.multiRegion) || (t.owner === accountId && (t.multiRegion || t.homeRegion === region)),
  );
}

/**
 * Sets this process's AWS environment to the synthetic management account's static credentials
 * (the endpoint knows the account by the key id); member accounts are reached by AssumeRole.
 */
export function useManagementCredentials(managementAccountId = buildSyntheticOrg(3, 1).managementAccountId): void {
  process.env.AWS_ACCESS_KEY_ID = `AKIA${managementAccountId}BNCH`;
  process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

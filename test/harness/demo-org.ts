// The organization behind `trailwarden demo`: the acceptance-test organization (14 accounts, every
// posture the rules judge, good and bad) plus the fault a real organization shows that moto cannot
// play (a member whose role trust refuses the scanner), scanned with the real collector.
// scripts/make-demo.ts writes the result to demo/snapshot.json; test/integration/demo.test.ts
// scans it afresh to prove the committed file is still what the collector records.
import { scan } from '../../src/collect/scan.js';
import type { Snapshot } from '../../src/inventory/schema.js';
import { TOOL_VERSION } from '../../src/version.js';
import { emulatorEnv } from './context.js';
import { startFaultProxy } from './fault-proxy.js';
import { startMoto } from './moto.js';
import { OrgBuilder } from './org-builder.js';
import { seedScenarioOrganization, type ScenarioOrg } from './scenario-org.js';
import { createRegionKeys } from './cloudtrail-keys.js';
import { corpusS3Client, writeStream } from './log-corpus.js';

/** The window of the demo's log verification: fixed, so its reports never change. */
export const DEMO_LOG_WINDOW = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z') };

/** Bucket-name suffix of the demo: names read as the demo's, not a test run's. */
export const DEMO_SUFFIX = 'demo';

/**
 * What the demo adds to the scenario organization: CloudTrail Lake (an organization event data
 * store with a customer managed key in the management account, and a team's data store with an AWS
 * owned key and a short retention) and a trail recording Lambda and DynamoDB data events. moto has no
 * CloudTrail Lake: the harness's Lake front answers those calls (lake-front.ts).
 */
async function seedDemoRecorders(endpoint: string, org: ScenarioOrg): Promise<void> {
  const b = await OrgBuilder.connect({ endpoint });
  try {
    const mgmt = b.as(org.managementAccountId);
    const key = await mgmt.key({ description: 'CloudTrail Lake', rotation: true });
    const orgLake = await mgmt.eventDataStore('org-lake', {
      organization: true, kmsKeyId: key.arn, retentionDays: 2557, billingMode: 'FIXED_RETENTION_PRICING', insights: ['ApiCallRateInsight'],
      advancedEventSelectors: [
        { Name: 'All management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        { Name: 'Bedrock agents', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Bedrock::AgentAlias'] }] },
      ],
    });
    await mgmt.channel('security-partner-feed', { source: 'Custom', destinationArn: orgLake });
    const team = b.as(org.accounts.memberExtraTrail);
    await team.eventDataStore('team-lake', { retentionDays: 90, terminationProtection: false });
    await team.trail('lambda-dynamodb-data-events', {
      bucket: org.buckets.memberExtra, multiRegion: true, logFileValidation: true,
      advancedEventSelectors: [
        { Name: 'All management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        { Name: 'Lambda invocations', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::Lambda::Function'] }] },
        {
          Name: 'Payments tables',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::DynamoDB::Table'] },
            { Field: 'resources.ARN', StartsWith: [`arn:aws:dynamodb:us-east-1:${org.accounts.memberExtraTrail}:table/payments`] },
          ],
        },
      ],
    });
  } finally {
    b.destroy();
  }
}

/** Starts moto, seeds the demo organization, scans it through the fault proxy, stops everything. */
export async function scanDemoOrganization(): Promise<Snapshot> {
  const moto = await startMoto();
  try {
    const org = await seedScenarioOrganization({ endpoint: moto.endpoint }, { suffix: DEMO_SUFFIX });
    await seedDemoRecorders(moto.endpoint, org);
    // Two validated trails hold a day of real-format digests and log files in us-east-1: one whole,
    // one tampered with (a log file rewritten, a digest deleted), for the log-integrity view.
    const keys = createRegionKeys(['us-east-1'], DEMO_LOG_WINDOW.since, new Date(DEMO_LOG_WINDOW.until.getTime() + 2 * 3_600_000));
    const s3 = corpusS3Client(moto.endpoint);
    const verified = { trail: 'memberExtra', account: org.accounts.memberExtraTrail, bucket: org.buckets.memberExtra } as const;
    const tampered = { trail: 'writeOnly', account: org.accounts.writeOnly, bucket: org.buckets.writeOnly } as const;
    try {
      for (const [s, defects] of [[verified, []], [tampered, [{ kind: 'modified-log', hour: 9 }, { kind: 'deleted-digest', hour: 15 }]]] as const) {
        await writeStream(s3, keys, {
          trailName: org.trailNames[s.trail], trailHomeRegion: 'us-east-1', trailAccountId: s.account,
          accountId: s.account, region: 'us-east-1', bucket: s.bucket, start: DEMO_LOG_WINDOW.since, hours: 24,
        }, [...defects]);
      }
    } finally {
      s3.destroy();
    }
    const proxy = await startFaultProxy({ target: moto.endpoint });
    proxy.setPublicKeys((region) => keys.publicKeys(region));
    try {
      const role = `arn:aws:iam::${org.accounts.denied}:role/OrganizationAccountAccessRole`;
      proxy.setRules([{
        match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: org.accounts.denied }, fault: 'AccessDenied',
        message: `User: arn:aws:iam::${org.managementAccountId}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${role}`,
      }]);
      emulatorEnv(proxy.endpoint);
      const { snapshot } = await scan({
        toolVersion: TOOL_VERSION,
        roleName: 'OrganizationAccountAccessRole',
        concurrency: 16,
        perAccountConcurrency: 4,
        endpointUrl: proxy.endpoint,
        region: 'us-east-1',
        maxAttempts: 10,
        requestTimeoutMs: 10_000,
        verifyLogs: { ...DEMO_LOG_WINDOW, depth: 'logs', only: { trailArns: [org.trails[verified.trail], org.trails[tampered.trail]], regions: ['us-east-1'] } },
      });
      return snapshot;
    } finally {
      await proxy.stop();
    }
  } finally {
    await moto.stop();
  }
}

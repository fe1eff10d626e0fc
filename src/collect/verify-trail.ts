// verify-logs: one trail's log files verified with the caller's own credentials, as the AWS CLI's
// `cloudtrail validate-logs` does, but every region (and, for an organization trail, the member
// account asked for) at once and in parallel.
import { DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { LogIntegrity } from '../inventory/schema.js';
import type { StreamLocation } from '../integrity/digest.js';
import { inShard, type ShardSpec } from '../shard/assign.js';
import { streamId, type StreamPlan } from '../integrity/streams.js';
import { ClientPool } from './aws.js';
import { parseArn, ScanContext, type CollectorSpec } from './context.js';
import { CredentialBroker, stsAssumeRole } from './credentials.js';
import { errorCode, errorMessage, ErrorLog, firstCallFailure } from './errors.js';
import { Limits } from './limits.js';
import { listDigestRegions, verifyStreams, type VerifyLogsOptions } from './log-integrity.js';
import { CallCounter } from './observer.js';
import { listTrails, readTrailConfig } from './trails.js';

// The organization id names an organization trail's keys; the scanner policy already grants it.
export const collectors: CollectorSpec[] = [
  { name: 'verify-trail-organization', service: 'organizations', principal: 'management', operations: { DescribeOrganization: 'organizations:DescribeOrganization' } },
  { name: 'verify-trail-identity', service: 'sts', principal: 'member', operations: { GetCallerIdentity: 'sts:GetCallerIdentity' } },
];

export interface VerifyTrailOptions extends Omit<VerifyLogsOptions, 'only'> {
  trailArn: string;
  /** For an organization trail: the member accounts whose logs to verify. */
  accountIds?: string[];
  /** Only the accounts of this shard, by the same assignment as scan --shard. */
  shard?: ShardSpec | null;
  regions?: string[] | null;
  endpointUrl?: string;
  region?: string;
  objectConcurrency: number;
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

export class VerifyTrailError extends Error {}

export interface VerifyTrailResult {
  integrity: LogIntegrity;
  trail: { arn: string; name: string; isOrganizationTrail: boolean };
  /** The accounts asked for that belong to other shards (not verified here). */
  otherShards: string[];
}

export async function verifyTrailLogs(options: VerifyTrailOptions): Promise<VerifyTrailResult> {
  const arn = parseArn(options.trailArn);
  if (!arn || arn.service !== 'cloudtrail' || !arn.resource.startsWith('trail/')) throw new VerifyTrailError(`not a trail ARN: ${options.trailArn}`);
  const pool = new ClientPool(
    {
      endpoint: options.endpointUrl,
      maxAttempts: options.maxAttempts ?? 10,
      retryMode: 'adaptive',
      requestTimeoutMs: options.requestTimeoutMs ?? 20_000,
      connectionTimeoutMs: 5_000,
      maxSockets: options.objectConcurrency + 8,
      optIns: ['log-verification'],
    },
    new Limits(32, 8, options.objectConcurrency),
    new CallCounter(),
  );
  try {
    const homeRegion = options.region ?? arn.region;
    let caller: string;
    try {
      caller = (await pool.get('sts', 'caller', homeRegion, undefined).send(new GetCallerIdentityCommand({}))).Account ?? '';
    } catch (err) {
      throw new VerifyTrailError(firstCallFailure(err, options.endpointUrl ?? `the AWS STS endpoint of ${homeRegion}`));
    }
    const log = new ErrorLog();
    const broker = new CredentialBroker({ partition: arn.partition, callerAccountId: caller, roleName: 'unused' }, stsAssumeRole(pool.get('sts', caller, homeRegion, undefined)));
    const ctx = new ScanContext(arn.partition, homeRegion, pool, broker, log);
    // DescribeTrails in the trail's home region: its bucket, prefix, validation and kind.
    const listed = await listTrails(ctx, caller, arn.region);
    if (!Array.isArray(listed)) throw new VerifyTrailError(`cannot describe the trails of ${caller} in ${arn.region}: ${listed.code}: ${listed.message}`);
    const summary = listed.find((t) => t.arn === options.trailArn);
    if (!summary) throw new VerifyTrailError(`trail ${options.trailArn} is not visible to account ${caller} in ${arn.region}`);
    const trail = await readTrailConfig(ctx, summary, summary.ownerAccountId === caller ? caller : caller);
    if (!trail.s3BucketName) throw new VerifyTrailError(`trail ${trail.arn} delivers to no S3 bucket`);
    let organizationId: string | null = null;
    if (trail.isOrganizationTrail) {
      if (!options.accountIds?.length) throw new VerifyTrailError(`${trail.arn} is an organization trail: name the member accounts whose logs to verify with --account`);
      try {
        organizationId = (await pool.get('organizations', caller, homeRegion, undefined).send(new DescribeOrganizationCommand({}))).Organization?.Id ?? null;
      } catch (err) {
        throw new VerifyTrailError(`the organization id names an organization trail's keys, and it could not be read (${errorCode(err)}: ${errorMessage(err)})`);
      }
    }
    // The same assignment as scan --shard: a stream goes with its account.
    const asked = options.accountIds?.length ? options.accountIds : [trail.ownerAccountId];
    const accounts = asked.filter((id) => inShard(id, options.shard));
    const otherShards = asked.filter((id) => !accounts.includes(id));
    const plans: StreamPlan[] = [];
    for (const accountId of accounts) {
      const location: Omit<StreamLocation, 'region'> = {
        bucket: trail.s3BucketName,
        keyPrefix: trail.s3KeyPrefix,
        organizationId,
        accountId,
        trailName: trail.name,
        trailHomeRegion: trail.homeRegion,
      };
      const regions = options.regions ?? (trail.isMultiRegionTrail ? await listDigestRegions(ctx, caller, location).catch((err: Error): string[] => {
        throw new VerifyTrailError(err.message);
      }) : [trail.homeRegion]);
      for (const region of regions) {
        plans.push({ ...location, region, id: streamId(trail.arn, accountId, region), trail, readerAccountId: caller, bucketRegion: null, unreadableReason: null });
      }
    }
    const { integrity } = await verifyStreams(ctx, plans, trail.logFileValidationEnabled || !accounts.length ? [] : [trail], options);
    return { integrity, trail: { arn: trail.arn, name: trail.name, isOrganizationTrail: trail.isOrganizationTrail }, otherShards };
  } finally {
    pool.destroy();
  }
}

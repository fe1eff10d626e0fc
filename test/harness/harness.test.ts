// Proves the emulator harness: a real moto server behind the fault proxy, driven by the real
// AWS SDK v3, surfaces injected faults with the error codes real AWS would send.
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
// @smithy/core is a transitive dependency of every client; only its CBOR decoder is used here.
import { cbor } from '@smithy/core/cbor';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { startMoto, type MotoServer } from './moto.js';

const DEFAULT_CREDS: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const MEMBER = '111122223333';
const OTHER = '444455556666';

let moto: MotoServer;
let proxy: FaultProxy;
const clients: { destroy(): void }[] = [];

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}

function config(credentials: AwsCredentialIdentity = DEFAULT_CREDS): {
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity;
  maxAttempts: number;
} {
  return { endpoint: proxy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
}

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function assumeInto(accountId: string): Promise<AwsCredentialIdentity> {
  const sts = track(new STSClient(config()));
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/X`, RoleSessionName: 'harness' }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint, seed: 42 });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy?.stop();
  await moto?.stop();
}, 60_000);

beforeEach(async () => {
  proxy.clearRules();
  proxy.resetLog();
  await moto.reset();
});

describe('moto server', () => {
  it('reset clears emulated state', async () => {
    const s3 = track(new S3Client({ ...config(), forcePathStyle: true }));
    await s3.send(new CreateBucketCommand({ Bucket: 'reset-me' }));
    const before = await s3.send(new ListBucketsCommand({}));
    expect(before.Buckets?.map((b) => b.Name)).toEqual(['reset-me']);
    await moto.reset();
    const after = await s3.send(new ListBucketsCommand({}));
    expect(after.Buckets ?? []).toEqual([]);
  });
});

describe('fault proxy: classification', () => {
  it('names S3 REST and S3 Control operations from method, path and query', async () => {
    const s3 = track(new S3Client({ ...config(), forcePathStyle: true }));
    const Bucket = 'named-ops';
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new HeadBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) })).catch(() => undefined);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket }));
    for (const cmd of [
      new GetBucketAclCommand({ Bucket }),
      new GetBucketVersioningCommand({ Bucket }),
      new GetObjectLockConfigurationCommand({ Bucket }),
      new GetBucketLoggingCommand({ Bucket }),
      new GetBucketEncryptionCommand({ Bucket }),
      new GetBucketLocationCommand({ Bucket }),
    ]) {
      // Some of these answer 404-style errors in moto; only the naming matters here.
      await s3.send(cmd as GetBucketAclCommand).catch(() => undefined);
    }
    // S3 Control prefixes the host with the account id; point it straight at the proxy.
    const control = track(new S3ControlClient({ ...config(), endpointProvider: () => ({ url: new URL(proxy.endpoint) }) }));
    await control.send(new GetAccountPublicAccessBlockCommand({ AccountId: '123456789012' })).catch(() => undefined);

    expect(proxy.requests.map((r) => `${r.service}:${r.operation}`)).toEqual([
      's3:CreateBucket',
      's3:HeadBucket',
      's3:PutBucketVersioning',
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:GetBucketAcl',
      's3:GetBucketVersioning',
      's3:GetObjectLockConfiguration',
      's3:GetBucketLogging',
      's3:GetBucketEncryption',
      's3:GetBucketLocation',
      's3control:GetPublicAccessBlock',
    ]);
    expect(proxy.requests.every((r) => r.region === 'us-east-1' && r.accessKeyId === 'testing')).toBe(true);
  });
});

describe('fault proxy: error shapes parsed by the real SDK', () => {
  it('AccessDenied on CloudTrail DescribeTrails surfaces as AccessDeniedException', async () => {
    proxy.setRules([{ match: { service: 'cloudtrail', operation: 'DescribeTrails' }, fault: 'AccessDenied' }]);
    const ct = track(new CloudTrailClient(config()));
    const err = await failure(ct.send(new DescribeTrailsCommand({})));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(proxy.requests).toMatchObject([{ service: 'cloudtrail', operation: 'DescribeTrails', injected: 'AccessDenied', status: 400 }]);
  });

  it('Throttling surfaces as SlowDown on S3 and Throttling on STS; other operations pass', async () => {
    const s3 = track(new S3Client({ ...config(), forcePathStyle: true }));
    await s3.send(new CreateBucketCommand({ Bucket: 'throttled' }));
    proxy.setRules([
      { match: { service: 's3', operation: 'GetBucketPolicy' }, fault: 'Throttling' },
      { match: { service: 'sts', operation: 'GetCallerIdentity' }, fault: 'Throttling' },
    ]);
    const s3Err = await failure(s3.send(new GetBucketPolicyCommand({ Bucket: 'throttled' })));
    expect(s3Err.name).toBe('SlowDown');
    expect(s3Err.$metadata?.httpStatusCode).toBe(503);
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: 'throttled' }));
    expect(versioning.$metadata.httpStatusCode).toBe(200);
    const sts = track(new STSClient(config()));
    expect((await failure(sts.send(new GetCallerIdentityCommand({})))).name).toBe('Throttling');
  });

  it('AccessDenied on EC2 DescribeRegions surfaces as UnauthorizedOperation', async () => {
    proxy.setRules([{ match: { service: 'ec2', operation: 'DescribeRegions' }, fault: 'AccessDenied' }]);
    const ec2 = track(new EC2Client(config()));
    expect((await failure(ec2.send(new DescribeRegionsCommand({})))).name).toBe('UnauthorizedOperation');
  });

  it('CloudWatch (JSON 1.0, query-compatible) faults parse to the legacy query codes', async () => {
    const cw = track(new CloudWatchClient(config()));
    const ok = await cw.send(new DescribeAlarmsCommand({}));
    expect(ok.MetricAlarms).toEqual([]);
    proxy.setRules([{ match: { service: 'monitoring', operation: 'DescribeAlarms' }, fault: 'AccessDenied', times: 1 }]);
    expect((await failure(cw.send(new DescribeAlarmsCommand({})))).name).toBe('AccessDenied');
    proxy.setRules([{ match: { service: 'monitoring', operation: /^Describe/ }, fault: 'Throttling' }]);
    expect((await failure(cw.send(new DescribeAlarmsCommand({})))).name).toBe('Throttling');
  });

  it('rpc-v2-cbor requests get a CBOR error body with __type', async () => {
    proxy.setRules([{ match: { operation: 'DescribeAlarms' }, fault: 'AccessDenied' }]);
    const res = await fetch(`${proxy.endpoint}/service/GraniteServiceVersion20100801/operation/DescribeAlarms`, {
      method: 'POST',
      headers: {
        'smithy-protocol': 'rpc-v2-cbor',
        'content-type': 'application/cbor',
        authorization: 'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new Uint8Array([0xa0]),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('smithy-protocol')).toBe('rpc-v2-cbor');
    const decoded = cbor.deserialize(new Uint8Array(await res.arrayBuffer())) as Record<string, unknown>;
    expect(decoded.__type).toBe('AccessDeniedException');
    expect(proxy.requests[0]).toMatchObject({ service: 'monitoring', operation: 'DescribeAlarms', injected: 'AccessDenied' });
  });
});

describe('fault proxy: accounts', () => {
  it('maps assumed-role keys to the RoleArn account and matches rules by account', async () => {
    const memberCreds = await assumeInto(MEMBER);
    const memberCt = track(new CloudTrailClient(config(memberCreds)));
    const mgmtCt = track(new CloudTrailClient(config()));
    await memberCt.send(new DescribeTrailsCommand({}));
    const logged = proxy.requests.find((r) => r.service === 'cloudtrail');
    expect(logged).toMatchObject({ accountId: MEMBER, accessKeyId: memberCreds.accessKeyId });

    proxy.setRules([{ match: { accountId: MEMBER, service: 'cloudtrail' }, fault: 'AccessDenied' }]);
    expect((await failure(memberCt.send(new DescribeTrailsCommand({})))).name).toBe('AccessDeniedException');
    const mgmt = await mgmtCt.send(new DescribeTrailsCommand({}));
    expect(mgmt.$metadata.httpStatusCode).toBe(200);
    const ctLog = proxy.requests.filter((r) => r.service === 'cloudtrail');
    expect(ctLog.map((r) => [r.accountId, r.injected ?? 'none'])).toEqual([
      [MEMBER, 'none'],
      [MEMBER, 'AccessDenied'],
      ['123456789012', 'none'],
    ]);
  });

  it('roleArnAccountId denies AssumeRole into one account only', async () => {
    proxy.setRules([{ match: { service: 'sts', operation: 'AssumeRole', roleArnAccountId: OTHER }, fault: 'AccessDenied' }]);
    expect((await failure(assumeInto(OTHER))).name).toBe('AccessDenied');
    const creds = await assumeInto(MEMBER);
    expect(creds.accessKeyId).toMatch(/^ASIA/);
  });
});

describe('fault proxy: rule mechanics', () => {
  async function injectionPattern(p: FaultProxy, calls: number): Promise<boolean[]> {
    const ct = track(new CloudTrailClient({ ...config(), endpoint: p.endpoint }));
    const hits: boolean[] = [];
    for (let i = 0; i < calls; i++) {
      hits.push(await ct.send(new DescribeTrailsCommand({})).then(() => false, (e: SdkError) => e.name === 'AccessDeniedException'));
    }
    return hits;
  }

  it('rate 0.5 injects roughly half the time, reproducibly for a seed', async () => {
    const rule = { match: { service: 'cloudtrail' }, fault: 'AccessDenied' as const, rate: 0.5 };
    proxy.setRules([rule]);
    const hits = await injectionPattern(proxy, 40);
    const injected = hits.filter(Boolean).length;
    expect(injected).toBeGreaterThanOrEqual(10);
    expect(injected).toBeLessThanOrEqual(30);
    expect(proxy.requests.filter((r) => r.injected === 'AccessDenied')).toHaveLength(injected);

    const runs: boolean[][] = [];
    for (let i = 0; i < 2; i++) {
      const p = await startFaultProxy({ target: moto.endpoint, seed: 7 });
      try {
        p.setRules([rule]);
        runs.push(await injectionPattern(p, 20));
      } finally {
        await p.stop();
      }
    }
    expect(runs[0]).toEqual(runs[1]);
  });

  it('latency rules delay the call, and combine with a later fault rule', async () => {
    const sts = track(new STSClient(config()));
    proxy.setRules([{ match: { service: 'sts' }, fault: { latencyMs: 300 } }]);
    let t0 = Date.now();
    await sts.send(new GetCallerIdentityCommand({}));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);

    proxy.setRules([
      { match: { service: 'sts' }, fault: { latencyMs: 200 } },
      { match: { service: 'sts', operation: 'GetCallerIdentity' }, fault: 'AccessDenied' },
    ]);
    t0 = Date.now();
    expect((await failure(sts.send(new GetCallerIdentityCommand({})))).name).toBe('AccessDenied');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(proxy.requests.map((r) => r.injected)).toEqual(['latency:300', 'latency:200+AccessDenied']);
  });

  it('Stall never answers, so a 500 ms request timeout fires', async () => {
    proxy.setRules([{ match: { service: 'cloudtrail' }, fault: 'Stall' }]);
    // @smithy/node-http-handler 4.x only logs a warning on requestTimeout unless throwOnRequestTimeout is set.
    const requestHandler = new NodeHttpHandler({ requestTimeout: 500, throwOnRequestTimeout: true });
    const ct = track(new CloudTrailClient({ ...config(), requestHandler }));
    const t0 = Date.now();
    const err = await failure(ct.send(new DescribeTrailsCommand({})));
    expect(err.name).toBe('TimeoutError');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(proxy.requests).toMatchObject([{ operation: 'DescribeTrails', injected: 'Stall', status: 0 }]);
  });

  it('Unreachable drops the connection without an HTTP answer', async () => {
    proxy.setRules([{ match: { region: 'us-east-1', service: 'cloudtrail' }, fault: 'Unreachable' }]);
    const err = await failure(track(new CloudTrailClient(config())).send(new DescribeTrailsCommand({})));
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(err.message).toMatch(/socket hang up|ECONNRESET/);
  });

  it('times: 1 injects only once', async () => {
    proxy.setRules([{ match: { service: 'cloudtrail', operation: 'DescribeTrails' }, fault: 'Throttling', times: 1 }]);
    const ct = track(new CloudTrailClient(config()));
    expect((await failure(ct.send(new DescribeTrailsCommand({})))).name).toBe('ThrottlingException');
    await ct.send(new DescribeTrailsCommand({}));
    await ct.send(new DescribeTrailsCommand({}));
    expect(proxy.requests.map((r) => r.injected ?? 'none')).toEqual(['Throttling', 'none', 'none']);
  });

  it('stop() ends stalled requests promptly', async () => {
    const p = await startFaultProxy({ target: moto.endpoint });
    p.setRules([{ match: {}, fault: 'Stall' }]);
    const ct = track(new CloudTrailClient({ ...config(), endpoint: p.endpoint }));
    const pending = failure(ct.send(new DescribeTrailsCommand({})));
    while (p.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await p.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect((await pending).$metadata?.httpStatusCode).toBeUndefined();
  });
});

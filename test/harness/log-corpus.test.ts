// Proves the log-integrity corpus is faithful: the real AWS CLI (`aws cloudtrail validate-logs`,
// botocore) accepts the clean streams and flags every planted defect, against a real moto server
// behind the fault proxy (which answers cloudtrail:ListPublicKeys, missing in moto).
import { CloudTrailClient, ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateStream, type ValidateLogsResult } from './aws-cli-validate.js';
import { kmsDecryptDeniedRule, startFaultProxy, type FaultProxy } from './fault-proxy.js';
import {
  corpusS3Client, createCorpusTrails, seedLogCorpus, type CorpusStreamName, type LogCorpusManifest,
} from './log-corpus.js';
import { startMoto, type MotoServer } from './moto.js';
import { MANAGEMENT_CREDENTIALS } from './org-builder.js';

let moto: MotoServer;
let proxy: FaultProxy;
let m: LogCorpusManifest;
let s3: S3Client;
const cli = {} as Record<CorpusStreamName, ValidateLogsResult>;
const HOUR = 3_600_000;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy({ target: moto.endpoint });
  m = await seedLogCorpus(moto.endpoint);
  await createCorpusTrails(moto.endpoint, m);
  proxy.setPublicKeys((region) => m.keys.publicKeys(region));
  s3 = corpusS3Client(proxy.endpoint);
  const names = Object.keys(m.streams) as CorpusStreamName[];
  await Promise.all(names.map(async (n) => void (cli[n] = await validateStream(proxy.endpoint, m.streams[n]))));
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

const keysOf = (v: { key: string }[]): string[] => v.map((x) => x.key).sort();
const times = (g: { start: Date; end: Date }[]): string[][] => g.map((x) => [x.start.toISOString(), x.end.toISOString()]);

describe('log corpus under aws cloudtrail validate-logs', () => {
  it('every stream: the CLI outcome is exactly the one the corpus predicts (expectedValidation)', () => {
    for (const [name, s] of Object.entries(m.streams) as [CorpusStreamName, (typeof m.streams)[CorpusStreamName]][]) {
      const r = cli[name];
      const ctx = `${name}\n${r.stdout}\n${r.stderr}`;
      expect(r.error, ctx).toBeUndefined();
      expect(r.exitCode, ctx).toBe(s.expected.exitCode);
      expect({ valid: r.digests.valid, invalid: r.digests.invalid }, ctx).toEqual(s.expected.digests);
      expect({ valid: r.logs.valid, invalid: r.logs.invalid }, ctx).toEqual(s.expected.logs);
      expect(keysOf(r.invalidDigests), ctx).toEqual(keysOf(s.expected.invalidDigests));
      expect(keysOf(r.invalidLogs), ctx).toEqual(keysOf(s.expected.invalidLogs));
      for (const e of [...s.expected.invalidDigests, ...s.expected.invalidLogs]) {
        expect([...r.invalidDigests, ...r.invalidLogs].find((v) => v.key === e.key)?.reason, ctx).toBe(e.reason);
      }
      expect(times(r.gaps), ctx).toEqual(times(s.expected.gaps));
      expect(r.requested, ctx).toEqual(s.window);
      expect(times(s.gaps), ctx).toEqual(times(s.expected.gaps).reverse()); // written oldest first; the CLI walks newest first
    }
    // AWS_ENDPOINT_URL reached every client the CLI builds: cloudtrail, organizations and s3.
    const seen = new Set(proxy.requests.map((r) => `${r.service}:${r.operation}`));
    for (const op of ['cloudtrail:DescribeTrails', 'cloudtrail:ListPublicKeys', 'organizations:DescribeOrganization', 's3:GetBucketLocation', 's3:ListObjects', 's3:GetObject']) {
      expect(seen).toContain(op);
    }
  });

  it('clean streams (org trail, with empty hours and a key rotation): all digests and logs valid, exit 0', () => {
    const s = m.streams['org-a-use1'];
    const r = cli['org-a-use1'];
    expect(r.exitCode).toBe(0);
    expect(r.digests).toEqual({ valid: s.digestKeys.length, invalid: 0, missing: 0 });
    expect(r.logs).toEqual({ valid: s.logKeys.length, invalid: 0, missing: 0 });
    expect(r.validDigests.sort()).toEqual([...s.digestKeys].sort());
    expect(r.validLogs.sort()).toEqual([...s.logKeys].sort());
    expect(r.found).toEqual(s.window);
    expect(s.digests.filter((d) => d.logKeys.length === 0)).toHaveLength(s.spec.emptyHours!.length);
    expect(new Set(s.digests.map((d) => d.fingerprint)).size).toBe(2); // rotated mid-window
    expect(s.digestKeys[0]).toMatch(new RegExp(
      `^o11y/trails/AWSLogs/${m.orgId}/${s.spec.accountId}/CloudTrail-Digest/us-east-1/2026/11/19/` +
      `${s.spec.accountId}_CloudTrail-Digest_us-east-1_${m.trails.org.name}_us-east-1_20261119T130000Z\\.json\\.gz$`,
    ));
    expect(s.logKeys[0]).toMatch(new RegExp(
      `^o11y/trails/AWSLogs/${m.orgId}/${s.spec.accountId}/CloudTrail/us-east-1/2026/11/19/` +
      `${s.spec.accountId}_CloudTrail_us-east-1_20261119T12\\d\\dZ_[A-Za-z0-9]{16}\\.json\\.gz$`,
    ));
  });

  it('each planted defect is reported by the CLI under its key, with a non-zero exit', () => {
    const reason = (name: keyof LogCorpusManifest['defects'], key?: string): string | undefined => {
      const d = m.defects[name];
      const r = cli[d.stream];
      expect(r.exitCode).toBe(1);
      return [...r.invalidDigests, ...r.invalidLogs].find((v) => v.key === (key ?? d.key))?.reason;
    };
    expect(reason('modified-log')).toBe("hash value doesn't match");
    expect(reason('log-trailing-data')).toBe('unexpected data after end of compressed stream');
    expect(reason('deleted-log')).toBe('not found');
    expect(reason('deleted-digest')).toBe('not found');
    expect(reason('modified-digest')).toBe('signature verification failed');
    expect(reason('moved-digest')).toBe('not found');
    expect(reason('moved-digest', m.defects['moved-digest'].movedTo)).toBe('has been moved from its original location');
    expect(reason('unknown-key-digest')).toBe(
      `public key not found in region us-east-1 for fingerprint ${m.keys.rogue.fingerprint}`,
    );
    expect(cli['org-b-use1'].digests.missing).toBe(2);
  });

  it('a log file no digest lists is invisible to the CLI (validation.py only reads listed logs)', () => {
    const d = m.defects['unlisted-log'];
    const r = cli[d.stream];
    expect(r.lines.some((l) => l.includes(d.key))).toBe(false);
    expect(r.digests.invalid).toBe(0);
  });

  it('validation off and stopped logging: the CLI reports both chain gaps and exits 0', () => {
    for (const name of ['member-a-use1', 'member-a-euw1'] as const) {
      const s = m.streams[name];
      const r = cli[name];
      const [offFrom, offTo] = s.spec.validationOffHours!;
      const [stopFrom, stopTo] = s.spec.stoppedHours!;
      const at = (h: number): string => new Date(s.spec.start.getTime() + h * HOUR).toISOString();
      expect(r.exitCode, r.stderr).toBe(0);
      expect(times(r.gaps).sort()).toEqual([[at(offFrom), at(offTo)], [at(stopFrom), at(stopTo)]]);
      expect(r.stderr).toContain(
        `No log files were delivered by CloudTrail between ${at(offFrom).replace('.000', '')} and ${at(offTo).replace('.000', '')}`,
      );
      expect(s.undigestedLogKeys).toHaveLength((offTo - offFrom) * 2);
      expect(s.digestKeys).toHaveLength(s.spec.hours - (offTo - offFrom) - (stopTo - stopFrom));
      expect(r.digests).toEqual({ valid: s.digestKeys.length, invalid: 0, missing: 0 });
    }
  });

  it('digest objects are gzipped JSON with every field, signed in S3 metadata over the CloudTrail string to sign', async () => {
    const s = m.streams['org-a-use1'];
    const d = s.digests[5]!;
    const obj = await s3.send(new GetObjectCommand({ Bucket: s.spec.bucket, Key: d.key }));
    const raw = gunzipSync(Buffer.from(await obj.Body!.transformToByteArray()));
    const json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'awsAccountId', 'digestStartTime', 'digestEndTime', 'digestS3Bucket', 'digestS3Object', 'digestPublicKeyFingerprint',
      'digestSignatureAlgorithm', 'newestEventTime', 'oldestEventTime', 'previousDigestS3Bucket', 'previousDigestS3Object',
      'previousDigestHashValue', 'previousDigestHashAlgorithm', 'previousDigestSignature', 'logFiles',
    ]);
    expect(obj.Metadata).toEqual({ signature: d.signature, 'signature-algorithm': 'SHA256withRSA' });
    const key = m.keys.publicKeys(s.spec.region).find((k) => k.fingerprint === json.digestPublicKeyFingerprint)!;
    const toSign = `${String(json.digestEndTime)}\n${s.spec.bucket}/${d.key}\n${createHash('sha256').update(raw).digest('hex')}\n${String(json.previousDigestSignature)}`;
    const pub = createPublicKey({ key: key.der, format: 'der', type: 'pkcs1' });
    expect(verify('sha256', Buffer.from(toSign), pub, Buffer.from(d.signature, 'hex'))).toBe(true);
    const prev = await s3.send(new GetObjectCommand({ Bucket: s.spec.bucket, Key: String(json.previousDigestS3Object) }));
    const prevRaw = gunzipSync(Buffer.from(await prev.Body!.transformToByteArray()));
    expect(json.previousDigestHashValue).toBe(createHash('sha256').update(prevRaw).digest('hex'));
    expect(s.digests[0]!.chainStart).toBe(true);
  });
});

describe('fault proxy: ListPublicKeys and S3 faults', () => {
  const ct = (region: string): CloudTrailClient =>
    new CloudTrailClient({ endpoint: proxy.endpoint, region, credentials: MANAGEMENT_CREDENTIALS });

  it('answers ListPublicKeys in the wire shape the SDK v3 parses: Value = DER bytes, per region, filtered by time', async () => {
    const c = ct('eu-west-1');
    try {
      const all = await c.send(new ListPublicKeysCommand({ StartTime: m.window.start, EndTime: m.window.end }));
      const expected = m.keys.byRegion['eu-west-1']!;
      expect(all.PublicKeyList?.map((k) => k.Fingerprint)).toEqual(expected.map((k) => k.fingerprint));
      const first = all.PublicKeyList![0]!;
      expect(first.Value).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(first.Value!).equals(expected[0]!.der)).toBe(true);
      expect(first.Fingerprint).toMatch(/^[0-9a-f]{32}$/);
      expect(first.ValidityStartTime).toEqual(expected[0]!.validityStart);
      expect(first.ValidityEndTime).toEqual(expected[0]!.validityEnd);
      const late = await c.send(new ListPublicKeysCommand({ StartTime: new Date(m.rotationAt.getTime() + HOUR), EndTime: m.window.end }));
      expect(late.PublicKeyList?.map((k) => k.Fingerprint)).toEqual([expected[1]!.fingerprint]);
      expect(new Set(all.PublicKeyList!.map((k) => k.Fingerprint))).not.toContain(m.keys.byRegion['us-east-1']![0]!.fingerprint);
      expect(proxy.requests.some((r) => r.operation === 'ListPublicKeys' && r.answeredBy === 'proxy' && r.region === 'eu-west-1')).toBe(true);
    } finally {
      c.destroy();
    }
  });

  it('fault rules apply to ListPublicKeys and to S3 GetObject / ListObjectsV2 by bucket and key prefix', async () => {
    const s = m.streams['org-a-use1'];
    const c = ct('us-east-1');
    try {
      proxy.setRules([
        { match: { service: 'cloudtrail', operation: 'ListPublicKeys' }, fault: 'AccessDenied', times: 1 },
        { match: { service: 's3', operation: 'ListObjectsV2', bucket: s.spec.bucket }, fault: 'AccessDenied' },
        kmsDecryptDeniedRule({ bucket: s.spec.bucket, keyPrefix: s.logPrefix, kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/corpus' }),
      ]);
      await expect(c.send(new ListPublicKeysCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      await expect(s3.send(new ListObjectsV2Command({ Bucket: s.spec.bucket, Prefix: s.digestPrefix }))).rejects.toMatchObject({
        name: 'AccessDenied', $metadata: { httpStatusCode: 403 },
      });
      await expect(s3.send(new GetObjectCommand({ Bucket: s.spec.bucket, Key: s.logKeys[0] }))).rejects.toMatchObject({
        name: 'AccessDenied', message: expect.stringContaining('is not authorized to perform: kms:Decrypt'),
      });
      const digest = await s3.send(new GetObjectCommand({ Bucket: s.spec.bucket, Key: s.digestKeys[0] })); // other prefix: not hit
      expect(digest.Metadata?.signature).toBe(s.digests[0]!.signature);

      // The CLI aborts on a non-NoSuchKey S3 error (here: KMS denied on the log files).
      proxy.setRules([kmsDecryptDeniedRule({ bucket: s.spec.bucket, keyPrefix: s.logPrefix, kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/corpus' })]);
      const r = await validateStream(proxy.endpoint, s);
      expect(r.exitCode).not.toBe(0);
      expect(r.error).toContain('kms:Decrypt');
    } finally {
      proxy.clearRules();
      c.destroy();
    }
  });
});

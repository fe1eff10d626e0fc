// Writes CloudTrail log files and signed digest files into (moto) S3 the way CloudTrail delivers
// them, with defects planted on request, so log file validation can be tested end to end.
//
// Formats follow what `aws cloudtrail validate-logs` (awscli/customizations/cloudtrail/validation.py)
// checks, and docs in /work/shared/reference/aws-semantics.md "Log file validation":
//  - log:    <prefix/>AWSLogs/[<orgId>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/
//            <acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<16 alnum>.json.gz   (gzip of {"Records":[...]})
//  - digest: <prefix/>AWSLogs/[<orgId>/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/
//            <acct>_CloudTrail-Digest_<region>_<trail>_<homeRegion>_YYYYMMDDTHHMMSSZ.json.gz
//            (timestamp = digestEndTime; the CLI cuts it out as key[-24:-8] and compares it as a string)
//  - signature: hex RSA PKCS#1 v1.5 / SHA-256 over
//            digestEndTime \n bucket/key \n hex sha256(uncompressed digest) \n previousDigestSignature|"null"
//            in S3 user metadata `signature` and `signature-algorithm: SHA256withRSA`.
//  - hashValue / previousDigestHashValue: hex SHA-256 of the *uncompressed* log / previous digest.
// Everything is computed in memory first (the chain needs each previous signature), then written.
import { createHash, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  DeleteObjectCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { createRegionKeys, type RegionKeys, type TestSigningKey } from './cloudtrail-keys.js';
import { MANAGEMENT_CREDENTIALS, OrgBuilder } from './org-builder.js';
import { mulberry32 } from './random.js';

export type { RegionKeys } from './cloudtrail-keys.js';

export interface StreamSpec {
  trailName: string; trailHomeRegion: string; trailAccountId: string; // the trail's owner
  accountId: string; region: string; // whose logs (member account for an org trail)
  orgId?: string; // set for an organization trail: key layout AWSLogs/<orgId>/<account>/...
  bucket: string; keyPrefix?: string; // the trail's S3 key prefix
  start: Date; hours: number; // first digest's digestStartTime (hour aligned), number of hourly digests
  emptyHours?: number[]; // hour indexes with no log files (digest with logFiles: [])
  logsPerHour?: number; // default 2
  validationOffHours?: [number, number]; // [from,to) validation off: log files written, no digests, chain restarts after
  stoppedHours?: [number, number]; // [from,to) logging stopped: nothing written, chain restarts after
}

export type Defect =
  /** mode 'content' (default): a record edited, re-gzipped; 'trailing-data': a second gzip member appended after the original stream. */
  | { kind: 'modified-log'; hour: number; index?: number; mode?: 'content' | 'trailing-data' }
  | { kind: 'deleted-log'; hour: number; index?: number }
  | { kind: 'deleted-digest'; hour: number }
  /** Content changed after signing (newestEventTime rewritten), signature metadata kept. */
  | { kind: 'modified-digest'; hour: number }
  /** A log file planted in the hour's log folder that no digest lists. */
  | { kind: 'unlisted-log'; hour: number }
  /** Digest copied (bytes and metadata) to a key 30 minutes earlier in its name, original deleted. */
  | { kind: 'moved-digest'; hour: number }
  /** Signed by a key ListPublicKeys does not return (RegionKeys.rogue). */
  | { kind: 'unknown-key-digest'; hour: number };

export interface WrittenLog {
  key: string; hour: number; index: number; deliveredAt: Date;
  /** hex SHA-256 of the uncompressed JSON (what the digest lists). */
  hashValue: string;
  oldestEventTime: string; newestEventTime: string;
  /** false for log files delivered while validation was off (no digest lists them). */
  digested: boolean;
}

export interface WrittenDigest {
  key: string; hour: number; startTime: string; endTime: string;
  fingerprint: string; signature: string;
  /** true when the digest has no previous-digest link (first digest, or after validation off / stopped logging). */
  chainStart: boolean;
  previousKey: string | null;
  logKeys: string[];
}

export interface PlantedDefect { defect: Defect; key: string; /** moved-digest: where the copy now is. */ movedTo?: string }

export interface WrittenStream {
  spec: StreamSpec;
  trailArn: string;
  /** `<prefix/>AWSLogs/[<orgId>/]<account>/CloudTrail-Digest/<region>/` and the CloudTrail/ equivalent. */
  digestPrefix: string;
  logPrefix: string;
  /** Every digest CloudTrail delivered (original keys, in time order), whatever defects did to them later. */
  digestKeys: string[];
  /** Every log file CloudTrail delivered (digested and undigested), not the planted unlisted ones. */
  logKeys: string[];
  /** Log files delivered while validation was off (in logKeys, in no digest). */
  undigestedLogKeys: string[];
  digests: WrittenDigest[];
  logs: WrittenLog[];
  planted: PlantedDefect[];
  /** Chain breaks, oldest first (the CLI reports them newest first): older chain ended at `start`, newer one starts at `end`. */
  gaps: { start: Date; end: Date }[];
  /** The whole stream: first digestStartTime .. last digestEndTime. */
  window: { start: Date; end: Date };
}

const HOUR = 3_600_000;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const sha256hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** CloudTrail's display time: 2026-11-20T05:00:00Z (second precision). */
export function ctTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
/** YYYYMMDDTHHMMSSZ (digest key names) */
function keyStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}
/** YYYYMMDDTHHmmZ (log key names) */
function logStamp(d: Date): string {
  return keyStamp(d).slice(0, 13) + 'Z';
}
const ymd = (d: Date): string => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;

function seedOf(s: string): number {
  return createHash('sha256').update(s).digest().readUInt32BE(0);
}

export function trailArnOf(spec: Pick<StreamSpec, 'trailHomeRegion' | 'trailAccountId' | 'trailName'>): string {
  return `arn:aws:cloudtrail:${spec.trailHomeRegion}:${spec.trailAccountId}:trail/${spec.trailName}`;
}

function basePrefix(spec: StreamSpec): string {
  return `${spec.keyPrefix ? `${spec.keyPrefix}/` : ''}AWSLogs/${spec.orgId ? `${spec.orgId}/` : ''}${spec.accountId}/`;
}

export function digestKeyFor(spec: StreamSpec, end: Date): string {
  const { accountId: a, region: r } = spec;
  return `${basePrefix(spec)}CloudTrail-Digest/${r}/${ymd(end)}/${a}_CloudTrail-Digest_${r}_${spec.trailName}_${spec.trailHomeRegion}_${keyStamp(end)}.json.gz`;
}

export function logKeyFor(spec: StreamSpec, deliveredAt: Date, random16: string): string {
  const { accountId: a, region: r } = spec;
  return `${basePrefix(spec)}CloudTrail/${r}/${ymd(deliveredAt)}/${a}_CloudTrail_${r}_${logStamp(deliveredAt)}_${random16}.json.gz`;
}

const EVENTS: { source: string; name: string; readOnly: boolean; params: (region: string) => object | null }[] = [
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, params: () => ({ instancesSet: {}, filterSet: {} }) },
  { source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, params: () => null },
  { source: 'iam.amazonaws.com', name: 'CreateAccessKey', readOnly: false, params: () => ({ userName: 'deploy-bot' }) },
  { source: 'sts.amazonaws.com', name: 'AssumeRole', readOnly: true, params: () => ({ roleArn: 'arn:aws:iam::000000000000:role/ci', roleSessionName: 'ci' }) },
  { source: 'kms.amazonaws.com', name: 'Decrypt', readOnly: true, params: () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }) },
  { source: 'cloudtrail.amazonaws.com', name: 'LookupEvents', readOnly: true, params: () => ({ maxResults: 50 }) },
  { source: 'lambda.amazonaws.com', name: 'UpdateFunctionCode20150331v2', readOnly: false, params: () => ({ functionName: 'ingest' }) },
  { source: 'ssm.amazonaws.com', name: 'GetParameter', readOnly: true, params: (r) => ({ name: `/app/${r}/db-url`, withDecryption: true }) },
];

function uuidFrom(rand: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function makeRecords(spec: StreamSpec, rand: () => number, times: Date[]): object[] {
  return times.map((t) => {
    const e = EVENTS[Math.floor(rand() * EVENTS.length)] ?? EVENTS[0]!;
    const user = rand() < 0.5 ? 'alice' : 'ops-automation';
    return {
      eventVersion: '1.10',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROA${Math.floor(rand() * 1e12).toString(36).toUpperCase().padStart(17, 'X')}:${user}`,
        arn: `arn:aws:sts::${spec.accountId}:assumed-role/Operator/${user}`,
        accountId: spec.accountId,
        accessKeyId: `ASIA${Math.floor(rand() * 1e12).toString(36).toUpperCase().padStart(16, 'Q')}`,
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEOPERATOR01', arn: `arn:aws:iam::${spec.accountId}:role/Operator`, accountId: spec.accountId, userName: 'Operator' },
          attributes: { creationDate: ctTime(new Date(t.getTime() - 600_000)), mfaAuthenticated: 'false' },
        },
      },
      eventTime: ctTime(t),
      eventSource: e.source,
      eventName: e.name,
      awsRegion: spec.region,
      sourceIPAddress: `198.51.100.${1 + Math.floor(rand() * 250)}`,
      userAgent: 'aws-cli/2.17.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.4',
      requestParameters: e.params(spec.region),
      responseElements: null,
      requestID: uuidFrom(rand),
      eventID: uuidFrom(rand),
      readOnly: e.readOnly,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: spec.accountId,
      eventCategory: 'Management',
      tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${e.source.split('.')[0]}.${spec.region}.amazonaws.com` },
    };
  });
}

interface PendingObject { key: string; body: Buffer; metadata?: Record<string, string> }

const inRange = (h: number, r?: [number, number]): boolean => r !== undefined && h >= r[0] && h < r[1];

function signDigest(key: TestSigningKey, endTime: string, bucket: string, objectKey: string, raw: Buffer, prev: string | null): string {
  const toSign = `${endTime}\n${bucket}/${objectKey}\n${sha256hex(raw)}\n${prev ?? 'null'}`;
  return sign('sha256', Buffer.from(toSign, 'utf8'), key.privateKey).toString('hex');
}

function metadataOf(signature: string): Record<string, string> {
  return { signature, 'signature-algorithm': 'SHA256withRSA' };
}

/** Builds one stream's objects (and defects) and writes them to S3. */
export async function writeStream(s3: S3Client, keys: RegionKeys, spec: StreamSpec, defects: Defect[] = []): Promise<WrittenStream> {
  if (spec.start.getTime() % HOUR !== 0) throw new Error(`writeStream: start ${spec.start.toISOString()} is not hour aligned`);
  const rand = mulberry32(seedOf(`${spec.bucket}|${spec.keyPrefix ?? ''}|${spec.orgId ?? ''}|${spec.accountId}|${spec.region}|${spec.trailName}|${spec.start.toISOString()}`));
  const random16 = (): string => Array.from({ length: 16 }, () => ALNUM[Math.floor(rand() * ALNUM.length)]).join('');
  const perHour = spec.logsPerHour ?? 2;
  const empty = new Set(spec.emptyHours ?? []);
  const rogueHours = new Set(defects.filter((d) => d.kind === 'unknown-key-digest').map((d) => d.hour));

  const objects = new Map<string, PendingObject>(); // key -> final object
  const logs: WrittenLog[] = [];
  const logRaw = new Map<string, Buffer>();
  const digests: WrittenDigest[] = [];
  const digestRaw = new Map<string, { raw: Buffer; json: Record<string, unknown>; signature: string }>();
  const gaps: { start: Date; end: Date }[] = [];
  let prev: { key: string; raw: Buffer; signature: string; end: Date } | null = null;

  for (let h = 0; h < spec.hours; h++) {
    const hourStart = new Date(spec.start.getTime() + h * HOUR);
    const hourEnd = new Date(hourStart.getTime() + HOUR);
    if (inRange(h, spec.stoppedHours)) {
      prev = null; // logging stopped: nothing delivered, the chain restarts
      continue;
    }
    const validationOff = inRange(h, spec.validationOffHours);

    const hourLogs: WrittenLog[] = [];
    if (!empty.has(h)) {
      for (let i = 0; i < perHour; i++) {
        const slot = 60 / perHour;
        const first = hourStart.getTime() + Math.floor(i * slot * 60_000) + 20_000 + Math.floor(rand() * 60_000);
        const times = [0, 1, 2].map((j) => new Date(first + j * Math.floor(slot * 60_000 / 4) + Math.floor(rand() * 30_000)));
        const deliveredAt = new Date(Math.min(times[2]!.getTime() + 4 * 60_000, hourEnd.getTime() - 30_000));
        const raw = Buffer.from(JSON.stringify({ Records: makeRecords(spec, rand, times) }), 'utf8');
        const key = logKeyFor(spec, deliveredAt, random16());
        const log: WrittenLog = {
          key, hour: h, index: i, deliveredAt, hashValue: sha256hex(raw),
          oldestEventTime: ctTime(times[0]!), newestEventTime: ctTime(times[2]!), digested: !validationOff,
        };
        logs.push(log);
        hourLogs.push(log);
        logRaw.set(key, raw);
        objects.set(key, { key, body: gzipSync(raw) });
      }
    }
    if (validationOff) {
      prev = null; // no digest; log files of this hour stay undigested
      continue;
    }

    const key = digestKeyFor(spec, hourEnd);
    const signer = rogueHours.has(h) ? keys.rogue : keys.keyAt(spec.region, hourEnd);
    const times = hourLogs.flatMap((l) => [l.oldestEventTime, l.newestEventTime]).sort();
    const json: Record<string, unknown> = {
      awsAccountId: spec.accountId,
      digestStartTime: ctTime(hourStart),
      digestEndTime: ctTime(hourEnd),
      digestS3Bucket: spec.bucket,
      digestS3Object: key,
      digestPublicKeyFingerprint: signer.fingerprint,
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: times.length ? times[times.length - 1] : null,
      oldestEventTime: times.length ? times[0] : null,
      previousDigestS3Bucket: prev ? spec.bucket : null,
      previousDigestS3Object: prev ? prev.key : null,
      previousDigestHashValue: prev ? sha256hex(prev.raw) : null,
      previousDigestHashAlgorithm: prev ? 'SHA-256' : null,
      previousDigestSignature: prev ? prev.signature : null,
      logFiles: hourLogs.map((l) => ({
        s3Bucket: spec.bucket, s3Object: l.key, hashValue: l.hashValue, hashAlgorithm: 'SHA-256',
        newestEventTime: l.newestEventTime, oldestEventTime: l.oldestEventTime,
      })),
    };
    const raw = Buffer.from(JSON.stringify(json), 'utf8');
    const signature = signDigest(signer, ctTime(hourEnd), spec.bucket, key, raw, prev?.signature ?? null);
    if (!prev && digests.length > 0) {
      const older = digests[digests.length - 1]!;
      gaps.push({ start: new Date(Date.parse(older.endTime)), end: hourStart });
    }
    digests.push({
      key, hour: h, startTime: ctTime(hourStart), endTime: ctTime(hourEnd), fingerprint: signer.fingerprint, signature,
      chainStart: !prev, previousKey: prev?.key ?? null, logKeys: hourLogs.map((l) => l.key),
    });
    digestRaw.set(key, { raw, json, signature });
    objects.set(key, { key, body: gzipSync(raw), metadata: metadataOf(signature) });
    prev = { key, raw, signature, end: hourEnd };
  }

  // Defects (applied to the in-memory objects, so each key is written once in its final state).
  const planted: PlantedDefect[] = [];
  const deletions: string[] = [];
  const digestAt = (d: Defect): WrittenDigest => {
    const w = digests.find((x) => x.hour === d.hour);
    if (!w) throw new Error(`defect ${d.kind}: hour ${d.hour} of ${spec.accountId}/${spec.region} has no digest`);
    return w;
  };
  const logAt = (d: Defect & { index?: number }): WrittenLog => {
    const w = logs.find((x) => x.hour === d.hour && x.index === (d.index ?? 0) && x.digested);
    if (!w) throw new Error(`defect ${d.kind}: hour ${d.hour} index ${d.index ?? 0} of ${spec.accountId}/${spec.region} has no digested log file`);
    return w;
  };
  for (const d of defects) {
    switch (d.kind) {
      case 'modified-log': {
        const log = logAt(d);
        const raw = logRaw.get(log.key)!;
        let body: Buffer;
        if ((d.mode ?? 'content') === 'trailing-data') {
          const extra = Buffer.from(JSON.stringify({ Records: makeRecords(spec, rand, [log.deliveredAt]) }), 'utf8');
          body = Buffer.concat([gzipSync(raw), gzipSync(extra)]);
        } else {
          const parsed = JSON.parse(raw.toString('utf8')) as { Records: Record<string, unknown>[] };
          parsed.Records[0]!.sourceIPAddress = '203.0.113.66';
          parsed.Records[0]!.eventName = 'StopLogging';
          parsed.Records[0]!.eventSource = 'cloudtrail.amazonaws.com';
          body = gzipSync(Buffer.from(JSON.stringify(parsed), 'utf8'));
        }
        objects.set(log.key, { key: log.key, body });
        planted.push({ defect: d, key: log.key });
        break;
      }
      case 'deleted-log': {
        const log = logAt(d);
        objects.delete(log.key);
        deletions.push(log.key);
        planted.push({ defect: d, key: log.key });
        break;
      }
      case 'deleted-digest': {
        const dg = digestAt(d);
        objects.delete(dg.key);
        deletions.push(dg.key);
        planted.push({ defect: d, key: dg.key });
        break;
      }
      case 'modified-digest': {
        const dg = digestAt(d);
        const { json, signature } = digestRaw.get(dg.key)!;
        const changed = { ...json, newestEventTime: dg.endTime };
        objects.set(dg.key, { key: dg.key, body: gzipSync(Buffer.from(JSON.stringify(changed), 'utf8')), metadata: metadataOf(signature) });
        planted.push({ defect: d, key: dg.key });
        break;
      }
      case 'unlisted-log': {
        const hourStart = new Date(spec.start.getTime() + d.hour * HOUR);
        const t = new Date(hourStart.getTime() + 47 * 60_000 + 13_000);
        const raw = Buffer.from(JSON.stringify({ Records: makeRecords(spec, rand, [t, new Date(t.getTime() + 9_000)]) }), 'utf8');
        const key = logKeyFor(spec, new Date(t.getTime() + 3 * 60_000), random16());
        objects.set(key, { key, body: gzipSync(raw) });
        planted.push({ defect: d, key });
        break;
      }
      case 'moved-digest': {
        const dg = digestAt(d);
        const obj = objects.get(dg.key);
        if (!obj) throw new Error(`moved-digest: digest of hour ${d.hour} was already removed by another defect`);
        const movedTo = digestKeyFor(spec, new Date(Date.parse(dg.endTime) - 30 * 60_000));
        objects.delete(dg.key);
        deletions.push(dg.key);
        objects.set(movedTo, { ...obj, key: movedTo });
        planted.push({ defect: d, key: dg.key, movedTo });
        break;
      }
      case 'unknown-key-digest':
        planted.push({ defect: d, key: digestAt(d).key });
        break;
    }
  }

  const pending = [...objects.values()];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const o = pending[next++]!;
      await s3.send(new PutObjectCommand({
        Bucket: spec.bucket, Key: o.key, Body: o.body, ContentType: 'application/json',
        ...(o.metadata ? { Metadata: o.metadata } : {}),
      }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(12, pending.length) }, worker));
  // Keys are written once in their final state; deletions only matter when the bucket already had them.
  for (const key of deletions) if (!objects.has(key)) await s3.send(new DeleteObjectCommand({ Bucket: spec.bucket, Key: key }));

  const first = digests[0];
  return {
    spec,
    trailArn: trailArnOf(spec),
    digestPrefix: `${basePrefix(spec)}CloudTrail-Digest/${spec.region}/`,
    logPrefix: `${basePrefix(spec)}CloudTrail/${spec.region}/`,
    digestKeys: digests.map((x) => x.key),
    logKeys: logs.map((l) => l.key),
    undigestedLogKeys: logs.filter((l) => !l.digested).map((l) => l.key),
    digests,
    logs,
    planted,
    gaps,
    window: {
      start: first ? new Date(Date.parse(first.startTime)) : spec.start,
      end: new Date(spec.start.getTime() + spec.hours * HOUR),
    },
  };
}

/** The outcome `aws cloudtrail validate-logs` gives for a stream (see expectedValidation). */
export interface ExpectedValidation {
  digests: { valid: number; invalid: number };
  logs: { valid: number; invalid: number };
  invalidDigests: { key: string; reason: string }[];
  invalidLogs: { key: string; reason: string }[];
  /** In the CLI's order (newest first). */
  gaps: { start: Date; end: Date }[];
  exitCode: 0 | 1;
}

/**
 * What validation.py's DigestTraverser reports for this stream over its whole window: walk from the
 * newest listed digest back, following previous-digest links; on a missing or invalid digest (or a
 * chain start) fall back to the next older key in the listing. Logs are checked only for valid digests.
 */
export function expectedValidation(ws: WrittenStream): ExpectedValidation {
  const planted = (kind: Defect['kind'], key: string): PlantedDefect | undefined =>
    ws.planted.find((p) => p.defect.kind === kind && p.key === key);
  const stamp = (key: string): string => key.slice(-24, -8);
  const byKey = new Map(ws.digests.map((d) => [d.key, d]));
  const movedCopies = new Map(ws.planted.filter((p) => p.movedTo).map((p) => [p.movedTo!, p.key]));
  const listed = [
    ...ws.digests.map((d) => d.key).filter((k) => !planted('deleted-digest', k) && !planted('moved-digest', k)),
    ...movedCopies.keys(),
  ].sort((a, b) => (stamp(a) < stamp(b) ? -1 : stamp(a) > stamp(b) ? 1 : 0));
  const present = new Set(listed);
  const out: ExpectedValidation = { digests: { valid: 0, invalid: 0 }, logs: { valid: 0, invalid: 0 }, invalidDigests: [], invalidLogs: [], gaps: [], exitCode: 0 };
  const olderThan = (key: string): string | undefined => {
    while (listed.length) {
      const k = listed.pop()!;
      if (stamp(k) < stamp(key)) return k;
    }
    return undefined;
  };
  const bad = (key: string, reason: string): string | undefined => {
    out.digests.invalid++;
    out.invalidDigests.push({ key, reason });
    return olderThan(key);
  };
  let key: string | undefined = listed.pop();
  while (key) {
    if (!present.has(key)) { key = bad(key, 'not found'); continue; }
    if (movedCopies.has(key)) { key = bad(key, 'has been moved from its original location'); continue; }
    if (planted('modified-digest', key)) { key = bad(key, 'signature verification failed'); continue; }
    if (planted('unknown-key-digest', key)) {
      key = bad(key, `public key not found in region ${ws.spec.trailHomeRegion} for fingerprint ${byKey.get(key)!.fingerprint}`);
      continue;
    }
    const d = byKey.get(key)!;
    out.digests.valid++;
    for (const lk of d.logKeys) {
      const p = ws.planted.find((x) => x.key === lk);
      if (p?.defect.kind === 'deleted-log') { out.logs.invalid++; out.invalidLogs.push({ key: lk, reason: 'not found' }); }
      else if (p?.defect.kind === 'modified-log') {
        out.logs.invalid++;
        out.invalidLogs.push({ key: lk, reason: p.defect.mode === 'trailing-data' ? 'unexpected data after end of compressed stream' : "hash value doesn't match" });
      } else out.logs.valid++;
    }
    if (d.previousKey) { key = d.previousKey; continue; }
    const next = olderThan(key);
    if (next) out.gaps.push({ start: new Date(Date.parse(`${next.slice(-24, -20)}-${next.slice(-20, -18)}-${next.slice(-18, -16)}T${next.slice(-15, -13)}:${next.slice(-13, -11)}:${next.slice(-11, -9)}Z`)), end: new Date(Date.parse(d.startTime)) });
    key = next;
  }
  out.exitCode = out.digests.invalid > 0 || out.logs.invalid > 0 ? 1 : 0;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The full scenario

export const CORPUS_REGIONS = ['us-east-1', 'eu-west-1'] as const;
export const CORPUS_START = new Date('2026-11-19T12:00:00Z');
export const CORPUS_HOURS = 30;

export type CorpusStreamName =
  | 'org-a-use1' // clean, with empty hours
  | 'org-a-euw1' // log defects
  | 'org-b-use1' // digest defects
  | 'org-b-euw1' // digest signed by an unknown key
  | 'member-a-use1' // own trail: validation off, then logging stopped
  | 'member-a-euw1';

export type CorpusDefectName =
  | 'modified-log' | 'log-trailing-data' | 'deleted-log' | 'unlisted-log'
  | 'deleted-digest' | 'modified-digest' | 'moved-digest' | 'unknown-key-digest';

export interface CorpusTrail {
  name: string; arn: string; homeRegion: string; ownerAccountId: string;
  bucket: string; bucketOwnerAccountId: string; keyPrefix: string;
  isOrganizationTrail: boolean; orgId?: string; multiRegion: true; logFileValidation: true;
  regions: string[];
}

export interface CorpusStream extends WrittenStream {
  name: CorpusStreamName;
  trail: 'org' | 'member';
  expected: ExpectedValidation;
}

export interface LogCorpusManifest {
  endpoint: string;
  orgId: string;
  managementAccountId: string;
  accounts: { logArchive: string; memberA: string; memberB: string };
  regions: string[];
  window: { start: Date; end: Date };
  /** When each region's first key stops being valid and the second starts. */
  rotationAt: Date;
  keys: RegionKeys;
  trails: { org: CorpusTrail; member: CorpusTrail };
  streams: Record<CorpusStreamName, CorpusStream>;
  defects: Record<CorpusDefectName, { stream: CorpusStreamName; defect: Defect; key: string; movedTo?: string }>;
}

export interface SeedLogCorpusOptions {
  /** Existing accounts to use; otherwise created in the organization (created too when none exists). */
  accounts?: { logArchive: string; memberA: string; memberB: string };
  /** Bucket name suffix (default 'corpus'). */
  suffix?: string;
  start?: Date;
  hours?: number;
}

/** An S3 client for the emulator (or the fault proxy in front of it), as org-builder.ts builds them. */
export function corpusS3Client(endpoint: string, credentials = MANAGEMENT_CREDENTIALS): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}

/**
 * Builds the log-integrity scenario in S3: an organization trail (owner: management account,
 * bucket in a log-archive account, key prefix `o11y/trails`) over 2 members x 2 regions, and
 * member A's own multi-region trail (bucket in member A, prefix `own`). Trails are NOT created in
 * CloudTrail; use createCorpusTrails() for that (the AWS CLI needs the organization trail there).
 */
export async function seedLogCorpus(endpoint: string, opts: SeedLogCorpusOptions = {}): Promise<LogCorpusManifest> {
  const target = { endpoint };
  let org: OrgBuilder;
  try {
    org = await OrgBuilder.connect(target);
  } catch {
    org = await OrgBuilder.create(target);
  }
  try {
    const sfx = opts.suffix ?? 'corpus';
    const accounts = opts.accounts ?? {
      logArchive: await org.account(`${sfx}-log-archive`),
      memberA: await org.account(`${sfx}-member-a`),
      memberB: await org.account(`${sfx}-member-b`),
    };
    const start = opts.start ?? CORPUS_START;
    const hours = opts.hours ?? CORPUS_HOURS;
    const end = new Date(start.getTime() + hours * HOUR);
    const rotationAt = new Date(start.getTime() + Math.floor(hours / 2) * HOUR);
    const regions = [...CORPUS_REGIONS];
    const keys = createRegionKeys(regions, start, end, { rotateAt: rotationAt });
    const mgmt = org.managementAccountId;
    const orgId = org.organizationId;

    const orgTrail: CorpusTrail = {
      name: `${sfx}-org-trail`, arn: '', homeRegion: 'us-east-1', ownerAccountId: mgmt,
      bucket: `${sfx}-org-cloudtrail-logs`, bucketOwnerAccountId: accounts.logArchive, keyPrefix: 'o11y/trails',
      isOrganizationTrail: true, orgId, multiRegion: true, logFileValidation: true, regions,
    };
    orgTrail.arn = trailArnOf({ trailHomeRegion: orgTrail.homeRegion, trailAccountId: mgmt, trailName: orgTrail.name });
    const memberTrail: CorpusTrail = {
      name: `${sfx}-member-a-trail`, arn: '', homeRegion: 'us-east-1', ownerAccountId: accounts.memberA,
      bucket: `${sfx}-member-a-cloudtrail-logs`, bucketOwnerAccountId: accounts.memberA, keyPrefix: 'own',
      isOrganizationTrail: false, multiRegion: true, logFileValidation: true, regions,
    };
    memberTrail.arn = trailArnOf({ trailHomeRegion: memberTrail.homeRegion, trailAccountId: accounts.memberA, trailName: memberTrail.name });

    await org.as(accounts.logArchive).bucket(orgTrail.bucket, { versioning: 'Enabled' });
    await org.as(accounts.memberA).bucket(memberTrail.bucket, { versioning: 'Enabled' });

    const specOf = (t: CorpusTrail, accountId: string, region: string, extra: Partial<StreamSpec> = {}): StreamSpec => ({
      trailName: t.name, trailHomeRegion: t.homeRegion, trailAccountId: t.ownerAccountId, accountId, region,
      ...(t.orgId ? { orgId: t.orgId } : {}), bucket: t.bucket, keyPrefix: t.keyPrefix, start, hours, ...extra,
    });
    const h = (frac: number): number => Math.max(1, Math.min(hours - 2, Math.round(hours * frac)));
    const plan: { name: CorpusStreamName; trail: 'org' | 'member'; spec: StreamSpec; defects: [CorpusDefectName, Defect][] }[] = [
      { name: 'org-a-use1', trail: 'org', spec: specOf(orgTrail, accounts.memberA, 'us-east-1', { emptyHours: [h(0.1), h(0.1) + 1, h(0.73)] }), defects: [] },
      {
        name: 'org-a-euw1', trail: 'org', spec: specOf(orgTrail, accounts.memberA, 'eu-west-1'), defects: [
          ['modified-log', { kind: 'modified-log', hour: h(0.17) }],
          ['log-trailing-data', { kind: 'modified-log', hour: h(0.23), index: 1, mode: 'trailing-data' }],
          ['deleted-log', { kind: 'deleted-log', hour: h(0.37) }],
          ['unlisted-log', { kind: 'unlisted-log', hour: h(0.5) }],
        ],
      },
      {
        name: 'org-b-use1', trail: 'org', spec: specOf(orgTrail, accounts.memberB, 'us-east-1'), defects: [
          ['deleted-digest', { kind: 'deleted-digest', hour: h(0.2) }],
          ['modified-digest', { kind: 'modified-digest', hour: h(0.4) }],
          ['moved-digest', { kind: 'moved-digest', hour: h(0.67) }],
        ],
      },
      { name: 'org-b-euw1', trail: 'org', spec: specOf(orgTrail, accounts.memberB, 'eu-west-1'), defects: [['unknown-key-digest', { kind: 'unknown-key-digest', hour: h(0.3) }]] },
      ...(['us-east-1', 'eu-west-1'] as const).map((region) => ({
        name: (region === 'us-east-1' ? 'member-a-use1' : 'member-a-euw1') as CorpusStreamName,
        trail: 'member' as const,
        spec: specOf(memberTrail, accounts.memberA, region, {
          validationOffHours: [h(0.27), h(0.27) + 3] as [number, number],
          stoppedHours: [h(0.57), h(0.57) + 3] as [number, number],
        }),
        defects: [] as [CorpusDefectName, Defect][],
      })),
    ];

    const streams = {} as Record<CorpusStreamName, CorpusStream>;
    const defects = {} as LogCorpusManifest['defects'];
    const s3 = corpusS3Client(endpoint);
    try {
      await Promise.all(plan.map(async (p) => {
        const ws = await writeStream(s3, keys, p.spec, p.defects.map(([, d]) => d));
        streams[p.name] = { ...ws, name: p.name, trail: p.trail, expected: expectedValidation(ws) };
        p.defects.forEach(([defectName, d], i) => {
          const pl = ws.planted[i]!;
          defects[defectName] = { stream: p.name, defect: d, key: pl.key, ...(pl.movedTo ? { movedTo: pl.movedTo } : {}) };
        });
      }));
    } finally {
      s3.destroy();
    }
    return {
      endpoint, orgId, managementAccountId: mgmt, accounts, regions, window: { start, end }, rotationAt, keys,
      trails: { org: orgTrail, member: memberTrail }, streams, defects,
    };
  } finally {
    org.destroy();
  }
}

/** Creates the corpus trails in (moto) CloudTrail, with log file validation on (the CLI reads the org trail's bucket/prefix from DescribeTrails). */
export async function createCorpusTrails(endpoint: string, m: LogCorpusManifest): Promise<void> {
  const org = await OrgBuilder.connect({ endpoint });
  try {
    for (const t of [m.trails.org, m.trails.member]) {
      const arn = await org.as(t.ownerAccountId).trail(t.name, {
        region: t.homeRegion, bucket: t.bucket, prefix: t.keyPrefix, multiRegion: true,
        organization: t.isOrganizationTrail, logFileValidation: true,
      });
      if (arn !== t.arn) throw new Error(`CreateTrail ${t.name} returned ${arn}, expected ${t.arn}`);
    }
  } finally {
    org.destroy();
  }
}

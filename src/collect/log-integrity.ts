// scan --verify-logs: lists and reads each validated stream's digests and log files, as the
// bucket's owner, and hands them to src/integrity/ to judge. Only asked for: reading log content
// is more than the configuration scan needs, so these actions are opt-in in the IAM policy.
import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { CollectionError, LogIntegrity, LogStream, Snapshot } from '../inventory/schema.js';
import { walkChain, type Defect, type DigestOutcome, type ListedDigest } from '../integrity/chain.js';
import { judgeDigest, type LogEvidenceSink } from '../integrity/judge.js';
import {
  digestKeyTime,
  digestListStartKey,
  digestPrefix,
  isTrailDigestKey,
  logKeyTime,
  logListStartKey,
  logPrefix,
  type PublicKey,
} from '../integrity/digest.js';
import { notValidatingFacts, planStreams, streamFacts, type LogCheck, type StreamPlan, type StreamSelection } from '../integrity/streams.js';
import type { CollectorSpec, ScanContext } from './context.js';
import { errorCode, errorMessage } from './errors.js';

export const collectors: CollectorSpec[] = [
  {
    name: 'log-files',
    service: 's3',
    principal: 'member',
    optIn: 'log-verification',
    operations: { ListObjectsV2: 's3:ListBucket', GetObject: 's3:GetObject' },
  },
  {
    name: 'public-keys',
    service: 'cloudtrail',
    principal: 'member',
    optIn: 'log-verification',
    operations: { ListPublicKeys: 'cloudtrail:ListPublicKeys' },
  },
];

export interface VerifyLogsOptions {
  since: Date;
  until: Date;
  depth: 'digests' | 'logs';
  /** Only some streams (a trail, accounts, regions); absent: every validated stream. */
  only?: StreamSelection;
  /** Streams walked at once; object reads have their own cap in the client pool. */
  streamConcurrency?: number;
  /** Object reads (GET and the read of its body) in flight; a read waiting for its turn is only a key. */
  objectConcurrency?: number;
  onStream?: (stream: LogStream) => void;
  /** verify-logs --verbose: every digest and log file judged, newest digest first, each followed by its logs. */
  onFile?: (file: FileVerdict) => void;
  /** scan --evidence: every digest read and the public keys used, for the bundle. */
  evidence?: LogEvidenceSink;
}

export interface FileVerdict {
  streamId: string;
  kind: 'digest' | 'log';
  bucket: string;
  key: string;
  /** null: valid. */
  problem: string | null;
}

const HOUR = 3_600_000;
/** How far before the window the stream's last digest is looked for when its chain starts inside it. */
const LOOKBACK_DAYS = 7;
type ReadError = { key: string | null; operation: string; code: string; message: string };

export async function verifyLogs(ctx: ScanContext, snapshot: Snapshot, options: VerifyLogsOptions): Promise<{ integrity: LogIntegrity; errors: CollectionError[] }> {
  const { plans, notValidating } = planStreams(snapshot, options.only);
  return verifyStreams(ctx, plans, notValidating, options);
}

/** Verifies planned streams (verify-logs plans its own from one trail). */
export async function verifyStreams(ctx: ScanContext, plans: StreamPlan[], notValidating: Snapshot['trails'], options: VerifyLogsOptions): Promise<{ integrity: LogIntegrity; errors: CollectionError[] }> {
  const stats = { objects: 0, bytes: 0 };
  const keys = new PublicKeys(ctx, options.since, options.until, options.evidence);
  const limit = pLimit(options.streamConcurrency ?? 16);
  // Reads are limited before the SDK command is built, so memory follows the reads in flight,
  // not the length of the window (a queued SDK command holds its own middleware stack).
  const reads = pLimit(options.objectConcurrency ?? 64);
  const streams = await Promise.all(
    plans.map((plan) =>
      limit(async () => {
        const facts = await new StreamVerifier(ctx, plan, options, keys, stats, reads).run();
        options.onStream?.(facts);
        return facts;
      }),
    ),
  );
  streams.push(...notValidating.map(notValidatingFacts));
  streams.sort((a, b) => a.id.localeCompare(b.id));
  // A stream that could not be read is an error as data, against the stream's own fact.
  const errors: CollectionError[] = streams
    .filter((s) => s.readErrorCount > 0)
    .map((s) => ({
      accountId: s.readerAccountId,
      region: s.region,
      resource: { type: 'log-stream' as const, id: s.id },
      facts: ['stream.readErrors'],
      service: s.readErrors[0]!.operation === 'ListPublicKeys' ? 'cloudtrail' : 's3',
      operation: s.readErrors[0]!.operation,
      code: s.readErrors[0]!.code,
      message: `${s.readErrorCount} read(s) failed; first: ${s.readErrors[0]!.key ?? s.bucket ?? ''}: ${s.readErrors[0]!.message}`.slice(0, 500),
    }));
  return {
    integrity: { since: options.since.toISOString(), until: options.until.toISOString(), depth: options.depth, streams, objects: stats.objects, bytes: stats.bytes },
    errors,
  };
}

/** ListPublicKeys once per region for the window (each region signs with its own keys). */
class PublicKeys {
  private readonly byRegion = new Map<string, Promise<Map<string, PublicKey> | ReadError>>();

  constructor(
    private readonly ctx: ScanContext,
    private readonly since: Date,
    private readonly until: Date,
    private readonly evidence: LogEvidenceSink | undefined,
  ) {}

  get(region: string, readAs: string): Promise<Map<string, PublicKey> | ReadError> {
    let p = this.byRegion.get(region);
    if (!p) {
      p = this.load(region, readAs);
      this.byRegion.set(region, p);
    }
    return p;
  }

  private async load(region: string, readAs: string): Promise<Map<string, PublicKey> | ReadError> {
    const client = this.ctx.client('cloudtrail', readAs, region);
    const found = new Map<string, PublicKey>();
    try {
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new ListPublicKeysCommand({ StartTime: new Date(this.since.getTime() - HOUR), EndTime: new Date(this.until.getTime() + 2 * HOUR), NextToken }),
        );
        for (const k of page.PublicKeyList ?? []) {
          if (!k.Fingerprint || !k.Value) continue;
          found.set(k.Fingerprint, {
            fingerprint: k.Fingerprint,
            der: k.Value,
            validityStart: k.ValidityStartTime?.toISOString() ?? null,
            validityEnd: k.ValidityEndTime?.toISOString() ?? null,
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
    } catch (err) {
      return { key: null, operation: 'ListPublicKeys', code: errorCode(err), message: `CloudTrail's public keys for ${region} could not be listed: ${errorMessage(err)}` };
    }
    this.evidence?.publicKeys(region, [...found.values()]);
    return found;
  }
}

class StreamVerifier {
  private readonly readErrors: ReadError[] = [];

  constructor(
    private readonly ctx: ScanContext,
    private readonly plan: StreamPlan,
    private readonly options: VerifyLogsOptions,
    private readonly keys: PublicKeys,
    private readonly stats: { objects: number; bytes: number },
    private readonly reads: <T>(fn: () => Promise<T>) => Promise<T>,
  ) {}

  private get s3() {
    return this.ctx.objectClient('s3', this.plan.readerAccountId!, this.plan.bucketRegion ?? this.ctx.homeRegion);
  }

  async run(): Promise<LogStream> {
    const { plan, options } = this;
    const base = { plan, since: options.since, until: options.until, trailStatus: plan.trail.status };
    if (plan.unreadableReason) {
      return streamFacts({ ...base, walk: null, logs: null, readErrors: [{ key: null, operation: 'ListObjectsV2', code: 'NotReadable', message: plan.unreadableReason }] });
    }
    const listed = await this.listDigests();
    const publicKeys = await this.keys.get(plan.region, plan.readerAccountId!);
    if (listed === null) return streamFacts({ ...base, walk: null, logs: null, readErrors: this.readErrors });
    if (!(publicKeys instanceof Map)) return streamFacts({ ...base, walk: null, logs: null, readErrors: [publicKeys] });

    const outcomes = new Map<string, DigestOutcome | null>();
    await Promise.all(listed.map(async (d) => outcomes.set(`${plan.bucket}/${d.key}`, await this.fetchDigest(plan.bucket, d.key, publicKeys))));
    // Links to keys the listing did not show (another bucket, or a name outside the window) are
    // fetched, then the chain walked again with them.
    const wanted = new Set<string>();
    const probe = (bucket: string, key: string) => {
      const id = `${bucket}/${key}`;
      if (!outcomes.has(id)) {
        if (bucket === plan.bucket && isListedRange(key, options)) return null; // listed range: not there
        wanted.add(id);
        return null;
      }
      return outcomes.get(id)!;
    };
    let walk = walkChain(plan.bucket, listed, probe, options.since);
    if (wanted.size) {
      await Promise.all([...wanted].map(async (id) => {
        const slash = id.indexOf('/');
        outcomes.set(id, await this.fetchDigest(id.slice(0, slash), id.slice(slash + 1), publicKeys, false));
      }));
      walk = walkChain(plan.bucket, listed, (b, k) => outcomes.get(`${b}/${k}`) ?? null, options.since);
    }
    const logs = await this.checkLogs(walk, outcomes);
    if (options.onFile) this.report(walk, logs, outcomes, options.onFile);
    const previousBeforeWindow = await this.previousBeforeWindow(walk);
    return streamFacts({ ...base, walk, logs, readErrors: this.readErrors, previousBeforeWindow });
  }

  /**
   * When the oldest verified digest starts the chain (no link) well inside the window and nothing
   * older was listed, logging may have been off since before the window opened: the newest
   * digest of the stream in the days before the window says so (a new trail has none). Day
   * folders are listed one at a time, newest first, never the whole bucket.
   */
  private async previousBeforeWindow(walk: ReturnType<typeof walkChain>): Promise<string | null> {
    const { plan, options } = this;
    const oldest = [...walk.valid].sort((a, b) => a.digest.digestStartTime.localeCompare(b.digest.digestStartTime))[0]?.digest;
    if (!oldest || oldest.previousDigestS3Object !== null) return null;
    const start = Date.parse(oldest.digestStartTime);
    if (start - options.since.getTime() < HOUR || walk.gaps.some((g) => Date.parse(g.end) === start)) return null;
    const since = options.since.getTime();
    for (let day = 0; day <= LOOKBACK_DAYS; day++) {
      const folder = `${digestPrefix(plan)}${new Date(since - day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '/')}/`;
      let newest: number | null = null;
      try {
        let token: string | undefined;
        do {
          const page = await this.s3.send(new ListObjectsV2Command({ Bucket: plan.bucket, Prefix: folder, ContinuationToken: token }));
          for (const o of page.Contents ?? []) {
            const t = o.Key && isTrailDigestKey(plan, o.Key) ? digestKeyTime(o.Key)!.getTime() : NaN;
            if (t < since && (newest === null || t > newest)) newest = t;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (err) {
        this.readErrors.push({ key: folder, operation: 'ListObjectsV2', code: errorCode(err), message: `digests before the window (s3://${plan.bucket}/${folder}) could not be listed: ${errorMessage(err)}` });
        return null;
      }
      if (newest !== null) return new Date(newest).toISOString();
    }
    return null;
  }

  /** The per-file lines, in the AWS CLI's order: newest digest first, each followed by its log files. */
  private report(walk: ReturnType<typeof walkChain>, logs: LogCheck, outcomes: Map<string, DigestOutcome | null>, emit: (f: FileVerdict) => void): void {
    const streamId = this.plan.id;
    const valid = new Map(walk.valid.map((v) => [v.key, v.digest]));
    const bad = new Map(walk.defects.filter((d) => d.kind.startsWith('digest-')).map((d) => [d.key, d.reason]));
    const order = [...new Set([...walk.valid.map((v) => v.key), ...bad.keys()])].sort().reverse();
    for (const key of order) {
      const digest = valid.get(key);
      emit({ streamId, kind: 'digest', bucket: this.plan.bucket, key, problem: digest ? null : (bad.get(key) ?? 'invalid') });
      for (const l of digest?.logFiles ?? []) {
        const r = logs.results.get(`${l.s3Bucket}/${l.s3Object}`);
        if (r === undefined) continue;
        emit({ streamId, kind: 'log', bucket: l.s3Bucket, key: l.s3Object, problem: r === 'valid' ? null : r === 'unchecked' ? 'present (not hashed at depth digests)' : r.defect.reason });
      }
    }
    for (const key of logs.unlisted) emit({ streamId, kind: 'log', bucket: this.plan.bucket, key, problem: 'in no digest' });
    void outcomes;
  }

  /** The window's digest keys, oldest first, listed from a computed start key (never the whole bucket). */
  private async listDigests(): Promise<ListedDigest[] | null> {
    const { plan, options } = this;
    const last = options.until.getTime() + HOUR;
    const out: ListedDigest[] = [];
    try {
      let token: string | undefined;
      let startAfter: string | undefined = digestListStartKey(plan, options.since);
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: plan.bucket, Prefix: digestPrefix(plan), StartAfter: startAfter, ContinuationToken: token }));
        startAfter = undefined;
        for (const o of page.Contents ?? []) {
          if (!o.Key || !isTrailDigestKey(plan, o.Key)) continue;
          const t = digestKeyTime(o.Key)!;
          if (t.getTime() > last) return out;
          if (t.getTime() >= options.since.getTime()) out.push({ key: o.Key, time: t });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      this.readErrors.push({ key: digestPrefix(plan), operation: 'ListObjectsV2', code: errorCode(err), message: `digests of s3://${plan.bucket}/${digestPrefix(plan)} could not be listed: ${errorMessage(err)}` });
      return null;
    }
    return out;
  }

  private fetchDigest(bucket: string, key: string, publicKeys: Map<string, PublicKey>, listed = true): Promise<DigestOutcome | null> {
    return this.reads(() => this.readDigest(bucket, key, publicKeys, listed));
  }

  private async readDigest(bucket: string, key: string, publicKeys: Map<string, PublicKey>, listed: boolean): Promise<DigestOutcome | null> {
    let body: Uint8Array;
    let metadata: Record<string, string>;
    const read = { streamId: this.plan.id, region: this.plan.region, bucket, key, listed };
    try {
      const r = await this.ctx.objectClient('s3', this.plan.readerAccountId!, this.plan.bucketRegion ?? this.ctx.homeRegion).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = await r.Body!.transformToByteArray();
      metadata = r.Metadata ?? {};
      this.stats.objects++;
      this.stats.bytes += body.byteLength;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'NoSuchKey') {
        this.options.evidence?.digest({ ...read, object: { absent: true } });
        return null;
      }
      this.options.evidence?.digest({ ...read, object: { unreadable: code } });
      return { kind: 'unreadable', code, message: `s3://${bucket}/${key}: ${errorMessage(err)}` };
    }
    this.options.evidence?.digest({ ...read, object: { body, metadata } });
    return judgeDigest(bucket, key, body, metadata, publicKeys, this.plan.region);
  }

  private async checkLogs(walk: ReturnType<typeof walkChain>, outcomes: Map<string, DigestOutcome | null>): Promise<LogCheck> {
    const { plan, options } = this;
    const results: LogCheck['results'] = new Map();
    const referenced = new Map<string, { bucket: string; hash: string }>();
    for (const v of walk.valid) for (const l of v.digest.logFiles) referenced.set(`${l.s3Bucket}/${l.s3Object}`, { bucket: l.s3Bucket, hash: l.hashValue });
    // Logs named by digests that failed are not unlisted: that digest's defect covers them.
    const named = new Set(referenced.keys());
    for (const o of outcomes.values()) if (o && o.kind === 'invalid' && o.digest) for (const l of o.digest.logFiles) named.add(`${l.s3Bucket}/${l.s3Object}`);
    if (!walk.valid.length) return { results, unlisted: [], readErrors: [] };

    const spanStart = Math.min(...walk.valid.map((v) => Date.parse(v.digest.digestStartTime)));
    const spanEnd = Math.max(...walk.valid.map((v) => Date.parse(v.digest.digestEndTime)));
    const refTimes = [...referenced.keys()].map((k) => logKeyTime(k)?.getTime()).filter((t): t is number => t !== undefined);
    const listFrom = Math.min(spanStart, ...refTimes);
    const listTo = Math.max(spanEnd, ...refTimes);
    const present = await this.listLogs(new Date(listFrom), listTo);
    const readErrors: ReadError[] = [];
    if (present === null) {
      // Without the listing, existence is unknown: every log is unread rather than missing.
      return { results, unlisted: [], readErrors: [...this.readErrors.splice(0)] };
    }
    const checks: Promise<void>[] = [];
    for (const [id, ref] of referenced) {
      const key = id.slice(ref.bucket.length + 1);
      const time = logKeyTime(key)?.toISOString() ?? null;
      const inListing = ref.bucket === plan.bucket && present.has(key);
      if (ref.bucket === plan.bucket && !inListing) {
        results.set(id, { defect: { kind: 'log-missing', key, reason: 'listed by a verified digest, but not in the bucket: deleted', time } });
        continue;
      }
      if (options.depth === 'digests') {
        results.set(id, 'unchecked');
        continue;
      }
      checks.push(this.reads(() => this.hashLog(ref.bucket, key, ref.hash)).then((r) => {
        if (r === 'valid') results.set(id, 'valid');
        else if (r.kind === 'read-error') readErrors.push(r.error);
        else results.set(id, { defect: { kind: r.kind, key, reason: r.reason, time } });
      }));
    }
    await Promise.all(checks);
    const tolerance = 60_000;
    const unverified = walk.unverifiedSpans.map((s) => [Date.parse(s.start) - tolerance, Date.parse(s.end) + tolerance] as const);
    const unlisted = [...present].filter((key) => {
      if (named.has(`${plan.bucket}/${key}`)) return false;
      const t = logKeyTime(key)?.getTime();
      if (t === undefined || t < Math.floor(spanStart / 60_000) * 60_000 || t > spanEnd) return false;
      return !unverified.some(([a, b]) => t >= a && t <= b);
    });
    return { results, unlisted, readErrors };
  }

  private async listLogs(from: Date, to: number): Promise<Set<string> | null> {
    const { plan } = this;
    const prefix = logPrefix(plan);
    const file = new RegExp(`^${escape(prefix)}\\d{4}/\\d{2}/\\d{2}/${plan.accountId}_CloudTrail_${escape(plan.region)}_\\d{8}T\\d{4}Z_[^/]+\\.json\\.gz$`);
    const out = new Set<string>();
    try {
      let token: string | undefined;
      let startAfter: string | undefined = logListStartKey(plan, from);
      do {
        const page = await this.s3.send(new ListObjectsV2Command({ Bucket: plan.bucket, Prefix: prefix, StartAfter: startAfter, ContinuationToken: token }));
        startAfter = undefined;
        for (const o of page.Contents ?? []) {
          if (!o.Key || !file.test(o.Key)) continue;
          const t = logKeyTime(o.Key)!.getTime();
          if (t > to + 60_000) return out;
          out.add(o.Key);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      this.readErrors.push({ key: prefix, operation: 'ListObjectsV2', code: errorCode(err), message: `log files of s3://${plan.bucket}/${prefix} could not be listed: ${errorMessage(err)}` });
      return null;
    }
    return out;
  }

  /** SHA-256 of the uncompressed log, hashed as it arrives: a log file is never held whole. */
  private async hashLog(bucket: string, key: string, expected: string): Promise<'valid' | { kind: Defect['kind']; reason: string } | { kind: 'read-error'; error: ReadError }> {
    let body: Readable;
    let length: number | undefined;
    try {
      const r = await this.ctx.objectClient('s3', this.plan.readerAccountId!, this.plan.bucketRegion ?? this.ctx.homeRegion).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = r.Body as Readable;
      length = r.ContentLength;
      this.stats.objects++;
      this.stats.bytes += r.ContentLength ?? 0;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'NoSuchKey') return { kind: 'log-missing', reason: 'listed by a verified digest, but not in the bucket: deleted' };
      return { kind: 'read-error', error: { key, operation: 'GetObject', code, message: `s3://${bucket}/${key}: ${errorMessage(err)}` } };
    }
    let actual: string;
    try {
      actual = await gunzipSha256(body, length);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code.startsWith('Z_')) return { kind: 'log-invalid-format', reason: `invalid format: not a readable gzip file (${code})` };
      return { kind: 'read-error', error: { key, operation: 'GetObject', code: errorCode(err), message: `s3://${bucket}/${key}: reading failed midway: ${errorMessage(err)}` } };
    }
    return actual === expected ? 'valid' : { kind: 'log-hash-mismatch', reason: `hash value doesn't match: the digest says ${expected.slice(0, 16)}..., the file hashes to ${actual.slice(0, 16)}...: modified` };
  }
}

/** A log at most this large (compressed) is read whole and inflated in one synchronous call. */
export const SMALL_LOG_BYTES = 32 * 1024;
/** The most a small log may inflate to in that call; past it, it is inflated as a stream instead. */
export const SMALL_LOG_INFLATED_BYTES = 512 * 1024;

/**
 * SHA-256 of a gzipped body's uncompressed bytes. A log file is never held whole: a small one
 * (Content-Length at most SMALL_LOG_BYTES, inflating to at most SMALL_LOG_INFLATED_BYTES) is
 * collected and inflated in one synchronous call, which spares the thread pool's round trip per
 * chunk and the stream's buffers (most CloudTrail logs are a few KB); anything larger, or of
 * unknown length, or inflating past the cap, is inflated and hashed chunk by chunk. Both paths run
 * the same zlib gunzip, so they accept and reject the same bytes with the same codes.
 */
export async function gunzipSha256(body: Readable, compressedLength: number | undefined): Promise<string> {
  if (compressedLength === undefined || compressedLength > SMALL_LOG_BYTES) return streamSha256(body, compressedLength);
  const compressed = await collect(body);
  let inflated: Buffer;
  try {
    inflated = gunzipSync(compressed, { maxOutputLength: SMALL_LOG_INFLATED_BYTES, chunkSize: 8192 });
  } catch (err) {
    // Inflates past the cap (a file of repeated bytes): hashed as a stream, never held inflated.
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return streamSha256(Readable.from([compressed]), compressed.length);
    throw err;
  }
  return createHash('sha256').update(inflated).digest('hex');
}

/** A small body's bytes; a body that closes before its end is a failed read, not a short file. */
function collect(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      body.destroy();
      reject(err);
    };
    body.once('error', fail);
    body.once('close', () => {
      if (!body.readableEnded) fail(prematureClose());
    });
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}

const prematureClose = () => Object.assign(new Error('the object\'s body ended early (premature close)'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });

/**
 * The streaming path: inflated and hashed chunk by chunk. Piped by hand: stream/promises'
 * pipeline() builds an AbortController per call and aborts it on completion (a DOMException with
 * its stack), and a Writable for the hash; with thousands of small logs that was twice the cost
 * of the inflating itself. A small object gets a small output chunk (zlib allocates one buffer of
 * chunkSize, 16 KB by default, per stream).
 */
function streamSha256(body: Readable, compressedLength: number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const gunzip = createGunzip(compressedLength !== undefined && compressedLength < 8192 ? { chunkSize: 8192 } : {});
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      body.unpipe(gunzip);
      body.destroy();
      gunzip.destroy();
      reject(err);
    };
    body.once('error', fail);
    // A body that closes before its end (the connection dropped) is a failed read, not a short file.
    body.once('close', () => {
      if (!body.readableEnded) fail(prematureClose());
    });
    gunzip.once('error', fail);
    gunzip.on('data', (chunk: Buffer) => hash.update(chunk));
    gunzip.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(hash.digest('hex'));
    });
    body.pipe(gunzip);
  });
}

function isListedRange(key: string, options: VerifyLogsOptions): boolean {
  const t = digestKeyTime(key)?.getTime();
  return t !== undefined && t >= options.since.getTime() && t <= options.until.getTime() + HOUR;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The regions a multi-region trail wrote digests for: the folders under its CloudTrail-Digest/ prefix. */
export async function listDigestRegions(ctx: ScanContext, reader: string, loc: Omit<StreamPlan, 'region' | 'id' | 'trail' | 'readerAccountId' | 'bucketRegion' | 'unreadableReason'>): Promise<string[]> {
  const prefix = digestPrefix({ ...loc, region: '' });
  const out: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await ctx.objectClient('s3', reader, ctx.homeRegion).send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) out.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw new Error(`cannot list the regions under s3://${loc.bucket}/${prefix} (${errorCode(err)}: ${errorMessage(err)}); name them with --regions`, { cause: err });
  }
  return out.sort();
}
